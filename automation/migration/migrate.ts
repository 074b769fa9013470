/**
 * The `migrate` operation: moves a tenant between the shared stack of its environment and a
 * dedicated stack of its own. Every input is checked before anything is touched; then the target
 * stack is provisioned (the tenant's copy not routed) and the data layer's steps run, journaled as
 * steps of the operation: drain, copy Postgres, copy Redis, verify, switch routing (the registry
 * records the new plan), undrain, mark the source copy for removal. A re-run of the operation id
 * resumes it; a failure that a re-run cannot fix rolls it back before the switch.
 */
import { createHash, randomUUID } from "node:crypto";
import { unknownCluster } from "../clusters";
import { bySurface, DataServerError, InputError, resumeAdvice, toWire, type WireError } from "../errors";
import { dataServerProblems } from "./data/serverCheck";
import { MigrationError } from "./data/errors";
import { KubernetesDrain } from "./data/kubeDrain";
import { DEFAULT_REMOVAL_GRACE_MS, Migration } from "./data/dataMigration";
import { planMigration, type MigrationPlan } from "./data/plan";
import { parseMigrationSettings } from "./data/settings";
import { afterSwitch, operationSteps, STEPS } from "./data/steps";
import type { DriverEvent, OperationOptions } from "../operations/events";
import { ACTIVE_PHASES, inFlight, type MigrationSide, placementOf, type TenantMigration } from "../registry/migrationRecords";
import { sharedPeer } from "../registry/registry";
import { MigrateOptionsSchema } from "../../schema/operations";
import { parseInput } from "../input";
import { checkStack, fleetStacks, namespaceOf, PLANS, stackOf, type Tenant } from "../registry/tenant";
import { type MigrationDataPlane, NO_DATA_PLANE } from "./config";
import { type MigrationContext, currentStack, inTransaction } from "./context";
import { DriverMigrationStacks } from "./driverStacks";
import { jobDataSteps, urlSecretName } from "./jobDataSteps";

/** Options of a migration. */
export interface MigrateOptions extends OperationOptions {
  /** The tenant moved. */
  readonly tenant: string;
  /**
   * The plan it moves to: `dedicated` (a stack of its own) or `shared` (its environment's shared stack).
   * @default - with `rollback`, the plan it came from
   */
  readonly to?: string;
  /**
   * The cluster of the target, one of the driver's `workspace.clusters`; with it, `to` may be the
   * tenant's plan (a move to another cluster on the same plan).
   * @default - the tenant's cluster
   */
  readonly cluster?: string;
  /**
   * Settings of a dedicated target stack (or of a shared stack the tenant is the first of).
   * @default - the tenant's settings without `namespace`
   */
  readonly settings?: Record<string, unknown>;
  /**
   * Only plan: the steps, the stacks touched and the data sizes; nothing is changed.
   * @default false
   */
  readonly dryRun?: boolean;
  /**
   * Move the tenant back to where its last switched migration took it from, while that migration's
   * source copy is kept (before `gc` removed it).
   * @default false
   */
  readonly rollback?: boolean;
}

/** The result of a migration. */
export interface MigrationResult {
  readonly operationId: string;
  readonly kind: "migrate";
  /**
   * `planned` (a dry run), `succeeded`, `rolled-back` (a failure a re-run cannot fix, before the
   * switch: the source serves, the target copy is marked failed), `failed` (re-run the operation id
   * to resume) or `cancelled`.
   */
  readonly status: "planned" | "succeeded" | "rolled-back" | "failed" | "cancelled";
  /** Whether this run resumed an earlier one. */
  readonly resumed: boolean;
  readonly tenant: string;
  /** The plans moved from and to. */
  readonly from: string;
  readonly to: string;
  /** The stacks touched: the source and the target. */
  readonly stacks: { readonly source: string; readonly target: string };
  /** The journal's steps of the operation, with their attempts. */
  readonly steps: readonly { readonly step: string; readonly status: string; readonly attempts: number }[];
  /**
   * When `gc` may remove the source copy (ISO 8601).
   * @default - not yet marked
   */
  readonly removeAfter?: string;
  /**
   * The dry run's plan.
   * @default - not a dry run
   */
  readonly plan?: MigrationPlan;
  /**
   * Why it failed or was rolled back.
   * @default - none
   */
  readonly error?: WireError;
}

