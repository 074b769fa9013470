/**
 * The driver a provisioning service embeds: the tenant registry, and the operations on the fleet's
 * stacks (provision, preview, up, refresh, destroy, outputs, recover, fleet upgrade), each journaled,
 * streaming progress events and returning a structured result. Stack operations run in worker
 * processes through an {@link Executor}.
 */
import { randomUUID } from "node:crypto";
import * as path from "node:path";
import type { ClusterKubeconfigs } from "./clusters";
import { DestroyOptionsSchema, OperationOptionsSchema } from "../schema/operations";
import { openDatabase, type SqlDatabase } from "./db/sqlDatabase";
import { checkDriverOptions } from "./driverOptions";
import { CancelledError, InputError } from "./errors";
import type { Executor } from "./operations/executor";
import { LocalProcessExecutor } from "./fleet/localProcessExecutor";
import { KubernetesExecutor } from "./fleet/kubernetesExecutor";
import { fleetUpgrade, type FleetUpgradeOptions, type FleetUpgradeResult } from "./fleet/upgrade";
import { boundedEach } from "./fleet/waves";
import { OperationJournal } from "./journal/journal";
import { LeaseKeeper, OperationLeases, StackLeases } from "./journal/leases";
import { runOperationStep } from "./journal/runStep";
import { KubeClient } from "./kube";
import type { MigrationConfig } from "./migration/config";
import type { MigrationContext } from "./migration/context";
import { gc, type GcOptions, type GcResult } from "./migration/gc";
import { migrate, type MigrateOptions, type MigrationResult } from "./migration/migrate";
import type { DriverEvent, OperationOptions } from "./operations/events";
import { jobTarget, type StackJob, type StackJobKind } from "./operations/stackJob";
import { reportedStep, stackOutcome, type StackOutcome, StackRunner } from "./operations/stackRunner";
import { endOrphans } from "./processes/marks";
import { MigrationRecords } from "./registry/migrationRecords";
import { TenantRegistry } from "./registry/registry";
import { checkStack, imagesOf, parseTenantInput, type FleetStack, type TenantInput } from "./registry/tenant";
import { parseInput } from "./input";
import { deleteTenant, type DeleteTenantOptions, type TenantDeletion } from "./tenants/deleteTenant";
import type { TenantContext } from "./tenants/context";
import { updateTenant, type TenantUpdate, type UpdateTenantOptions } from "./tenants/updateTenant";
import type { RunnerSettings, TenantPatch } from "./types";
import { resolveWorkspaceOptions, WorkspaceFactory, type WorkspaceOptions } from "./workspace";

/** How often a running operation reads the journal for a cancel asked of it elsewhere (an HTTP API replica). */
const CANCEL_POLL_MS = 1000;

/** Options of a driver. */
export interface DriverOptions {
  /** The workspaces of the stacks (state directory, backend, secrets provider, CLI, engine environment). */
  readonly workspace: WorkspaceOptions;
  /**
   * The registry and journal database: a SQLite file path, or a `postgres://` URL.
   * @default - `tenantstack.db` in the state directory
   */
  readonly database?: string;
  /**
   * Where stack jobs run: `"local"`, worker processes on this host (`poolSize` of them); `"kubernetes"`,
   * each a Kubernetes Job of one runner pod (`runners` says where and how, see the README's "Stack jobs
   * on Kubernetes"); or an {@link Executor} of your own.
   * @default "local"
   */
  readonly executor?: Executor | "local" | "kubernetes";
  /**
   * The Kubernetes executor's settings: the runner image, namespace, concurrency, resources, placement,
   * and how runners reach each cluster. Required with `executor: "kubernetes"`, refused without it.
   * @default - none
   */
  readonly runners?: RunnerSettings;
  /**
   * Worker processes of the local executor, an integer from 1 to 64.
   * @default 2
   */
  readonly poolSize?: number;
  /**
   * Tenant migrations: where each stack's data servers are, how data steps run, the grace period.
   * @default - no data plane: `migrate` and `gc` are refused
   */
  readonly migration?: MigrationConfig;
  /**
   * When the secrets provider's passphrase is checked: `on-open`, by {@link Driver.open}, which
   * refuses to open without it; `per-operation`, by each operation on stacks, before it is journaled
   * or touches anything. The registry and the journal hold no secret: a driver that only registers
   * and lists tenants or reads operations needs no passphrase with `per-operation`.
   * @default "on-open"
   */
  readonly checkPassphrase?: "on-open" | "per-operation";
  /**
   * This driver's host identity in its leases, 1 to 253 letters, digits and `.`, `-`, `_`, `:`, `@`.
   * Drivers sharing a database must each have their own (two drivers on one machine may act as two
   * hosts with two). A lease of another identity is taken over only once it has expired; one of this
   * identity, on this host, also as soon as its process is gone.
   * @default - the host name
   */
  readonly identity?: string;
  /**
   * Seconds a stack's or an operation's lease lives without a heartbeat, 1 to 3600: a driver silent
   * that long is taken for dead and its leases may be taken over (by the database's clock).
   * @default 60
   */
  readonly leaseTtlSeconds?: number;
  /**
   * Seconds between the heartbeats that renew this driver's leases, at least 0.1 and at most half of
   * `leaseTtlSeconds`.
   * @default - a third of `leaseTtlSeconds`
   */
  readonly heartbeatSeconds?: number;
}

