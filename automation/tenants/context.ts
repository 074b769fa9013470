/** What the operations of a tenant's lifecycle (update, delete) work with, and how they report. */
import type { SqlDatabase } from "../db/sqlDatabase";
import type { OperationJournal } from "../journal/journal";
import type { DriverEvent, OperationOptions } from "../operations/events";
import type { StackOutcome, StackRunner } from "../operations/stackRunner";
import type { MigrationRecords } from "../registry/migrationRecords";
import type { TenantRegistry } from "../registry/registry";

/** The driver's parts a tenant's update or deletion uses. */
export interface TenantContext {
  readonly db: SqlDatabase;
  readonly registry: TenantRegistry;
  readonly records: MigrationRecords;
  readonly journal: OperationJournal;
  readonly runner: StackRunner;
  /** How many resources each stack holds in the backend (`WorkspaceFactory.resourceCounts`): a live stack holds some. */
  readonly resourceCounts: () => Promise<ReadonlyMap<string, number>>;
}

/** How an operation on a tenant ended. */
export type TenantOperationStatus = "succeeded" | "failed" | "cancelled";

/** The status of an operation whose stack steps ended with `outcomes`. */
export function statusOf(outcomes: readonly StackOutcome[], options: OperationOptions): TenantOperationStatus {
  if (options.signal?.aborted) return "cancelled";
  return outcomes.some((o) => o.status === "failed") ? "failed" : "succeeded";
}

/** The progress events of an operation on a tenant, to `options.onEvent`. */
export function emitterOf(options: OperationOptions): (event: DriverEvent) => void {
  return (event) => options.onEvent?.(event);
}

/**
 * A re-run of operation `operationId` whose registry step `step` is done (its change of the registry
 * is stored, with its result, in the same transaction): its parameters are checked as any re-run's
 * (`journal.begin`), and the first run's result is reported again, as resumed. Undefined when the
 * journal holds no such operation, which then runs as usual.
 */
export async function finishedRerun<R extends object>(
  context: TenantContext,
  options: OperationOptions,
  kind: string,
  params: Record<string, unknown>,
  step: string,
): Promise<R | undefined> {
  const { operationId } = options;
  if (operationId === undefined) return undefined;
  const recorded = await context.journal.get(operationId);
  if (recorded?.kind !== kind || (await context.journal.step(operationId, step))?.status !== "done") return undefined;
  await context.journal.begin(operationId, kind, params);
  const emit = emitterOf(options);
  emit({ type: "operation", operationId, kind, status: "resumed" });
  const result = { ...(recorded.result as R), resumed: true };
  await context.journal.finish(operationId, "succeeded", result);
  emit({ type: "operation", operationId, kind, status: "succeeded" });
  return result;
}
