/**
 * The step journals in memory and in a JSON file keep the step journal contract (the operation
 * journal's keeps it in `../databaseSuite.ts`); a file keeps its steps across processes and reads the
 * form a migration's step journal wrote before the one step model.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { StackLockedError, toWire, type WireError } from "../../../../automation/errors";
import { resultDetail, runJournaledStep, runStep } from "../../../../automation/journal/runStep";
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

  describe("the one step runner, for a step with a result (a stack's job, a registration)", () => {
    it("records a failure with its error's wire form, rethrown; a re-run is the next attempt, its result the detail; a done step is skipped", async () => {
      const journal = new MemoryJournal();
      const lock = new StackLockedError("dev-acme", "operation op-1");
      await assert.rejects(
        runJournaledStep(journal, "dev-acme:up", async () => Promise.reject(lock), resultDetail()),
        (error) => error === lock,
      );
      const failed = await journal.get("dev-acme:up");
      assert.deepEqual([failed?.status, failed?.attempts], ["failed", 1]);
      assert.deepEqual(failed?.detail, JSON.parse(JSON.stringify(toWire(lock))));
      assert.equal((failed?.detail as WireError).code, "stack_locked");

      const seen: unknown[] = [];
      const run = await runJournaledStep(
        journal,
        "dev-acme:up",
        async (record, attempt) => {
          seen.push(record?.status, (record?.detail as WireError | undefined)?.name, attempt);
          // While it runs, its record keeps the last attempt's detail.
          const running = await journal.get("dev-acme:up");
          seen.push(running?.status, (running?.detail as WireError | undefined)?.name);
          return { changes: 2 };
        },
        resultDetail<{ changes: number }>(),
      );
      assert.deepEqual(seen, ["failed", "StackLockedError", 2, "running", "StackLockedError"]);
      assert.deepEqual(run, { ran: true, result: { changes: 2 } });
      assert.deepEqual(await journal.get("dev-acme:up").then((r) => [r?.status, r?.attempts, r?.detail]), ["done", 2, { changes: 2 }]);
      assert.deepEqual(await runJournaledStep(journal, "dev-acme:up", async () => assert.fail("a done step runs again"), resultDetail()), {
        ran: false,
        result: { changes: 2 },
      });
    });

    it("runs a done step again with `again` (a stack's recovery), as a new attempt", async () => {
      const journal = new MemoryJournal();
      const recover = (found: string) =>
        runJournaledStep(journal, "dev-acme:up:recover", async (_record, attempt) => ({ found, attempt }), resultDetail(), { again: true });
      assert.deepEqual(await recover("a lock"), { ran: true, result: { found: "a lock", attempt: 1 } });
      assert.deepEqual(await recover("nothing"), { ran: true, result: { found: "nothing", attempt: 2 } });
      assert.deepEqual(await journal.get("dev-acme:up:recover").then((r) => [r?.status, r?.attempts, r?.detail]), [
        "done",
        2,
        { found: "nothing", attempt: 2 },
      ]);
    });

    it("records a failure the work resolves (an upgrade's health gate) as failed with its detail, not thrown", async () => {
      const journal = new MemoryJournal();
      const gate = { name: "HealthGateError", code: "health_gate_failed", message: "not ready", retryable: false, args: [] };
      const detail = { ...resultDetail<{ failure?: WireError }>(), failure: (result: { failure?: WireError }) => result.failure };
      assert.deepEqual(await runJournaledStep(journal, "dev-acme:upgrade", async () => ({ failure: gate }), detail), {
        ran: true,
        result: { failure: gate },
      });
      assert.deepEqual(await journal.get("dev-acme:upgrade").then((r) => [r?.status, r?.attempts, r?.detail]), ["failed", 1, gate]);
      await runJournaledStep(journal, "dev-acme:upgrade", async () => ({}), detail);
      assert.deepEqual(await journal.get("dev-acme:upgrade").then((r) => [r?.status, r?.attempts, r?.detail]), ["done", 2, {}]);
    });
  });
});