export type { StackOutcome } from "./operations/stackRunner";

/** The result of an operation on stacks. */
export interface OperationResult {
  readonly operationId: string;
  /** The operation: `provision`, or the stack job it ran on each stack. */
  readonly kind: StackJobKind | "provision";
  readonly status: "succeeded" | "failed" | "cancelled";
  /** Whether this run resumed an earlier one. */
  readonly resumed: boolean;
  readonly stacks: readonly StackOutcome[];
  /**
   * Provision only: `created` when this operation registered the tenant, `unchanged` when it was
   * registered already with the same fields (then its stack is only brought up to them).
   */
  readonly registration?: "created" | "unchanged";
}

/** Which stacks an operation works on. */
export interface TargetOptions extends OperationOptions {
  /**
   * The stacks serving these tenants.
   * @default - the whole fleet
   */
  readonly tenants?: readonly string[];
}

/** Checks an operation's options with its input model (`schema/operations.ts`) before anything is read or touched. */
function checkOptions(schema: Parameters<typeof parseInput>[0], options: object, operation: string): void {
  parseInput(schema, options, `${operation} options`);
}

/** The driver. */
export class Driver {
  /** The tenant registry. */
  readonly registry: TenantRegistry;
  /** The operation journal. */
  readonly journal: OperationJournal;
  /** The stack leases. */
  readonly leases: StackLeases;
  /** The operation leases: one driver at a time runs an operation. */
  readonly operationLeases: OperationLeases;
  /** The heartbeat renewing this driver's leases. */
  readonly leaseKeeper: LeaseKeeper;
  /** The tenant migrations. */
  readonly migrations: MigrationRecords;
  private readonly runner: StackRunner;
  /** API clients of the clusters, made on first use. */
  private readonly kubes = new Map<string, KubeClient>();
  /** The stacks' workspace in this process (the CLI located), made on first use: it lists the backend's stacks. */
  private workspaceFactory?: Promise<WorkspaceFactory>;

  private constructor(
    private readonly db: SqlDatabase,
    private readonly executor: Executor,
    private readonly clusters: ClusterKubeconfigs,
    private readonly migrationConfig: MigrationConfig,
    private readonly workspace: WorkspaceOptions,
    /** When the passphrase is checked (see {@link DriverOptions.checkPassphrase}). */
    private readonly checkPassphrase: NonNullable<DriverOptions["checkPassphrase"]>,
    leaseSettings: Pick<DriverOptions, "identity" | "leaseTtlSeconds" | "heartbeatSeconds">,
  ) {
    this.registry = new TenantRegistry(db, Object.keys(clusters));
    this.leaseKeeper = new LeaseKeeper(db, leaseSettings);
    this.leases = new StackLeases(db, this.leaseKeeper);
    this.operationLeases = new OperationLeases(db, this.leaseKeeper);
    this.journal = new OperationJournal(db, this.operationLeases);
    this.migrations = new MigrationRecords(db);
    this.runner = new StackRunner(executor, this.journal, this.leases);
  }

