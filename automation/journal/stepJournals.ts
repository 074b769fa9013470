/**
 * Where an operation's steps are kept ({@link StepJournal}): the driver's operation journal (SQLite or
 * PostgreSQL), a JSON file (a migration's data step run alone, as in its in-cluster Job) or memory.
 */
import { mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../atomicFile";
import type { OperationJournal } from "./journal";
import { type Checkpoint, progress, type StepJournal, type StepRecord, type StepStatus } from "./steps";

/**
 * The steps of operation `operationId` in the operation journal, each named `<prefix><step>` there
 * (a migration's `drain` is `migrate:drain`); the records it returns carry the name without the prefix.
 */
export class OperationStepJournal<S extends string = string> implements StepJournal<S> {
  constructor(
    private readonly journal: OperationJournal,
    private readonly operationId: string,
    /** What the journal's names of these steps start with. */
    private readonly prefix = "",
  ) {}

  async get(step: S): Promise<StepRecord | undefined> {
    const record = await this.journal.step(this.operationId, `${this.prefix}${step}`);
    return record && { ...record, step };
  }

  async record(step: S, status: StepStatus, detail: unknown, attempt: number): Promise<void> {
    await this.journal.recordStep(this.operationId, `${this.prefix}${step}`, status, detail, attempt);
  }
}

/** Steps in memory, each detail a JSON copy as a database or a file would keep it: lost with the process. */
export class MemoryJournal<S extends string = string> implements StepJournal<S> {
  private readonly records = new Map<S, StepRecord>();

  async get(step: S): Promise<StepRecord | undefined> {
    return this.records.get(step);
  }

  async record(step: S, status: StepStatus, detail: unknown, attempt: number): Promise<void> {
    this.records.set(step, stepRecord(step, status, detail === undefined ? undefined : JSON.parse(JSON.stringify(detail)), attempt));
  }
}

/**
 * Steps in one JSON file, `{ "<step>": <StepRecord>, ... }`, replaced atomically on every change
 * (`atomicFile.ts`): a killed process leaves the previous or the new version, never a torn one. One
 * writer at a time. A file written before the one step model (each step as `{ status, attempt,
 * checkpoint, error, updatedAt }`, a rolled-back one `rolledBack`) is read as the same records
 * ({@link fromFileEntry}) and rewritten in the model's form on its next change.
 */
export class FileJournal<S extends string = string> implements StepJournal<S> {
  constructor(
    /** Path of the JSON file; created with its directory on the first write. */
    readonly file: string,
  ) {}

  async get(step: S): Promise<StepRecord | undefined> {
    return this.read()[step];
  }

  async record(step: S, status: StepStatus, detail: unknown, attempt: number): Promise<void> {
    const records = { ...this.read(), [step]: stepRecord(step, status, detail, attempt) };
    mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileAtomic(this.file, `${JSON.stringify(records, null, 2)}\n`);
  }

  private read(): Record<string, StepRecord> {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw error;
    }
    const entries = JSON.parse(text) as Record<string, Record<string, unknown>>;
    return Object.fromEntries(Object.entries(entries).map(([step, entry]) => [step, fromFileEntry(step, entry)]));
  }
}

/** A record as a journal writes it now. */
function stepRecord(step: string, status: StepStatus, detail: unknown, attempt: number): StepRecord {
  return { step, status, ...(detail !== undefined ? { detail } : {}), attempts: attempt, updatedAt: new Date().toISOString() };
}

/**
 * A step of a journal file, in the model's form (`attempts` set) or in the form a migration's step
 * journal wrote before it: `{ status, attempt?, checkpoint?, error?, updatedAt }`, whose `rolledBack`
 * is now `skipped`, `attempt` (1 when absent) `attempts`, and checkpoint and error the detail.
 */
export function fromFileEntry(step: string, entry: Record<string, unknown>): StepRecord {
  if (typeof entry.attempts === "number") return { ...(entry as unknown as StepRecord), step };
  const { status, attempt, checkpoint, error, updatedAt } = entry;
  return {
    step,
    status: status === "rolledBack" ? "skipped" : (status as StepStatus),
    detail: progress(checkpoint as Checkpoint | undefined, error as string | undefined),
    attempts: typeof attempt === "number" ? attempt : 1,
    updatedAt: updatedAt as string,
  };
}
