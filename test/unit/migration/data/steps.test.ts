/** A migration's steps are resumable steps of the operation journal (`migrate:<step>`), run through the one runner. */
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { openDatabase, type SqlDatabase } from "../../../../automation/db/sqlDatabase";
import { OperationJournal } from "../../../../automation/journal/journal";
import { MigrationStateError } from "../../../../automation/migration/data/errors";
import { operationSteps, runMigrationStep } from "../../../../automation/migration/data/steps";

describe("a migration's steps in the operation journal", () => {
  let dir: string;
  let db: SqlDatabase;
  let journal: OperationJournal;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "tenantstack-steps-"));
    db = await openDatabase(path.join(dir, "db.sqlite"));
    journal = new OperationJournal(db);
    await journal.begin("move-acme", "migrate", {});
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("count every run of a data step: three killed while running, then the one that finished", async () => {
    const steps = operationSteps(journal, "move-acme");
    // A kill leaves the step `running`: the handler never returns.
    const killed = () => runMigrationStep(steps, "copyPostgres", () => new Promise(() => undefined));
    for (let kill = 0; kill < 3; kill++) {
      void killed();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await runMigrationStep(steps, "copyPostgres", async (_previous, _save, attempt) => ({ attempt }));
    await runMigrationStep(steps, "copyPostgres", async () => assert.fail("a done step runs again"));
    assert.deepEqual(
      (await journal.steps("move-acme")).map((s) => [s.step, s.status, s.attempts, s.detail]),
      [["migrate:copyPostgres", "done", 4, { checkpoint: { attempt: 4 } }]],
    );
  });

  it("refuses a rolled-back step with a MigrationStateError saying to start a new migration", async () => {
    const steps = operationSteps(journal, "move-acme");
    await runMigrationStep(steps, "drain", async () => ({ replicas: { worker: 2 } }));
    await steps.record("drain", "skipped", { checkpoint: { replicas: { worker: 2 } } }, 1);
    await assert.rejects(
      runMigrationStep(steps, "drain", async () => assert.fail("a rolled-back step runs again")),
      (error: unknown) =>
        error instanceof MigrationStateError &&
        error.message === "Step drain was rolled back; start a new migration (with a new id) to try again.",
    );
    assert.deepEqual(
      (await journal.steps("move-acme")).map((s) => [s.step, s.status, s.attempts]),
      [["migrate:drain", "skipped", 1]],
    );
  });
});
