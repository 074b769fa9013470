import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import * as path from "node:path";
import type { StepName, StepRecord } from "./steps";

/**
 * Where a migration records its steps. The driver backs it with its operation journal (SQLite or
 * PostgreSQL); {@link MemoryJournal} and {@link FileJournal} serve tests and the local runner.
 * One journal holds one migration.
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