  /**
   * Checks every option (state directory, database, pool size, backend, secrets provider,
   * passphrase, clusters) before it opens anything, then opens the database; touches no stack.
   */
  static async open(options: DriverOptions): Promise<Driver> {
    const resolved = checkDriverOptions(options);
    // Its settings are checked before anything is touched; it touches nothing until its first job.
    const executor =
      typeof options.executor === "object"
        ? options.executor
        : options.executor === "kubernetes"
          ? new KubernetesExecutor({ workspace: options.workspace, runners: options.runners! })
          : new LocalProcessExecutor({ workspace: options.workspace, poolSize: options.poolSize });
    // What a killed driver of this host left running (a stack job's plugins, a pg_dump) ends first.
    // (One stuck in the kernel is left to the recovery of its stack, which refuses to go on while it runs.)
    await endOrphans().catch(() => []);
    const database = options.database ?? path.join(resolved.stateDir, "tenantstack.db");
    const db = await openDatabase(database).catch((error: unknown) => {
      throw new InputError("driver options", [
        `\`database\` could not be opened: ${(error as Error).message}; check the path or URL and that the server is reachable (got "${database}")`,
      ]);
    });
    const { identity, leaseTtlSeconds, heartbeatSeconds } = options;
    return new Driver(db, executor, resolved.clusters, options.migration ?? {}, options.workspace, options.checkPassphrase ?? "on-open", {
      identity,
      leaseTtlSeconds,
      heartbeatSeconds,
    });
  }

  /** Refuses an operation on stacks, before anything is journaled or touched, when the passphrase it needs is missing. */
  private checkStacks(): void {
    if (this.checkPassphrase === "per-operation") resolveWorkspaceOptions(this.workspace);
  }

  /**
   * Registers a tenant and brings its stack up (a shared tenant's stack gains it). Idempotent: a tenant
   * registered already with the same fields is left as it is and its stack brought up to them (a
   * no-op once it is); one with other fields is a TenantExistsError naming each difference, before
   * anything is touched. Re-running the `operationId` of a provision repeats that provision whatever
   * changed since (a fleet upgrade's version): its finished steps are not run again.
   */
  async provision(tenant: TenantInput, options: OperationOptions = {}): Promise<OperationResult> {
    checkOptions(OperationOptionsSchema, options, "provision");
    this.checkStacks();
    const parsed = parseTenantInput(tenant);
    const operationId = options.operationId ?? randomUUID();
    return this.owning(operationId, options, (held) =>
      this.provisionHeld(parsed, { ...held, operationId }, options.operationId !== undefined),
    );
  }

  /** {@link provision} of a checked tenant, holding the operation's lease; `given`: whether the caller named the operation. */
  private async provisionHeld(
    parsed: ReturnType<typeof parseTenantInput>,
    options: OperationOptions & { readonly operationId: string },
    given: boolean,
  ): Promise<OperationResult> {
    const { operationId } = options;
    const begin = () => this.journal.begin(operationId, "provision", { tenant: parsed });
    const step = `${parsed.name}:register`;
    // A re-run must be the same provision: begin refuses other parameters before anything else.
    const rerun = given && (await this.journal.get(operationId)) !== undefined ? await begin() : undefined;
    const earlier = rerun && (await this.journal.step(operationId, step));
    let registration = (earlier?.status === "done" ? earlier.detail : undefined) as OperationResult["registration"];
    if (registration === undefined) registration = (await this.registry.ensure(parsed)).created ? "created" : "unchanged";
    const { resumed } = rerun ?? (await begin());
    await runOperationStep(this.journal, operationId, step, async () => registration);
    return this.run(
      "provision",
      await this.registry.stacks([parsed.name]),
      (stack) => ({ kind: "up", ...jobTarget(stack), settings: stack.settings }),
      options,
      resumed,
      { registration },
    );
  }

