/**
 * The steps of a tenant migration's data layer, in order, and how they run in the journal: as
 * resumable steps of the one step model (`journal/steps.ts`, `journal/runStep.ts`), in the driver's
 * operation journal as steps `migrate:<step>` of the migration's operation.
 */
import type { OperationJournal } from "../../journal/journal";
import { runStep, type StepHandler } from "../../journal/runStep";
import { OperationStepJournal } from "../../journal/stepJournals";
import type { Checkpoint, StepJournal } from "../../journal/steps";
import { MigrationStateError } from "./errors";

/** The steps, in the order they run. */
export const STEPS = ["drain", "copyPostgres", "copyRedis", "verify", "switch", "undrain", "markForRemoval"] as const;

/** A step of a migration. */
export type StepName = (typeof STEPS)[number];

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

/** The steps of migration operation `operationId` in the operation journal: `migrate:<step>`. */
export function operationSteps(journal: OperationJournal, operationId: string): StepJournal<StepName> {
  return new OperationStepJournal<StepName>(journal, operationId, "migrate:");
}

/**
 * Runs migration step `step` once, recorded in `journal` ({@link runStep}: a done step is skipped, its
 * checkpoint returned); a rolled-back step is refused with a MigrationStateError.
 */
export function runMigrationStep(journal: StepJournal<StepName>, step: StepName, handler: StepHandler): Promise<Checkpoint> {
  return runStep(
    journal,
    step,
    handler,
    () => new MigrationStateError(`Step ${step} was rolled back; start a new migration (with a new id) to try again.`),
  );
}
