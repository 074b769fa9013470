import * as assert from "node:assert/strict";
import { progressLine } from "../../../automation/cli/output";
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