  /** Previews stacks: per stack, the resources created, updated, replaced and deleted; stateful replacements flagged. `plan` saves each plan for {@link up}. */
  async preview(options: TargetOptions & { readonly plan?: boolean } = {}): Promise<OperationResult> {
    checkOptions(OperationOptionsSchema, options, "preview");
    this.checkStacks();
    const stacks = await this.targets(options.tenants);
    return this.across(
      "preview",
      stacks,
      (stack) => ({ kind: "preview", ...jobTarget(stack), settings: stack.settings, plan: options.plan }),
      options,
    );
  }

  /** Updates stacks to their registered settings; `plan` applies exactly the plan the last preview saved. */
  async up(options: TargetOptions & { readonly plan?: boolean } = {}): Promise<OperationResult> {
    checkOptions(OperationOptionsSchema, options, "up");
    this.checkStacks();
    const stacks = await this.targets(options.tenants);
    return this.across(
      "up",
      stacks,
      (stack) => ({ kind: "up", ...jobTarget(stack), settings: stack.settings, plan: options.plan }),
      options,
    );
  }

  /** Refreshes stacks from the cluster and reports the drift found. */
  async refresh(options: TargetOptions = {}): Promise<OperationResult> {
    checkOptions(OperationOptionsSchema, options, "refresh");
    this.checkStacks();
    return this.across("refresh", await this.targets(options.tenants), (stack) => ({ kind: "refresh", ...jobTarget(stack) }), options);
  }

  /** The stacks' outputs (secrets shown as `[secret]`). */
  async outputs(options: TargetOptions = {}): Promise<OperationResult> {
    checkOptions(OperationOptionsSchema, options, "outputs");
    this.checkStacks();
    return this.across("outputs", await this.targets(options.tenants), (stack) => ({ kind: "outputs", ...jobTarget(stack) }), options);
  }

  /**
   * Destroys the stacks of `tenants` (a shared stack only with all its tenants); refused while they
   * hold protected data unless `forceDestroyData`. The tenants stay registered.
   */
  async destroy(
    options: TargetOptions & { readonly tenants: readonly string[]; readonly forceDestroyData?: boolean },
  ): Promise<OperationResult> {
    checkOptions(DestroyOptionsSchema, options, "destroy");
    this.checkStacks();
    const stacks = await this.registry.stacks(options.tenants);
    const partial = stacks.filter((s) => s.tenants.some((t) => !options.tenants.includes(t)));
    if (partial.length > 0) {
      throw new InputError(
        "destroy",
        partial.map(
          (s) =>
            `\`tenants\` must list every tenant of shared stack ${s.name} (${s.tenants.join(", ")}); to remove one, delete it from the registry and run up`,
        ),
      );
    }
    return this.across(
      "destroy",
      stacks,
      (stack) => ({ kind: "destroy", ...jobTarget(stack), forceDestroyData: options.forceDestroyData }),
      options,
    );
  }

  /**
   * Deletes a tenant. Refused with `TenantStackLiveError` while its stack is live (holds resources in
   * the backend), unless `destroy`: then its dedicated stack is destroyed (or its shared stack updated
   * without it, destroyed were it the last tenant), then it is deleted, as one journaled operation
   * (`delete-tenant`) that a re-run of its id resumes. See `tenants/deleteTenant.ts`.
   */
  async deleteTenant(name: string, options: DeleteTenantOptions = {}): Promise<TenantDeletion> {
    // Whether its stack is live is the backend's to say, and a destroy runs the stack.
    this.checkStacks();
    const operationId = options.operationId ?? randomUUID();
    return this.owning(operationId, options, (held) => deleteTenant(this.tenantContext(), name, { ...held, operationId }));
  }

  /**
   * Updates a tenant by a JSON merge patch of its fields (host, version, region, settings), checked as
   * at registration; its stack follows at its next `up`. `dryRun` stores nothing and previews the
   * tenant's stack with the change. A journaled operation (`update-tenant`). See `tenants/updateTenant.ts`.
   */
  async updateTenant(name: string, patch: TenantPatch, options: UpdateTenantOptions = {}): Promise<TenantUpdate> {
    // A dry run previews the stack; a stored update only changes the registry.
    if (options.dryRun === true) this.checkStacks();
    const operationId = options.operationId ?? randomUUID();
    return this.owning(operationId, options, (held) => updateTenant(this.tenantContext(), name, patch, { ...held, operationId }));
  }

