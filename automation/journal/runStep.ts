/**
 * How a journaled step moves through the journal, for every operation: started (its attempt numbered),
 * then done or failed, a done one never run again. {@link runJournaledStep} is the one runner; a step's
 * detail follows its kind ({@link StepDetail}): a stack step's is its result or its error's wire form
 * ({@link resultDetail}), a resumable step's (a migration's, in each of the step journals of
 * `stepJournals.ts`) its progress, saved as it goes ({@link runStep}).
 */
import { toWire } from "../errors";
import { redact } from "../redact";
import type { OperationJournal } from "./journal";
import { OperationStepJournal } from "./stepJournals";
import { type Checkpoint, progress, progressOf, type StepJournal, type StepRecord } from "./steps";

/** What a step's record holds as its detail in each state, and what a step done before gives back. */
export interface StepDetail<T> {
  /** The detail of a step entering `running`, from its record (undefined when it never started). */
  running(record: StepRecord | undefined): unknown;
  /** The detail of a step done with `result`. */
  done(result: T): unknown;
  /** The detail of a step that failed with `error`. */
  failed(error: unknown): unknown;
  /**
   * The detail of a step whose work resolved a failure rather than throwing one (an upgrade's health
   * gate), undefined for a success.
   * @default - every result is a success
   */
  failure?(result: T): unknown;
  /** The result of a step done by an earlier run, from its record. */
  resultOf(record: StepRecord): T;
}

/** How {@link runJournaledStep} runs a step. */
export interface RunStepOptions<S extends string> {
  /**
   * A done step runs again, as a new attempt (a stack's recovery, needed again whenever its step is
   * interrupted again).
   * @default false: a done step is skipped
   */
  readonly again?: boolean;
  /**
   * The error a `skipped` step (closed without finishing: a migration's steps once rolled back) is
   * refused with.
   * @default - a skipped step runs
   */
  readonly closed?: (step: S) => Error;
}

/** What {@link runJournaledStep} did: ran the step now, or found it done by an earlier run. */
export interface StepRun<T> {
  /** Whether the step ran now (false: an earlier run did it). */
  readonly ran: boolean;
  /** What it produced. */
  readonly result: T;
}

/**
 * Runs `step` once, recorded in `journal`: a `done` step is skipped (its result read from its record)
 * unless `again`, a `skipped` one refused with the error `closed` makes of it; otherwise the step is
 * recorded `running` with its attempt's number (one more than the record's: an attempt killed while
 * `running` counts too), `work` is given the record from before and that number, and the step is
 * recorded `done` with what it produced, or `failed` with its error (then rethrown) or with the
 * failure it resolved, each detail as `detail` writes it.
 */
export async function runJournaledStep<S extends string, T>(
  journal: StepJournal<S>,
  step: S,
  work: (record: StepRecord | undefined, attempt: number) => Promise<T>,
  detail: StepDetail<T>,
  options: RunStepOptions<S> = {},
): Promise<StepRun<T>> {
  const record = await journal.get(step);
  if (record?.status === "done" && !options.again) return { ran: false, result: detail.resultOf(record) };
  if (record?.status === "skipped" && options.closed) throw options.closed(step);
  const attempt = (record?.attempts ?? 0) + 1;
  await journal.record(step, "running", detail.running(record), attempt);
  try {
    const result = await work(record, attempt);
    const failure = detail.failure?.(result);
    await journal.record(step, failure === undefined ? "done" : "failed", failure ?? detail.done(result), attempt);
    return { ran: true, result };
  } catch (error) {
    await journal.record(step, "failed", detail.failed(error), attempt);
    throw error;
  }
}

/**
 * The detail of a step that is not resumed from a checkpoint (a stack's job, a registration): what it
 * produced once done, its error's wire form (redacted) once failed; while it runs, the last attempt's.
 */
export function resultDetail<T>(): StepDetail<T> {
  return {
    running: (record) => record?.detail,
    done: (result) => result,
    failed: (error) => toWire(error),
    resultOf: (record) => record.detail as T,
  };
}

/**
 * What a resumable step does: given its checkpoint from an earlier attempt, a way to save progress
 * (durable once resolved: record there what the step is about to change, before changing it) and the
 * number of this attempt, it does its work (idempotently) and resolves the checkpoint to keep.
 */
export type StepHandler = (
  previous: Checkpoint | undefined,
  save: (checkpoint: Checkpoint) => Promise<void>,
  attempt: number,
) => Promise<Checkpoint>;

/**
 * Runs the resumable step `step` once ({@link runJournaledStep}): a `done` step is skipped (its
 * checkpoint returned), a `skipped` one refused with the error `closed` makes of it. Its detail is its
 * progress: the checkpoint of the earlier attempt while it starts, each one it saves, the one it
 * resolves once done; once failed, its last saved checkpoint and its redacted error's message.
 */
export async function runStep<S extends string>(
  journal: StepJournal<S>,
  step: S,
  handler: StepHandler,
  closed: (step: S) => Error,
): Promise<Checkpoint> {
  let latest: Checkpoint | undefined;
  const { result } = await runJournaledStep(
    journal,
    step,
    (record, attempt) => {
      const previous = progressOf(record).checkpoint;
      latest = previous;
      const save = async (checkpoint: Checkpoint) => {
        latest = checkpoint;
        await journal.record(step, "running", progress(checkpoint), attempt);
      };
      return handler(previous, save, attempt);
    },
    {
      running: (record) => progress(progressOf(record).checkpoint),
      done: (checkpoint) => progress(checkpoint),
      failed: (error) => progress(latest, redact(error instanceof Error ? error.message : String(error))),
      resultOf: (record) => progressOf(record).checkpoint ?? {},
    },
    { closed },
  );
  return result;
}

/**
 * Runs step `step` of operation `operationId`, kept in the operation journal, with a result for its
 * detail ({@link runJournaledStep}, {@link resultDetail}): a stack's job, a registration, a stack's upgrade.
 */
export function runOperationStep<T>(
  journal: OperationJournal,
  operationId: string,
  step: string,
  work: (record: StepRecord | undefined, attempt: number) => Promise<T>,
  options: RunStepOptions<string> = {},
): Promise<StepRun<T>> {
  return runJournaledStep(new OperationStepJournal(journal, operationId), step, work, resultDetail<T>(), options);
}
