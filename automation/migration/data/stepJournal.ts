/**
 * The one model of a migration's step journal: {@link StepJournal} and its three stores, the
 * driver's operation journal ({@link OperationStepJournal}), memory and a JSON file (tests, the
 * local runner and the data Jobs).
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import * as path from "node:path";
import type { OperationJournal } from "../../journal/journal";
import type { StepName, StepRecord } from "./steps";

/**
 * Where a migration records its steps. The driver backs it with its operation journal (SQLite or
 * PostgreSQL, {@link OperationStepJournal}); {@link MemoryJournal} and {@link FileJournal} serve
 * tests and the local runner. One journal holds one migration.
 */
export interface StepJournal {
  /** The record of `step`, or undefined when it never started. */
  get(step: StepName): Promise<StepRecord | undefined>;
  /** Replaces the record of `step`; durable when the promise resolves. */
  set(step: StepName, record: StepRecord): Promise<void>;
}

/** A journal in memory: lost with the process. */
export class MemoryJournal implements StepJournal {
  private readonly records = new Map<StepName, StepRecord>();

  async get(step: StepName): Promise<StepRecord | undefined> {
    return this.records.get(step);
  }

  async set(step: StepName, record: StepRecord): Promise<void> {
    this.records.set(step, record);
  }
}

/**
 * A journal in one JSON file, replaced atomically (write then rename) on every change, so a
 * killed process leaves the previous or the new version, never a torn one. One writer at a time.
 */
export class FileJournal implements StepJournal {
  constructor(
    /** Path of the JSON file; created with its directory on the first write. */
    readonly file: string,
  ) {}

  async get(step: StepName): Promise<StepRecord | undefined> {
    return (await this.read())[step];
  }

  async set(step: StepName, record: StepRecord): Promise<void> {
    const records = { ...(await this.read()), [step]: record };
    await mkdir(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(records, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, this.file);
  }

  private async read(): Promise<Partial<Record<StepName, StepRecord>>> {
    try {
      return JSON.parse(await readFile(this.file, "utf8")) as Partial<Record<StepName, StepRecord>>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw error;
    }
  }
}

/** The operation-journal step holding a migration step: `migrate:<step>`. */
export function journalStep(step: StepName): string {
  return `migrate:${step}`;
}

/**
 * A migration's steps as steps `migrate:<step>` of its operation, each with the data layer's record
 * as its detail (a rolled-back step shows as `skipped`) and the record's attempt as the step's attempts.
 */
export class OperationStepJournal implements StepJournal {
  constructor(
    private readonly journal: OperationJournal,
    private readonly operationId: string,
  ) {}

  async get(step: StepName): Promise<StepRecord | undefined> {
    return (await this.journal.step(this.operationId, journalStep(step)))?.detail as StepRecord | undefined;
  }

  async set(step: StepName, record: StepRecord): Promise<void> {
    const status = record.status === "rolledBack" ? "skipped" : record.status;
    await this.journal.recordStep(this.operationId, journalStep(step), status, record, record.attempt);
  }
}