  /** Recovers a stack left mid-update: repairs a file backend's checkpoint, cancels the engine's lock, adopts or clears pending creates, refreshes. */
  async recover(stack: string, options: OperationOptions = {}): Promise<OperationResult> {
    checkOptions(OperationOptionsSchema, options, "recover");
    this.checkStacks();
    const target = (await this.registry.stacks()).filter((s) => s.name === stack);
    if (target.length === 0) throw new InputError("recover", [`\`stack\` must be a stack of the fleet (got "${stack}")`]);
    return this.across("recover", target, (s) => ({ kind: "recover", ...jobTarget(s) }), options);
  }

  /** Rolls a new version across the fleet; see {@link fleetUpgrade}. */
  async fleetUpgrade(options: FleetUpgradeOptions): Promise<FleetUpgradeResult> {
    this.checkStacks();
    const operationId = options.operationId ?? randomUUID();
    return this.owning(operationId, options, (held) =>
      fleetUpgrade(
        { registry: this.registry, journal: this.journal, runner: this.runner, kubeconfigOf: (cluster) => this.clusters[cluster] },
        operationId,
        held,
      ),
    );
  }

  /**
   * Moves a tenant between its environment's shared stack and a dedicated stack (or back, with
   * `rollback`), journaled and resumable; `dryRun` only plans. See `migration/migrate.ts`.
   */
  async migrate(options: MigrateOptions): Promise<MigrationResult> {
    this.checkStacks();
    const operationId = options.operationId ?? randomUUID();
    return this.owning(operationId, options, (held) => migrate(this.migrationContext(), { ...held, operationId }));
  }

  /** Removes the copies migrations left behind once their grace period is over; see `migration/gc.ts`. */
  async gc(options: GcOptions = {}): Promise<GcResult> {
    this.checkStacks();
    const operationId = options.operationId ?? randomUUID();
    return this.owning(operationId, options, (held) => gc(this.migrationContext(), { ...held, operationId }));
  }

  /** Stops running jobs, gives back this driver's leases (its heartbeat stops) and closes the database. */
  async close(): Promise<void> {
    await this.executor.close();
    await this.leaseKeeper.close();
    await this.db.close();
    for (const kube of this.kubes.values()) kube.close();
  }

  /** The API client of a cluster; undefined when it has no kubeconfig. */
  private kube(cluster: string): KubeClient | undefined {
    const kubeconfig = this.clusters[cluster];
    if (kubeconfig && !this.kubes.has(cluster)) this.kubes.set(cluster, KubeClient.fromKubeconfig(kubeconfig));
    return this.kubes.get(cluster);
  }

  /** The stacks' workspace in this process, made once (a failure is not kept: the next call tries again). */
  private workspaceFactoryHere(): Promise<WorkspaceFactory> {
    if (this.workspaceFactory === undefined) {
      const made = WorkspaceFactory.create(this.workspace);
      made.catch(() => {
        if (this.workspaceFactory === made) this.workspaceFactory = undefined;
      });
      this.workspaceFactory = made;
    }
    return this.workspaceFactory;
  }

  private tenantContext(): TenantContext {
    return {
      db: this.db,
      registry: this.registry,
      records: this.migrations,
      journal: this.journal,
      runner: this.runner,
      resourceCounts: async () => (await this.workspaceFactoryHere()).resourceCounts(),
    };
  }

  private migrationContext(): MigrationContext {
    return {
      db: this.db,
      registry: this.registry,
      records: this.migrations,
      journal: this.journal,
      runner: this.runner,
      kube: (cluster) => this.kube(cluster),
      clusters: Object.keys(this.clusters),
      config: this.migrationConfig,
    };
  }

  /** The stacks of `tenants` (all when undefined), each checked by the schema. */
  private async targets(tenants?: readonly string[]): Promise<FleetStack[]> {
    const stacks = await this.registry.stacks(tenants);
    for (const stack of stacks) checkStack(stack);
    return stacks;
  }