/** A migration checked and ready to run. */
interface Prepared {
  readonly operationId: string;
  readonly migration: Omit<TenantMigration, "phase" | "removeAfter">;
  /** Whether the records hold it already (a re-run). */
  readonly recorded: boolean;
  /** The switched migration a rollback moves back from. */
  readonly supersedes?: string;
  readonly sourceStack: string;
  readonly targetStack: string;
  readonly dataPlane: MigrationDataPlane;
}

/** The data layer's migration id of an operation: the id itself when it is a DNS label, else a digest of it. */
export function migrationIdOf(operationId: string): string {
  return /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(operationId)
    ? operationId
    : `op-${createHash("sha256").update(operationId).digest("hex").slice(0, 20)}`;
}

export { namespaceOf } from "../registry/tenant";

/** A tenant's settings for a stack of its own: those of its current stack without its namespace. */
function ownSettings(tenant: Tenant): Record<string, unknown> {
  return Object.fromEntries(Object.entries(tenant.settings).filter(([key]) => key !== "namespace"));
}

/** The target side of a new migration of `tenant` to `to`, or the problems with the request. */
async function targetSide(context: MigrationContext, tenant: Tenant, to: Tenant["plan"], options: MigrateOptions): Promise<MigrationSide> {
  const problems: string[] = [];
  const unknown = options.cluster !== undefined && unknownCluster(context.clusters, options.cluster);
  if (unknown) problems.push(unknown);
  const cluster = options.cluster ?? tenant.cluster;
  const peer = to === "shared" ? sharedPeer(await context.registry.list(), { environment: tenant.environment, cluster }) : undefined;
  let side: MigrationSide = { plan: to, cluster, settings: options.settings ?? ownSettings(tenant) };
  if (peer) {
    const stack = `the shared stack of ${peer.environment} on ${peer.cluster}`;
    if (options.settings !== undefined)
      problems.push(`\`settings\` must be omitted: tenant "${tenant.name}" joins ${stack} with its settings`);
    if (peer.version !== tenant.version)
      problems.push(`the tenant's version "${tenant.version}" must be that of ${stack} ("${peer.version}"): upgrade one first`);
    side = { plan: to, cluster, settings: peer.settings };
  }
  if (problems.length > 0) throw new InputError("migration", problems);
  return side;
}

