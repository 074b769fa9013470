/**
 * The `gc` operation: removes the copies migrations left behind once nothing needs them — a switched
 * migration's source copy after its grace period (and only when its verify step is done), a rolled-back
 * migration's target copy at once. The data is removed only while it carries that migration's mark; a
 * dedicated stack is then destroyed with its protection lifted (`allowVolumeReplacement`) and its data
 * volume claims deleted, a shared stack updated without the tenant.
 */
import { randomUUID } from "node:crypto";
import { GcOptionsSchema } from "../../schema/operations";
import { InputError, toWire, type WireError } from "../errors";
import { parseInput } from "../input";
import type { DriverEvent, OperationOptions } from "../operations/events";
import { jobTarget } from "../operations/stackJob";
import { placementOf, type TenantMigration } from "../registry/migrationRecords";
import { namespaceOf, stackOf } from "../registry/tenant";
import { NO_DATA_PLANE } from "./config";
import type { KubeApi } from "./data/kubeDrain";
import { operationSteps } from "./data/steps";
import { type JobScope, type MigrationContext, currentStack, runStackStep, upStack } from "./context";
import { migrationIdOf } from "./migrate";
import { type RemovedCopy, removeCopy } from "./spareCopy";

/** Options of gc. */
export interface GcOptions extends OperationOptions {
  /**
   * The time grace periods are compared with.
   * @default - now
   */
  readonly now?: Date;
}

/** What gc did with one migration's spare copy. */
export interface GcRemoval {
  /** The migration's operation id. */
  readonly migration: string;
  readonly tenant: string;
  /** Which copy: the source of a switched migration, the target of a rolled-back one. */
  readonly copy: "source" | "target";
  /** The stack that held it. */
  readonly stack: string;
  readonly status: "removed" | "failed";
  /**
   * The data removed.
   * @default - none (failed before)
   */
  readonly data?: RemovedCopy;
  /** Whether the (dedicated) stack was destroyed. */
  readonly destroyed: boolean;
  /**
   * Why it failed.
   * @default - none
   */
  readonly error?: WireError;
}

/** The result of gc. */
export interface GcResult {
  readonly operationId: string;
  readonly kind: "gc";
  readonly status: "succeeded" | "failed";
  readonly resumed: boolean;
  readonly removals: readonly GcRemoval[];
  /** Spare copies still in their grace period. */
  readonly waiting: readonly { readonly migration: string; readonly tenant: string; readonly removeAfter: string }[];
}

/** Whether a migration's spare copy may go now. */
function due(migration: TenantMigration, now: Date): boolean {
  if (migration.phase === "failed") return true;
  return migration.phase === "switched" && migration.removeAfter !== undefined && new Date(migration.removeAfter) <= now;
}

/** Removes one migration's spare copy: its data (checked by its mark), then its dedicated stack or its place in the shared stack. */
async function removeSpare(context: MigrationContext, scope: JobScope, migration: TenantMigration): Promise<GcRemoval> {
  const tenant = await context.registry.show(migration.tenant);
  const spare = placementOf(migration)!.spare;
  const stack = stackOf({ ...tenant, ...spare });
  const copy = migration.phase === "switched" ? "source" : "target";
  let data: RemovedCopy | undefined;
  let destroyed = false;
  try {
    if (copy === "source") {
      const verify = await operationSteps(context.journal, migration.operationId).get("verify");
      if (verify?.status !== "done") throw new Error(`migration ${migration.operationId} has no done verify step: its source copy is kept`);
    }
    const fleetStack = (await currentStack(context, stack))!;
    data = await removeCopy(
      await context.config.dataPlane!.endpoints(fleetStack, context),
      tenant.name,
      migrationIdOf(migration.operationId),
    );
    const step = (what: string) => `${stack}:${what}:${migration.operationId}`;
    if (spare.plan === "dedicated") {
      const settings = fleetStack.settings as unknown as Record<string, Record<string, unknown>>;
      const unprotected = {
        ...settings,
        postgres: { ...settings.postgres, allowVolumeReplacement: true },
        redis: { ...settings.redis, allowVolumeReplacement: true },
      };
      await runStackStep(context, scope, step("unprotect"), { kind: "up", ...jobTarget(fleetStack), settings: unprotected as never });
      await runStackStep(context, scope, step("destroy"), { kind: "destroy", ...jobTarget(fleetStack) });
      destroyed = true;
      const kube = context.kube(spare.cluster);
      if (kube) await removeDataVolumes(kube, namespaceOf(fleetStack));
      await context.records.setPhase(migration.operationId, "removed");
    } else {
      await context.records.setPhase(migration.operationId, "removed");
      await upStack(context, scope, step("leave"), stack);
    }
    return { migration: migration.operationId, tenant: tenant.name, copy, stack, status: "removed", data, destroyed };
  } catch (error) {
    return { migration: migration.operationId, tenant: tenant.name, copy, stack, status: "failed", data, destroyed, error: toWire(error) };
  }
}

/** The data stores whose volumes a destroyed spare stack leaves behind (its StatefulSets retain their claims). */
const DATA_STORES = ["postgres", "redis", "ollama"];

/**
 * Deletes the data volume claims of the stack destroyed in `namespace` and waits until they are gone:
 * its StatefulSets retain them, and a stack made again in that namespace (the tenant migrated there
 * once more) would otherwise start on the old volumes, whose servers' passwords are no longer the
 * stack's. The backup volume is kept.
 */
async function removeDataVolumes(kube: KubeApi, namespace: string, timeoutMs = 120_000): Promise<void> {
  const selector = encodeURIComponent(`app.kubernetes.io/part-of=tenantstack,app.kubernetes.io/component in (${DATA_STORES.join(",")})`);
  const claims = `/api/v1/namespaces/${encodeURIComponent(namespace)}/persistentvolumeclaims`;
  const left = async () => (await kube.request<{ items: unknown[] }>("GET", `${claims}?labelSelector=${selector}`)).items.length;
  if ((await left()) === 0) return;
  await kube.request("DELETE", `${claims}?labelSelector=${selector}`);
  for (const start = Date.now(); (await left()) > 0;) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`the data volume claims of namespace ${namespace} were not deleted within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Runs gc; see the module's description. A re-run of the operation id skips its finished stack steps. */
export async function gc(context: MigrationContext, options: GcOptions): Promise<GcResult> {
  parseInput(GcOptionsSchema, options, "gc options");
  if (!context.config.dataPlane) throw new InputError("gc", [NO_DATA_PLANE]);
  const operationId = options.operationId ?? randomUUID();
  const now = options.now ?? new Date();
  const emit = (event: DriverEvent) => options.onEvent?.(event);
  const { resumed } = await context.journal.begin(operationId, "gc", { now: now.toISOString() });
  emit({ type: "operation", operationId, kind: "gc", status: resumed ? "resumed" : "started" });
  const spare = (await context.records.list()).filter((m) => placementOf(m) !== undefined);
  const removals: GcRemoval[] = [];
  for (const migration of spare.filter((m) => due(m, now)))
    removals.push(await removeSpare(context, { operationId, emit, signal: options.signal }, migration));
  const waiting = spare
    .filter((m) => !due(m, now) && m.phase === "switched")
    .map((m) => ({ migration: m.operationId, tenant: m.tenant, removeAfter: m.removeAfter ?? "after its migration finishes" }));
  const status = removals.some((r) => r.status === "failed") ? "failed" : "succeeded";
  const result: GcResult = { operationId, kind: "gc", status, resumed, removals, waiting };
  await context.journal.finish(operationId, status, result);
  emit({ type: "operation", operationId, kind: "gc", status });
  return result;
}
