/** The steps of a tenant migration's data layer, in order, and what the journal records of each. */

/** The steps, in the order they run. */
export const STEPS = ["drain", "copyPostgres", "copyRedis", "verify", "switch", "undrain", "markForRemoval"] as const;

/** A step of a migration. */
export type StepName = (typeof STEPS)[number];

/**
 * What a step has come to: `running` (started, not finished: interrupted if nobody runs it),
 * `done`, `failed` (its last attempt failed; a rerun tries again) or `rolledBack`.
 */
export type StepStatus = "running" | "done" | "failed" | "rolledBack";

/** A JSON value a step keeps between attempts (its progress, or what it must undo). */
export type Checkpoint = { readonly [key: string]: unknown };

/** The journal's record of one step. */
export interface StepRecord {
  /** Where the step stands. */
  readonly status: StepStatus;
  /**
   * Which start of the step wrote the record: 1 for the first, one more for each later start,
   * whether the one before finished, failed or was killed while `running`.
   * @default 1 (a record written before attempts were numbered)
   */
  readonly attempt?: number;
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
  /** When the record was written (ISO 8601). */
  readonly updatedAt: string;
}

/** What each step does, for plans and logs. */
export const STEP_DESCRIPTIONS: Readonly<Record<StepName, string>> = {
  drain: "stop the tenant's writes on the source (maintenance flag, workers scaled to 0)",
  copyPostgres: "copy the tenant's database with its roles and grants (pg_dump, pg_restore into a staging database, rename)",
  copyRedis: "copy the tenant's keys with their TTLs (SCAN, DUMP, RESTORE)",
  verify: "compare row counts and checksums of every table, sequences, large objects and grants; key counts, values and TTLs",
  switch: "route the tenant's host to the target stack",
  undrain: "let the tenant write again",
  markForRemoval: "mark the source copy for removal after the grace period",
};

/** Whether `step` comes after the routing switch, past which a rollback is a migration back. */
export function afterSwitch(step: StepName): boolean {
  return STEPS.indexOf(step) >= STEPS.indexOf("switch");
}

/** Where a migration writes its progress lines (credentials never appear in them). */
export type Log = (message: string) => void;
