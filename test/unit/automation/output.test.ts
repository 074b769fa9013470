import * as assert from "node:assert/strict";
import { progressLine, upgradeSummary } from "../../../automation/cli/output";
import type { DriverEvent } from "../../../automation/operations/events";

const migration = (step: string, status: string, detail?: string) =>
  ({ type: "migration", operationId: "op", step, status, ...(detail ? { detail } : {}) }) as DriverEvent;

describe("the CLI's progress lines", () => {
  it("name the migration step a progress line belongs to, and a step's status with its first line of detail", () => {
    assert.deepEqual(
      [
        migration("copyPostgres", "started"),
        migration("copyPostgres", "log", "dumping tenant_acme from the source"),
        migration("copyPostgres", "failed", "pg_dump exited 1\nsecond line"),
        migration("drain", "skipped"),
      ].map(progressLine),
      [
        "migrate copyPostgres: started",
        "migrate copyPostgres: dumping tenant_acme from the source",
        "migrate copyPostgres: failed — pg_dump exited 1",
        "migrate drain: skipped",
      ],
    );
  });
});

describe("the CLI's fleet upgrade summary", () => {
  it("says when a failed stack was not rolled back for want of an earlier deployment", () => {
    const error = { name: "StackOperationError", args: [], message: 'up of stack "dev-new" failed:\nthe image is broken' };
    const summary = upgradeSummary({
      operationId: "op",
      status: "failed",
      version: "2.0.0",
      resumed: false,
      failedStack: "dev-new",
      waves: [[{ stack: "dev-new", status: "failed", version: "1.0.0", error, rollback: { status: "skipped", detail: "none" } }]],
    });
    assert.equal(
      summary,
      "fleet upgrade to 2.0.0 failed (operation op)\n" +
        '  wave 0 (canary): dev-new failed (up of stack "dev-new" failed:) (not rolled back: no deployment before this upgrade)\n' +
        "  stopped at dev-new; later waves untouched",
    );
  });
});
