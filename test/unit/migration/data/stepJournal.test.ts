import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { openDatabase } from "../../../../automation/db/sqlDatabase";
import { OperationJournal } from "../../../../automation/journal/journal";
import { runJournaled } from "../../../../automation/migration/data/journaled";
import { OperationStepJournal } from "../../../../automation/migration/data/stepJournal";

describe("a migration's steps in the operation journal", () => {
  it("count every run of a data step: three killed while running, then the one that finished", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "tenantstack-steps-"));
    const db = await openDatabase(path.join(dir, "db.sqlite"));
    try {
      const journal = new OperationJournal(db);
      await journal.begin("move-acme", "migrate", {});
      const steps = new OperationStepJournal(journal, "move-acme");
      // A kill leaves the step `running`: the handler never returns.
      const killed = () => runJournaled(steps, "copyPostgres", () => new Promise(() => undefined));
      for (let kill = 0; kill < 3; kill++) {
        void killed();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await runJournaled(steps, "copyPostgres", async (_previous, _save, attempt) => ({ attempt }));
      await runJournaled(steps, "copyPostgres", async () => assert.fail("a done step runs again"));
      assert.deepEqual(
        (await journal.steps("move-acme")).map((s) => [s.step, s.status, s.attempts, (s.detail as { checkpoint: unknown }).checkpoint]),
        [["migrate:copyPostgres", "done", 4, { attempt: 4 }]],
      );
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
