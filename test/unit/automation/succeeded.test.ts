/** `assertSucceeded`: a result that did not succeed becomes an error listing what failed; one that did is returned. */
import * as assert from "node:assert/strict";
import { EXIT, exitCodeOf } from "../../../automation/cli/exitCodes";
import type { OperationResult } from "../../../automation/driver";
import { fromWire, messageOn, OperationFailedError, toWire } from "../../../automation/errors";
import type { FleetUpgradeResult } from "../../../automation/fleet/upgrade";
import type { MigrationResult } from "../../../automation/migration/migrate";
import { assertSucceeded } from "../../../automation/succeeded";

const error = (message: string) => ({ name: "StackOperationError", code: "operation_failed", retryable: false, args: [], message });

/** What `assertSucceeded` throws for `result`. */
function thrown(result: Parameters<typeof assertSucceeded>[0]): OperationFailedError {
  try {
    assertSucceeded(result);
  } catch (e) {
    assert.ok(e instanceof OperationFailedError);
    return e;
  }
  assert.fail("no error");
}

describe("assertSucceeded", () => {
  it("returns a result that succeeded, and a migration's dry run (planned)", () => {
    const up: OperationResult = { operationId: "op", kind: "up", status: "succeeded", resumed: false, stacks: [] };
    assert.equal(assertSucceeded(up), up);
    const plan = { operationId: "op", kind: "migrate", status: "planned" } as MigrationResult;
    assert.equal(assertSucceeded(plan), plan);
  });

  it("throws for stacks that failed, naming each with its error, the result attached", () => {
    const result: OperationResult = {
      operationId: "op-1",
      kind: "up",
      status: "failed",
      resumed: false,
      stacks: [
        { stack: "dev-a", status: "succeeded" },
        { stack: "dev-b", status: "failed", error: error('up of stack "dev-b" failed:\nthe engine said no') },
        { stack: "dev-c", status: "untouched" },
      ],
    };
    const e = thrown(result);
    assert.equal(e.code, "operation_unsuccessful");
    assert.equal(exitCodeOf(e), EXIT.failed);
    assert.deepEqual(e.failures, ['dev-b: failed: up of stack "dev-b" failed:\n    the engine said no']);
    assert.equal(e.result, result);
    assert.equal(
      e.message,
      'Operation op-1 (up) failed (1 failure):\n  - dev-b: failed: up of stack "dev-b" failed:\n    the engine said no\n' +
        "Each error is in the operation's result (this error's `result`, or `GET /operations/op-1`); fix the cause, then resume it " +
        'with a re-run with `operationId` "op-1" (HTTP: `POST /operations/op-1/resume`): finished steps are not run again.',
    );
    assert.match(
      messageOn(e, "cli"),
      /\nEach error is in the operation's result \(`tenantstack operation show op-1`\); fix the cause, then resume it with `tenantstack operation resume op-1`: finished/,
    );
    const back = fromWire(JSON.parse(JSON.stringify(toWire(e))));
    assert.ok(back instanceof OperationFailedError);
    assert.equal(back.message, e.message);
  });

  it("throws for a fleet upgrade's failed and rolled-back stacks, and a migration rolled back, at most 20 lines of each error", () => {
    const upgrade: FleetUpgradeResult = {
      operationId: "op-2",
      status: "failed",
      version: "2.0.0",
      resumed: false,
      failedStack: "dev-b",
      waves: [
        [{ stack: "dev-a", status: "upgraded", version: "2.0.0" }],
        [{ stack: "dev-b", status: "rolled-back", version: "1.0.0", error: error('Stack "dev-b" failed its health gate: not ready') }],
        [{ stack: "dev-c", status: "untouched", version: "1.0.0" }],
      ],
    };
    assert.deepEqual(thrown(upgrade).failures, ['dev-b: rolled-back: Stack "dev-b" failed its health gate: not ready']);
    assert.equal(thrown(upgrade).kind, "fleet-upgrade");
    const migration: MigrationResult = {
      operationId: "op-3",
      kind: "migrate",
      status: "rolled-back",
      resumed: false,
      tenant: "acme",
      from: "shared",
      to: "dedicated",
      stacks: { source: "dev-shared", target: "dev-acme" },
      steps: [],
      error: error("The target's copy differs from the source (1 differences):\n  - rows"),
    };
    assert.deepEqual(thrown(migration).failures, [
      "acme shared -> dedicated: rolled-back: The target's copy differs from the source (1 differences):\n      - rows",
    ]);
    const long = Array.from({ length: 25 }, (_, i) => `line ${i + 1}`).join("\n");
    const [failure] = thrown({
      operationId: "op-4",
      kind: "refresh",
      status: "failed",
      resumed: false,
      stacks: [{ stack: "dev-a", status: "failed", error: error(long) }],
    }).failures;
    assert.equal(failure.split("\n").length, 21);
    assert.match(failure, /^dev-a: failed: line 1\n {4}line 2\n[\s\S]*\n {4}line 20\n {4}\.\.\. 5 more lines in the result$/);
  });
});
