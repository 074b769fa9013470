/** What migration and gc operations work with, and running one journaled stack job among their steps. */
import type { SqlDatabase } from "../db/sqlDatabase";
import { fromWire } from "../errors";
import type { OperationJournal } from "../journal/journal";
import type { KubeApi } from "./data/kubeDrain";
import { jobTarget, type StackJob, type StackJobResult } from "../operations/stackJob";
import { reportedStep, type StackRunner, type StepScope } from "../operations/stackRunner";
import { MigrationRecords } from "../registry/migrationRecords";
import { TenantRegistry } from "../registry/registry";
import type { FleetStack } from "../registry/tenant";
import type { MigrationConfig } from "./config";

/** The driver's parts a migration uses. */
export interface MigrationContext {
  readonly db: SqlDatabase;
  readonly registry: TenantRegistry;
  readonly records: MigrationRecords;
  readonly journal: OperationJournal;
  readonly runner: StackRunner;
  /** A cluster's API (the drain, the data Jobs); undefined when the cluster has no kubeconfig. */
  readonly kube: (cluster: string) => KubeApi | undefined;
  /** The driver's clusters. */
  readonly clusters: readonly string[];
  readonly config: MigrationConfig;
}

/** Runs `work` with a registry and migration records in one transaction. */
export function inTransaction<T>(
  context: MigrationContext,
  work: (registry: TenantRegistry, records: MigrationRecords) => Promise<T>,
): Promise<T> {
  return context.db.transaction((tx) => work(new TenantRegistry(tx), new MigrationRecords(tx)));
}

/** A stack of the fleet as the registry has it now (settings included). */
export async function currentStack(context: MigrationContext, name: string): Promise<FleetStack | undefined> {
  return (await context.registry.stacks()).find((s) => s.name === name);
}

/** Where a stack job of a migration or gc reports. */
export type JobScope = StepScope;

/**
 * Runs `job` as journaled step `step` (skipped once done), streaming stack events; throws the job's
 * typed error when it fails.
 */
export async function runStackStep(
  context: MigrationContext,
  scope: JobScope,
  step: string,
  job: StackJob,
): Promise<StackJobResult | undefined> {
  const outcome = await reportedStep(context.runner, scope, step, job, step);
  if (outcome.status === "failed") throw fromWire(outcome.error);
  return outcome.result;
}

/** Brings stack `name` up to its registered settings as step `step`. */
export async function upStack(context: MigrationContext, scope: JobScope, step: string, name: string): Promise<void> {
  const stack = await currentStack(context, name);
  if (!stack) throw new Error(`stack ${name} is not in the fleet`);
  await runStackStep(context, scope, step, { kind: "up", ...jobTarget(stack), settings: stack.settings });
}
