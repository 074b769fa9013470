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

describe("the CLI's progress board", () => {
  it("draws one row per stack and redraws them in place as their statuses change", () => {
    const { board, writes, tick } = fixture();
    board.update(stack("dev-acme", "started", { wave: 0 }));
    tick(12_000);
    board.update(stack("dev-acme", "health-check"));
    board.update(stack("dev-shared", "started", { wave: 1 }));
    tick(3_000);
    board.update(stack("dev-acme", "healthy"));
    tick(5_000);
    board.close();
    assert.deepEqual(writes, [
      "canary  dev-acme  started           0s\n",
      "\x1b[1F\x1b[Jcanary  dev-acme  health-check     12s\n",
      "\x1b[1F\x1b[Jcanary  dev-acme    health-check     12s\nwave 1  dev-shared  started           0s\n",
      "\x1b[2F\x1b[Jcanary  dev-acme    healthy          15s\nwave 1  dev-shared  started           3s\n",
      // Closing draws the last frame: the healthy stack's clock stopped, the other's ran on.
      "\x1b[2F\x1b[Jcanary  dev-acme    healthy          15s\nwave 1  dev-shared  started           8s\n",
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
      "dev-acme  failed            0s  up of stack failed:\n",
      "\x1b[1F\x1b[Jcancelling\ndev-acme  failed            0s  up of stack failed:\n",
      "\x1b[1F\x1b[Jdev-acme  failed            0s  up of stack failed:\n",
      "done\n",
    ]);
  });

  it("cuts rows to the terminal's width", () => {
    const { board, writes } = fixture(20);
    board.update(stack("dev-a-very-long-tenant-name", "started"));
    assert.equal(writes[0], "dev-a-very-long-ten\n");
  });
});
