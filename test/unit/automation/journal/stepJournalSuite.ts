/**
 * The contract of a step journal, run against each store: memory and a JSON file here
 * (`stepJournals.test.ts`), the operation journal on SQLite and on a real PostgreSQL server through
 * the database contract (`../databaseSuite.ts`). Steps run through the one runner (`runStep`).
 */
import * as assert from "node:assert/strict";
import { runStep, type StepHandler } from "../../../../automation/journal/runStep";
import type { StepJournal } from "../../../../automation/journal/steps";

class ClosedStepError extends Error {}
const closed = (step: string) => new ClosedStepError(`${step} is closed`);
const run = (journal: StepJournal, step: string, handler: StepHandler) => runStep(journal, step, handler, closed);
const stateOf = async (journal: StepJournal, step: string) => {
  const record = await journal.get(step);
  return record && [record.step, record.status, record.attempts, record.detail];
};

/** Defines the contract tests; `open` gives a fresh, empty step journal for each test. */
export function stepJournalContract(open: () => Promise<StepJournal>): void {
  let journal: StepJournal;
  beforeEach(async () => {
    journal = await open();
  });

  it("has no record of a step never started", async () => {
    assert.equal(await journal.get("copy"), undefined);
  });

  it("records a step running, then done with its checkpoint, and never runs a done step again", async () => {
    let calls = 0;
    const seen: unknown[] = [];
    const handler: StepHandler = async () => {
      seen.push(await stateOf(journal, "copy"));
      return { n: ++calls };
    };
    assert.deepEqual(await run(journal, "copy", handler), { n: 1 });
    assert.deepEqual(await run(journal, "copy", handler), { n: 1 }, "the done step's checkpoint");
    assert.equal(calls, 1);
    assert.deepEqual(seen, [["copy", "running", 1, {}]]);
    assert.deepEqual(await stateOf(journal, "copy"), ["copy", "done", 1, { checkpoint: { n: 1 } }]);
  });

  it("keeps the last saved checkpoint and the redacted error of a failure, and hands the checkpoint to the re-run", async () => {
    await assert.rejects(
      run(journal, "copy", async (_previous, save) => {
        await save({ cursor: "42" });
        throw new Error("lost redis://:pw@host");
      }),
      /lost redis:\/\/:pw@host/,
    );
    assert.deepEqual(await stateOf(journal, "copy"), [
      "copy",
      "failed",
      1,
      { checkpoint: { cursor: "42" }, error: "lost redis://:***@host" },
    ]);
    assert.deepEqual(await run(journal, "copy", async (previous, _save, attempt) => ({ resumedFrom: previous?.cursor, attempt })), {
      resumedFrom: "42",
      attempt: 2,
    });
  });

  it("numbers every start: one killed while running, one that failed, the one that finished; a save starts nothing", async () => {
    const attempts: number[] = [];
    // A kill leaves the step `running`: the handler never returns.
    void run(journal, "copy", async (_previous, save) => {
      await save({ dump: "a" });
      return new Promise(() => undefined);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(await stateOf(journal, "copy"), ["copy", "running", 1, { checkpoint: { dump: "a" } }]);
    await assert.rejects(
      run(journal, "copy", async (_previous, _save, attempt) => {
        attempts.push(attempt);
        throw new Error("connection refused");
      }),
    );
    await run(journal, "copy", async (previous, save, attempt) => {
      attempts.push(attempt);
      await save({ ...previous, saved: attempt });
      await save({ ...previous, saved: attempt, again: true });
      assert.deepEqual(await stateOf(journal, "copy"), ["copy", "running", 3, { checkpoint: { dump: "a", saved: 3, again: true } }]);
      return { dump: "a" };
    });
    await run(journal, "copy", async (_previous, _save, attempt) => {
      attempts.push(attempt);
      return {};
    });
    assert.deepEqual(attempts, [2, 3], "a done step is not started again");
    assert.deepEqual(await stateOf(journal, "copy"), ["copy", "done", 3, { checkpoint: { dump: "a" } }]);
  });

  it("refuses a skipped step with the caller's error, and runs nothing", async () => {
    await run(journal, "drain", async () => ({ replicas: 2 }));
    await journal.record("drain", "skipped", { checkpoint: { replicas: 2 } }, 1);
    await assert.rejects(
      run(journal, "drain", async () => assert.fail("a skipped step runs")),
      (error: unknown) => error instanceof ClosedStepError && error.message === "drain is closed",
    );
    assert.deepEqual(await stateOf(journal, "drain"), ["drain", "skipped", 1, { checkpoint: { replicas: 2 } }]);
  });

  it("keeps each step's record apart", async () => {
    await run(journal, "one", async () => ({ a: 1 }));
    await assert.rejects(run(journal, "two", async () => Promise.reject(new Error("no"))));
    assert.deepEqual(
      [await stateOf(journal, "one"), await stateOf(journal, "two")],
      [
        ["one", "done", 1, { checkpoint: { a: 1 } }],
        ["two", "failed", 1, { error: "no" }],
      ],
    );
  });
}
