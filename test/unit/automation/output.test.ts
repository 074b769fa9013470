import * as assert from "node:assert/strict";
import { progressLine } from "../../../automation/cli/output";
import { ProtectedResourcesError, toWire } from "../../../automation/errors";
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

describe("the CLI's progress line of a failed stack", () => {
  it("words its error as the CLI does, naming the flag, not the API's field", () => {
    const error = toWire(new ProtectedResourcesError("dev-acme", ["postgres"]));
    const event = { type: "stack", operationId: "op", stack: "dev-acme", status: "failed", detail: error.message, error } as DriverEvent;
    assert.equal(
      progressLine(event),
      'dev-acme: failed — Stack "dev-acme" holds protected data (postgres); nothing was destroyed. Back the data up, then destroy with `--force-destroy-data`.',
    );
  });
});
