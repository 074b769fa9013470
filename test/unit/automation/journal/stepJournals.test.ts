/**
 * The step journals in memory and in a JSON file keep the step journal contract (the operation
 * journal's keeps it in `../databaseSuite.ts`); a file keeps its steps across processes and reads the
 * form a migration's step journal wrote before the one step model.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runStep } from "../../../../automation/journal/runStep";
import { FileJournal, fromFileEntry, MemoryJournal } from "../../../../automation/journal/stepJournals";
import { stepJournalContract } from "./stepJournalSuite";

describe("step journals", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tenantstack-steps-"));
  let n = 0;
  after(() => rmSync(dir, { recursive: true, force: true }));
  const closed = (step: string) => new Error(`${step} is closed`);

  describe("in memory", () => stepJournalContract(async () => new MemoryJournal()));

  describe("in a JSON file", () => {
    stepJournalContract(async () => new FileJournal(path.join(dir, `contract-${n++}`, "journal.json")));

    it("keeps its steps for a new reader (a new process), as records keyed by step, and leaves no temporary file", async () => {
      const file = path.join(dir, "reopen", "journal.json");
      await assert.rejects(
        runStep(
          new FileJournal(file),
          "copyRedis",
          async (_previous, save) => {
            await save({ cursor: "42" });
            throw new Error("lost");
          },
          closed,
        ),
      );
      const stored = JSON.parse(readFileSync(file, "utf8"));
      assert.deepEqual(Object.keys(stored), ["copyRedis"]);
      assert.deepEqual(
        [stored.copyRedis.step, stored.copyRedis.status, stored.copyRedis.attempts, stored.copyRedis.detail],
        ["copyRedis", "failed", 1, { checkpoint: { cursor: "42" }, error: "lost" }],
      );
      assert.deepEqual(readdirSync(path.dirname(file)), ["journal.json"]);
      const resumed = await runStep(
        new FileJournal(file),
        "copyRedis",
        async (previous, _save, attempt) => ({ ...previous, attempt }),
        closed,
      );
      assert.deepEqual(resumed, { cursor: "42", attempt: 2 });
    });

    it("reads a journal written before the one step model, resumes from it, and rewrites it in the model's form", async () => {
      const file = path.join(dir, "old.json");
      // As the migration's FileJournal wrote it: a record per step, `attempt` (absent before attempts were numbered), `rolledBack`.
      const old = {
        drain: { status: "done", attempt: 1, checkpoint: { replicas: { worker: 2 } }, updatedAt: "2026-11-30T10:00:00.000Z" },
        copyPostgres: {
          status: "failed",
          attempt: 2,
          checkpoint: { dump: "tenant_acme.attempt-2.77.dump" },
          error: "pg_dump failed (exit code 1): connection refused",
          updatedAt: "2026-11-30T10:01:00.000Z",
        },
        copyRedis: { status: "running", updatedAt: "2026-11-30T10:02:00.000Z" },
        verify: { status: "rolledBack", attempt: 1, updatedAt: "2026-11-30T10:03:00.000Z" },
      };
      writeFileSync(file, `${JSON.stringify(old, null, 2)}\n`);
      const journal = new FileJournal(file);
      assert.deepEqual(await journal.get("copyPostgres"), {
        step: "copyPostgres",
        status: "failed",
        detail: { checkpoint: { dump: "tenant_acme.attempt-2.77.dump" }, error: "pg_dump failed (exit code 1): connection refused" },
        attempts: 2,
        updatedAt: "2026-11-30T10:01:00.000Z",
      });
      assert.deepEqual(await journal.get("copyRedis"), {
        step: "copyRedis",
        status: "running",
        detail: {},
        attempts: 1,
        updatedAt: "2026-11-30T10:02:00.000Z",
      });
      assert.equal((await journal.get("verify"))?.status, "skipped");

      assert.deepEqual(await runStep(journal, "drain", async () => assert.fail("a done step runs again"), closed), {
        replicas: { worker: 2 },
      });
      await assert.rejects(
        runStep(journal, "verify", async () => ({}), closed),
        /verify is closed/,
      );
      const resumed = await runStep(journal, "copyPostgres", async (previous, _save, attempt) => ({ ...previous, attempt }), closed);
      assert.deepEqual(resumed, { dump: "tenant_acme.attempt-2.77.dump", attempt: 3 });

      const rewritten = JSON.parse(readFileSync(file, "utf8"));
      assert.deepEqual(
        Object.entries(rewritten).map(([step, r]) => [step, (r as { status: string }).status, (r as { attempts: number }).attempts]),
        [
          ["drain", "done", 1],
          ["copyPostgres", "done", 3],
          ["copyRedis", "running", 1],
          ["verify", "skipped", 1],
        ],
      );
      assert.deepEqual(rewritten.drain.detail, { checkpoint: { replicas: { worker: 2 } } });
      assert.deepEqual(fromFileEntry("drain", rewritten.drain), rewritten.drain, "the model's form is read as it is");
    });
  });
});