/** Checks a migration request against the registry, the records and the driver's settings; touches nothing. */
async function prepare(context: MigrationContext, options: MigrateOptions, operationId: string): Promise<Prepared> {
  const records = await context.records.list();
  const recorded = records.find((m) => m.operationId === operationId);
  if (recorded && recorded.tenant !== options.tenant)
    throw new InputError("migration", [`\`operationId\` "${operationId}" migrates tenant "${recorded.tenant}" (got "${options.tenant}")`]);
  if (recorded && !ACTIVE_PHASES.includes(recorded.phase) && recorded.phase !== "switched")
    throw new InputError("migration", [
      `\`operationId\` "${operationId}" is a migration that ended ${recorded.phase}: start a new one with a new id`,
    ]);
  const tenant = await context.registry.show(options.tenant);
  let migration = recorded;
  let supersedes: string | undefined;
  if (!migration) {
    const pending = records.filter((m) => m.tenant === tenant.name && placementOf(m) !== undefined);
    const active = pending.find(inFlight);
    if (active)
      throw new InputError("migration", [
        bySurface`tenant "${tenant.name}" is mid-migration (operation "${active.operationId}", ${active.phase}): resume it with ${resumeAdvice(active.operationId)}`,
      ]);
    let target: MigrationSide;
    if (options.rollback) {
      const switched = pending.find((m) => m.phase === "switched");
      if (!switched)
        throw new InputError("migration", [
          `\`rollback\` needs a switched migration of tenant "${tenant.name}" whose source copy is kept; there is none (gc may have removed it)`,
        ]);
      if (options.to !== undefined && options.to !== switched.source.plan)
        throw new InputError("migration", [`\`to\` must be "${switched.source.plan}" for a rollback, or omitted (got "${options.to}")`]);
      supersedes = switched.operationId;
      target = switched.source;
    } else {
      if (!PLANS.includes(options.to as Tenant["plan"]))
        throw new InputError("migration", [
          `\`to\` must be one of ${PLANS.map((p) => `"${p}"`).join(", ")} (got ${JSON.stringify(options.to)})`,
        ]);
      if (options.to === tenant.plan && (options.cluster ?? tenant.cluster) === tenant.cluster)
        throw new InputError("migration", [
          `\`to\` must differ from the plan of tenant "${tenant.name}", or \`cluster\` from its cluster: it is ${tenant.plan} on "${tenant.cluster}" already`,
        ]);
      if (pending.length > 0)
        throw new InputError("migration", [
          bySurface`tenant "${tenant.name}" still has the spare copy of migration "${pending[0].operationId}" (${pending[0].phase}): run ${{
            cli: "`tenantstack gc`",
            api: "a `gc` operation",
          }} once its grace period is over, or ${{
            cli: `\`tenantstack migrate ${tenant.name} --rollback\``,
            api: "a `migrate` with `rollback: true`",
          }}`,
        ]);
      target = await targetSide(context, tenant, options.to as Tenant["plan"], options);
    }
    migration = {
      operationId,
      tenant: tenant.name,
      phase: "copying",
      source: { plan: tenant.plan, cluster: tenant.cluster, settings: tenant.settings },
      target,
    };
    // Both stacks, before and after the switch, must pass the program's schema.
    const tenants = await context.registry.list();
    const others = (await context.records.placements()).filter((p) => p.tenant !== tenant.name);
    const before = fleetStacks(tenants, [...others, placementOf(migration)!]);
    const after = fleetStacks(
      tenants.map((t) => (t.name === tenant.name ? { ...t, ...target } : t)),
      [...others, placementOf({ ...migration, phase: "switched" })!],
    );
    for (const stack of [...before, ...after].filter((s) => s.tenants.includes(tenant.name))) checkStack(stack);
  }
  const dataPlane = context.config.dataPlane;
  const problems = [
    ...(dataPlane ? [] : [NO_DATA_PLANE]),
    ...(context.kube(migration.source.cluster)
      ? []
      : [
          bySurface`the driver has no kubeconfig of cluster "${migration.source.cluster}" (${{
            cli: "`--kubeconfig` or `--clusters`",
            api: "`workspace.clusters`",
          }}): the drain needs its API`,
        ]),
  ];
  if (problems.length > 0) throw new InputError("migration", problems);
  const sourceStack = stackOf({ ...tenant, ...migration.source });
  const targetStack = stackOf({ ...tenant, ...migration.target });
  return { operationId, migration, recorded: recorded !== undefined, supersedes, sourceStack, targetStack, dataPlane: dataPlane! };
}

/** Runs (or plans) a migration; see the module's description. */
export async function migrate(context: MigrationContext, options: MigrateOptions): Promise<MigrationResult> {
  parseInput(MigrateOptionsSchema, options, "migration options");
  const operationId = options.operationId ?? randomUUID();
  const prepared = await prepare(context, options, operationId);
  const { migration, sourceStack, targetStack } = prepared;
  const emit = (event: DriverEvent) => options.onEvent?.(event);
  const migrationId = migrationIdOf(operationId);
  const journal = operationSteps(context.journal, operationId);
  const base = {
    operationId,
    kind: "migrate" as const,
    tenant: migration.tenant,
    from: migration.source.plan,
    to: migration.target.plan,
    stacks: { source: sourceStack, target: targetStack },
  };
  const source = await currentStack(context, sourceStack);
  // The drain and the data Jobs run on the source's cluster, where the data is.
  const sourceKube = context.kube(migration.source.cluster)!;
  if (options.dryRun) {
    // The target stack may not exist yet: its servers are those it will have once provisioned.
    const target = fleetStacks(await context.registry.list(), [placementOf({ ...migration, phase: "copying" })!]).find(
      (s) => s.name === targetStack,
    )!;
    const settings = parseMigrationSettings({
      id: migrationId,
      tenant: migration.tenant,
      source: await prepared.dataPlane.endpoints(source!, context),
      target: await prepared.dataPlane.endpoints(target, context),
    });
    // Every server answers, the source holding the tenant's database, or the plan stops with what to fix.
    const unusable = await dataServerProblems(settings, { sourceStack, targetStack });
    if (unusable.length > 0) throw new DataServerError(unusable);
    const plan = await planMigration(settings, journal, { sourceStack, targetStack });
    const result: MigrationResult = { ...base, status: "planned", resumed: prepared.recorded, steps: [], plan };
    // A plan of a new migration is journaled as its own operation (the HTTP API serves it from there).
    if (!(await context.journal.get(operationId))) {
      await context.journal.begin(operationId, "migrate-plan", { tenant: migration.tenant, to: migration.target.plan });
      emit({ type: "operation", operationId, kind: "migrate-plan", status: "started" });
      await context.journal.finish(operationId, "succeeded", result);
    }
    return result;
  }

  const params = {
    tenant: migration.tenant,
    to: migration.target.plan,
    cluster: migration.target.cluster,
    rollback: options.rollback === true,
  };
  const { resumed } = await context.journal.begin(operationId, "migrate", params);
  if (!prepared.recorded) {
    await inTransaction(context, async (_registry, records) => {
      const clash = (await records.list()).find((m) => m.tenant === migration.tenant && inFlight(m));
      if (clash) throw new InputError("migration", [`tenant "${migration.tenant}" is mid-migration (operation "${clash.operationId}")`]);
      if (prepared.supersedes) await records.setPhase(prepared.supersedes, "rolled-back");
      await records.insert(migration);
    });
  }
  emit({ type: "operation", operationId, kind: "migrate", status: resumed ? "resumed" : "started" });
  const scope = { operationId, emit, signal: options.signal };
  const stepEvent = (step: string, status: "started" | "skipped" | "done" | "failed" | "log", detail?: string) =>
    emit({ type: "migration", operationId, step, status, ...(detail ? { detail } : {}) });
  // Progress lines belong to the step running; the data layer prefixes its own with the step's name.
  let current: string = STEPS[0];
  const logLine = (line: string) => stepEvent(current, "log", line.startsWith(`${current}: `) ? line.slice(current.length + 2) : line);

  let status: MigrationResult["status"] = "succeeded";
  let failure: unknown;
  try {
    const sourceNow = (await currentStack(context, sourceStack))!;
    const stacks = new DriverMigrationStacks(context, scope, {
      operationId,
      migrationId,
      sourceStack,
      targetStack,
      source: await prepared.dataPlane.endpoints(sourceNow, context),
    });
    // Before the target's servers are looked up: a data plane may find them only once they run.
    await stacks.provisionTarget();
    const settings = parseMigrationSettings({
      id: migrationId,
      tenant: migration.tenant,
      source: await prepared.dataPlane.endpoints(sourceNow, context),
      target: await prepared.dataPlane.endpoints((await currentStack(context, targetStack))!, context),
    });
    const jobs = context.config.jobs;
    const run = new Migration({
      settings,
      ...(jobs ? { dataSteps: jobDataSteps(sourceKube, jobs, settings) } : {}),
      journal,
      drain: new KubernetesDrain(sourceKube, {
        namespace: namespaceOf(sourceNow),
        scaleToZero: migration.source.plan === "dedicated" ? ["worker"] : [],
        timeoutMs: context.config.drainTimeoutMs,
      }),
      stacks,
      removalGraceMs: context.config.removalGraceMs ?? DEFAULT_REMOVAL_GRACE_MS,
      log: logLine,
    });
    for (const step of STEPS) {
      if (options.signal?.aborted) {
        status = "cancelled";
        break;
      }
      if ((await journal.get(step))?.status === "done") {
        stepEvent(step, "skipped");
        continue;
      }
      stepEvent(step, "started");
      current = step;
      try {
        await run.runStep(step);
      } catch (error) {
        stepEvent(step, "failed", (error as Error).message);
        // A failure a re-run cannot fix, before the switch: the source keeps serving.
        if (error instanceof MigrationError && !error.retryable && !afterSwitch(step)) {
          await run.rollback((error as Error).message);
          status = "rolled-back";
        } else status = "failed";
        failure = error;
        break;
      }
      stepEvent(step, "done");
    }
  } catch (error) {
    status = "failed";
    failure = error;
  }
  const jobs = context.config.jobs;
  if (jobs && status !== "failed" && status !== "cancelled")
    await sourceKube.request("DELETE", `/api/v1/namespaces/${jobs.namespace}/secrets/${urlSecretName(migrationId)}`).catch(() => undefined);
  const record = await context.records.get(operationId);
  const result: MigrationResult = {
    ...base,
    status,
    resumed,
    steps: (await context.journal.steps(operationId)).map((s) => ({ step: s.step, status: s.status, attempts: s.attempts })),
    ...(record?.removeAfter ? { removeAfter: record.removeAfter } : {}),
    ...(failure !== undefined ? { error: toWire(failure) } : {}),
  };
  await context.journal.finish(operationId, status === "succeeded" ? "succeeded" : status === "cancelled" ? "cancelled" : "failed", result);
  emit({ type: "operation", operationId, kind: "migrate", status: status === "succeeded" || status === "cancelled" ? status : "failed" });
  return result;
}
