/**
 * The one model of a journaled step, for every operation: a step has a state, counts its attempts and
 * keeps a detail. A stack step's detail is its result or its error's wire form; a resumable step's (a
 * migration's) is its {@link StepProgress}: the checkpoint it resumes from and its last failure. Where
 * an operation's steps are kept is a {@link StepJournal} (`stepJournals.ts`); how every step moves
 * from state to state, through the one runner, is `runStep.ts`.
 */

/**
 * States of a step; a step absent from the journal has not started. `running`: started and not
 * finished (interrupted if nobody runs it); `failed`: its last attempt failed, a re-run tries again;
 * `skipped`: closed without finishing, never run again (a migration's steps once rolled back).
 */
export type StepStatus = "running" | "done" | "failed" | "skipped";

/** A journaled step. */
export interface StepRecord {
  /** Its name, unique within its operation, such as `dev-acme:up`. */
  readonly step: string;
  /** Its state. */
  readonly status: StepStatus;
  /**
   * What it produced or why it failed.
   * @default - none
   */
  readonly detail?: unknown;
  /** How many times it was started. */
  readonly attempts: number;
  /** When it last changed (ISO 8601). */
  readonly updatedAt: string;
}

/** A JSON value a resumable step keeps between attempts (its progress, or what it must undo). */
export type Checkpoint = { readonly [key: string]: unknown };

/** The detail of a resumable step. */
export interface StepProgress {
  /**
   * The step's progress or undo data, kept across attempts.
   * @default - none
   */
  readonly checkpoint?: Checkpoint;
  /**
   * The last failure's message (credentials redacted).
   * @default - none
   */
  readonly error?: string;
}

/**
 * The progress a resumable step's record holds: its detail's `checkpoint` and `error` (nothing for a
 * step never started). A detail written before the one step model holds them too, beside copies of the
 * record's status and attempt, which are not read.
 */
export function progressOf(record: StepRecord | undefined): StepProgress {
  const { checkpoint, error } = (typeof record?.detail === "object" && record.detail !== null ? record.detail : {}) as StepProgress;
  return progress(checkpoint, error);
}

/** A resumable step's detail, with only the parts it has. */
export function progress(checkpoint: Checkpoint | undefined, error?: string): StepProgress {
  return { ...(checkpoint !== undefined ? { checkpoint } : {}), ...(error !== undefined ? { error } : {}) };
}

/**
 * The steps of one operation, wherever they are kept: the driver's operation journal (SQLite or
 * PostgreSQL), a JSON file or memory (`stepJournals.ts`).
 */
export interface StepJournal<S extends string = string> {
  /** The record of `step`, or undefined when it never started. */
  get(step: S): Promise<StepRecord | undefined>;
  /**
   * Records where `step` stands in its attempt numbered `attempt` (1 for its first start), `detail`
   * replacing the step's detail; durable once the promise resolves.
   */
  record(step: S, status: StepStatus, detail: unknown, attempt: number): Promise<void>;
}