  /** Runs a journaled job on each stack, at most `concurrency` at once; a failure does not stop the others. */
  private async across(
    kind: StackJobKind,
    stacks: readonly FleetStack[],
    jobOf: (stack: FleetStack) => StackJob,
    options: OperationOptions,
  ): Promise<OperationResult> {
    const operationId = options.operationId ?? randomUUID();
    return this.owning(operationId, options, async (held) => {
      const { resumed } = await this.journal.begin(operationId, kind, { stacks: stacks.map((s) => s.name), jobs: stacks.map(jobOf) });
      return this.run(kind, stacks, jobOf, { ...held, operationId }, resumed);
    });
  }

  /**
   * Runs operation `operationId`, whose lease its journal's `begin` takes (after its input is checked):
   * refused with OperationLockedError while another live driver runs it, taken over from a driver whose
   * lease expired (killed, its host lost): the operation then resumes without the steps that driver
   * finished, and each stack it left mid-update is recovered first. The lease is given back when the
   * operation ends, however it ends. `work` gets `options` with a signal that also aborts when a cancel
   * of the operation is asked through the journal (`journal.requestCancel`: an HTTP API replica other
   * than this driver), read each second while it runs.
   */
  private async owning<O extends { readonly signal?: AbortSignal }, T>(
    operationId: string,
    options: O,
    work: (options: O) => Promise<T>,
  ): Promise<T> {
    const asked = new AbortController();
    let reading = false;
    const poll = setInterval(() => {
      if (reading || asked.signal.aborted) return;
      reading = true;
      this.journal
        .cancelRequested([operationId])
        .then((ids) => ids.length > 0 && asked.abort())
        .catch(() => undefined) // the database unreachable: the next read asks again
        .finally(() => (reading = false));
    }, CANCEL_POLL_MS).unref();
    const signal = options.signal ? AbortSignal.any([options.signal, asked.signal]) : asked.signal;
    try {
      return await work({ ...options, signal });
    } finally {
      clearInterval(poll);
      if (this.operationLeases.holds(operationId)) await this.operationLeases.release(operationId).catch(() => undefined);
    }
  }

  /**
   * Runs the jobs of operation `options.operationId`, journaled already (`resumed` when a re-run), on
   * each stack: step `<stack>:<job kind>`, at most `concurrency` at once; a failure does not stop the others.
   */
  private async run(
    kind: OperationResult["kind"],
    stacks: readonly FleetStack[],
    jobOf: (stack: FleetStack) => StackJob,
    options: OperationOptions & { readonly operationId: string },
    resumed: boolean,
    extra: Pick<OperationResult, "registration"> = {},
  ): Promise<OperationResult> {
    const { operationId } = options;
    const emit = (event: DriverEvent) => options.onEvent?.(event);
    emit({ type: "operation", operationId, kind, status: resumed ? "resumed" : "started" });
    const outcomes = new Map<string, StackOutcome>();
    await boundedEach(
      stacks,
      options.concurrency ?? 2,
      async (stack) => {
        const job = jobOf(stack);
        const outcome = await reportedStep(this.runner, { operationId, emit, signal: options.signal }, `${stack.name}:${job.kind}`, job);
        // A stack a preview or up sets to its settings: the version, and the images it maps to.
        const deploys = job.settings !== undefined ? { version: stack.version, images: imagesOf(job.settings) } : {};
        outcomes.set(stack.name, { ...stackOutcome(stack.name, outcome), ...deploys });
      },
      () => options.signal?.aborted === true,
    );
    const results = stacks.map((s) => outcomes.get(s.name) ?? { stack: s.name, status: "untouched" as const });
    const status = options.signal?.aborted ? "cancelled" : results.some((r) => r.status === "failed") ? "failed" : "succeeded";
    const result: OperationResult = { operationId, kind, status, resumed, stacks: results, ...extra };
    await this.journal.finish(operationId, status, result);
    emit({ type: "operation", operationId, kind, status });
    if (status === "cancelled") throw Object.assign(new CancelledError(operationId), { result });
    return result;
  }
}
