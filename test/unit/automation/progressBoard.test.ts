import * as assert from "node:assert/strict";
import { ProgressBoard } from "../../../automation/cli/progressBoard";
import type { DriverEvent } from "../../../automation/operations/events";

/** A terminal that keeps what was written, and a clock the test moves. */
function fixture(columns = 80) {
  const writes: string[] = [];
  let time = 0;
  const board = new ProgressBoard({ columns, write: (text) => writes.push(text) }, () => time, 60_000);
  return { board, writes, tick: (ms: number) => (time += ms) };
}

const stack = (name: string, status: string, extra: object = {}) =>
  ({ type: "stack", operationId: "op", stack: name, status, ...extra }) as DriverEvent;
const step = (name: string, op: string, resourceType: string, resource: string) =>
  ({ type: "step", operationId: "op", stack: name, op, resourceType, name: resource }) as DriverEvent;
/** The last frame drawn, without the escape that erases the one before. */
const lastFrame = (writes: string[]) => writes[writes.length - 1].replace(/^\x1b\[\d+F\x1b\[J/, "");

describe("the CLI's progress board", () => {
  it("draws one row per stack and redraws them in place as their statuses change", () => {
    const { board, writes, tick } = fixture();
    board.update(stack("dev-acme", "started", { wave: 0 }));
    tick(12_000);
    board.update(stack("dev-acme", "rolling-back"));
    board.update(stack("dev-shared", "started", { wave: 1 }));
    tick(3_000);
    board.update(stack("dev-acme", "rolled-back"));
    tick(5_000);
    board.close();
    assert.deepEqual(writes, [
      "canary  dev-acme  started            0s\n",
      "\x1b[1F\x1b[Jcanary  dev-acme  rolling-back      12s\n",
      "\x1b[1F\x1b[Jcanary  dev-acme    rolling-back      12s\nwave 1  dev-shared  started            0s\n",
      "\x1b[2F\x1b[Jcanary  dev-acme    rolled-back       15s\nwave 1  dev-shared  started            3s\n",
      // Closing draws the last frame: the rolled-back stack's clock stopped, the other's ran on.
      "\x1b[2F\x1b[Jcanary  dev-acme    rolled-back       15s\nwave 1  dev-shared  started            8s\n",
    ]);
  });

  it("prints other events and messages above the board, and plain lines once it is closed", () => {
    const { board, writes } = fixture();
    board.update({ type: "operation", operationId: "op", kind: "up", status: "started" });
    board.update(stack("dev-acme", "failed", { detail: "up of stack failed:\nmore" }));
    board.print("cancelling");
    board.close();
    board.print("done");
    assert.deepEqual(writes, [
      "operation op (up): started\n",
      "dev-acme  failed             0s  up of stack failed:\n",
      "\x1b[1F\x1b[Jcancelling\ndev-acme  failed             0s  up of stack failed:\n",
      "\x1b[1F\x1b[Jdev-acme  failed             0s  up of stack failed:\n",
      "done\n",
    ]);
  });

  it("fills the detail column: the resource step at work, then how many steps ran once the stack rests", () => {
    const { board, writes, tick } = fixture();
    board.update(stack("dev-acme", "started"));
    board.update(step("dev-acme", "create", "kubernetes:apps/v1:Deployment", "api"));
    assert.equal(lastFrame(writes), "dev-acme  started            0s  create Deployment api\n");
    board.update(step("dev-acme", "update", "kubernetes:core/v1:Service", "api"));
    tick(4_000);
    board.update(stack("dev-acme", "succeeded"));
    assert.equal(lastFrame(writes), "dev-acme  succeeded          4s  2 resource steps\n");
    // A step arriving after the stack rests changes nothing.
    const drawn = writes.length;
    board.update(step("dev-acme", "delete", "kubernetes:core/v1:Secret", "old"));
    assert.equal(writes.length, drawn);
    // A stack event's own detail wins over the steps, and stays once the stack rests.
    board.update(stack("dev-acme", "recovered", { detail: "lock, pending" }));
    board.update(stack("dev-acme", "skipped"));
    assert.equal(lastFrame(writes), "dev-acme  skipped            4s  lock, pending\n");
  });

  it("keeps the health gate's verdict in a column of its own once a gate ran, after the stack succeeded too", () => {
    const { board, writes, tick } = fixture(120);
    board.update(stack("dev-acme", "started", { wave: 0 }));
    board.update(stack("dev-beta", "started", { wave: 0 }));
    board.update(step("dev-acme", "update", "kubernetes:apps/v1:Deployment", "api"));
    tick(2_000);
    board.update(stack("dev-acme", "health-check"));
    assert.equal(
      lastFrame(writes),
      "canary  dev-acme  health-check       2s  checking  1 resource step\ncanary  dev-beta  started            2s\n",
    );
    board.update(stack("dev-acme", "healthy", { detail: "3 workloads ready" }));
    board.update(stack("dev-acme", "succeeded"));
    board.update(stack("dev-beta", "health-check"));
    board.update(stack("dev-beta", "unhealthy", { detail: "not ready after 120000 ms: Deployment/api (0/1 ready, 1 updated)" }));
    board.update(stack("dev-beta", "failed", { detail: 'Stack "dev-beta" failed its health gate' }));
    assert.equal(
      lastFrame(writes),
      "canary  dev-acme  succeeded          2s  healthy    3 workloads ready\n" +
        'canary  dev-beta  failed             2s  unhealthy  Stack "dev-beta" failed its health gate\n',
    );
  });

  it("shows a cancelled stack as cancelled, its clock stopped, and a skipped rollback as such", () => {
    const { board, writes, tick } = fixture();
    board.update(stack("dev-acme", "started"));
    tick(3_000);
    board.update(stack("dev-acme", "cancelled"));
    board.update(stack("dev-new", "rollback-skipped", { detail: "no earlier deployment to return to" }));
    tick(5_000);
    board.close();
    assert.equal(
      lastFrame(writes),
      "dev-acme  cancelled          3s\ndev-new   rollback-skipped   0s  no earlier deployment to return to\n",
    );
  });

  it("cuts rows to the terminal's width", () => {
    const { board, writes } = fixture(20);
    board.update(stack("dev-a-very-long-tenant-name", "started"));
    assert.equal(writes[0], "dev-a-very-long-ten\n");
  });
});
