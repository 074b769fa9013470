/**
 * The tenant registry: which tenants exist, on which plan, version, region and cluster, with which
 * settings. Every change is checked with the program's schema, for the tenant's whole stack, before
 * it is stored.
 */
import type { SqlDatabase } from "../db/sqlDatabase";
import { unknownCluster } from "../clusters";
import { InputError, TenantExistsError, TenantNotFoundError } from "../errors";
import { parseInput } from "../input";
import { TenantPatchSchema } from "../../schema/tenantInput";
import { migrationHold, MigrationRecords, type MigrationSide } from "./migrationRecords";
import type { TenantPatch } from "../types";
import { changedPaths, mergePatch, tenantFields } from "./tenantPatch";
import {
  atVersion,
  checkStack,
  checkTenantSettings,
  fleetStacks,
  parseTenantInput,
  parseVersion,
  tenantDifferences,
  withImages,
  type FleetStack,
  type RegisteredTenant,
  type Tenant,
  type TenantInput,
} from "./tenant";

interface TenantRow extends Record<string, unknown> {
  name: string;
  plan: string;
  environment: string;
  host: string;
  version: string;
  region: string;
  cluster: string;
  settings: string;
  created_at: string;
}

function fromRow(row: TenantRow): RegisteredTenant {
  return withImages({
    name: row.name,
    plan: row.plan as Tenant["plan"],
    environment: row.environment as Tenant["environment"],
    host: row.host,
    version: row.version,
    region: row.region,
    cluster: row.cluster,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    createdAt: row.created_at,
  });
}

/** A shared tenant of the shared stack `tenant` would join (its environment's on its cluster), if there is one. */
export function sharedPeer(tenants: readonly Tenant[], tenant: Pick<Tenant, "environment" | "cluster">): Tenant | undefined {
  return tenants.find((t) => t.plan === "shared" && t.environment === tenant.environment && t.cluster === tenant.cluster);
}

/** A tenant's update: the tenant before and after, and the paths of its fields that change (`host`, `settings.api.replicas`). */
export interface TenantChange {
  readonly before: RegisteredTenant;
  readonly after: RegisteredTenant;
  readonly changed: readonly string[];
}

/** Stores tenants in the driver's database. */
export class TenantRegistry {
  constructor(
    private readonly db: SqlDatabase,
    /**
     * The clusters a tenant may be registered on.
     * @default - any
     */
    private readonly clusters?: readonly string[],
  ) {}

  /** Every tenant, in registration order, each with the images its stack runs. */
  async list(): Promise<RegisteredTenant[]> {
    const rows = await this.db.all<TenantRow>("SELECT * FROM tenants ORDER BY created_at, name");
    return rows.map(fromRow);
  }

  /** One tenant, with the images its stack runs; throws TenantNotFoundError when it is not registered. */
  async show(name: string): Promise<RegisteredTenant> {
    const [row] = await this.db.all<TenantRow>("SELECT * FROM tenants WHERE name = ?", [name]);
    if (row === undefined) throw new TenantNotFoundError(name);
    return fromRow(row);
  }

  /**
   * Registers a tenant. A shared tenant joins its environment's shared stack: given no settings it
   * takes the stack's settings and version; given others, it must agree with them.
   */
  async create(input: TenantInput): Promise<RegisteredTenant> {
    const parsed = parseTenantInput(input);
    // The tenant's own fields first: a cluster the driver does not have is the problem to fix before its settings.
    const unknown = this.clusters && unknownCluster(this.clusters, parsed.cluster);
    if (unknown) throw new InputError("tenant", [unknown]);
    // Its settings named as the tenant's (`settings.api.image`), as an update names them.
    checkTenantSettings(parsed);
    return this.db.transaction(async (tx) => {
      const tenants = await new TenantRegistry(tx).list();
      if (tenants.some((t) => t.name === parsed.name)) throw new TenantExistsError(parsed.name);
      const peer = parsed.plan === "shared" ? sharedPeer(tenants, parsed) : undefined;
      // Joining a shared stack without settings of its own, a tenant takes its peers'.
      const inherit = peer !== undefined && Object.keys(input.settings ?? {}).length === 0;
      const tenant: Tenant = { ...parsed, ...(inherit ? { settings: peer.settings } : {}), createdAt: new Date().toISOString() };
      this.checkInFleet([...tenants, tenant], tenant);
      await tx.run(
        "INSERT INTO tenants (name, plan, environment, host, version, region, cluster, settings, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
          tenant.name,
          tenant.plan,
          tenant.environment,
          tenant.host,
          tenant.version,
          tenant.region,
          tenant.cluster,
          JSON.stringify(tenant.settings),
          tenant.createdAt,
        ],
      );
      return withImages(tenant);
    });
  }

  /**
   * Registers a tenant unless it is registered already with the same fields, which it leaves as they
   * are: what a provisioning service wants of a repeated request. A tenant of that name with other
   * fields is a TenantExistsError naming each field that differs.
   */
  async ensure(input: TenantInput): Promise<{ readonly tenant: RegisteredTenant; readonly created: boolean }> {
    const parsed = parseTenantInput(input);
    try {
      return { tenant: await this.create(parsed), created: true };
    } catch (error) {
      if (!(error instanceof TenantExistsError)) throw error;
      const existing = await this.show(parsed.name);
      const differences = tenantDifferences(existing, parsed);
      if (differences.length > 0) throw new TenantExistsError(parsed.name, differences);
      return { tenant: existing, created: false };
    }
  }

  /**
   * The tenant `name` would be with `patch` applied: a JSON merge patch of its fields (host, version,
   * region, settings; see `TenantPatchSchema`), the tenant it makes checked as at registration (by the
   * tenant schema, its settings as a stack of their own, then in the fleet). Stores nothing. Refused
   * while a migration of the tenant is under way or its spare copy waits for `gc`.
   */
  async patched(name: string, patch: TenantPatch): Promise<TenantChange> {
    const checked = parseInput(TenantPatchSchema, patch, "tenant patch");
    const tenants = await this.list();
    const before = tenants.find((t) => t.name === name);
    if (before === undefined) throw new TenantNotFoundError(name);
    const held = migrationHold(await new MigrationRecords(this.db).list(), name, "it is updated");
    if (held) throw new InputError("tenant update", [held]);
    const parsed = parseTenantInput(mergePatch(tenantFields(before), checked));
    checkTenantSettings(parsed);
    const after = withImages({ ...parsed, createdAt: before.createdAt });
    this.checkInFleet(
      tenants.map((t) => (t.name === name ? after : t)),
      after,
    );
    return { before, after, changed: changedPaths(tenantFields(before), tenantFields(after)) };
  }

  /**
   * Applies `patch` to tenant `name` once {@link patched} accepts it; resolves the change. `alongside`
   * runs in the same transaction (a journal's record of the update): both are stored, or neither.
   */
  async update(
    name: string,
    patch: TenantPatch,
    alongside?: (tx: SqlDatabase, change: TenantChange) => Promise<void>,
  ): Promise<TenantChange> {
    return this.db.transaction(async (tx) => {
      const change = await new TenantRegistry(tx, this.clusters).patched(name, patch);
      const { host, version, region, settings } = change.after;
      await tx.run("UPDATE tenants SET host = ?, version = ?, region = ?, settings = ? WHERE name = ?", [
        host,
        version,
        region,
        JSON.stringify(settings),
        name,
      ]);
      await alongside?.(tx, change);
      return change;
    });
  }

  /**
   * Checks `tenant` as a member of `fleet` (every tenant, it included): its host unique, its cluster
   * one of the driver's, a shared tenant agreeing with the version, region and settings of the shared
   * stack it is in, and that whole stack valid by the program's schema.
   */
  private checkInFleet(fleet: readonly Tenant[], tenant: Tenant): void {
    const others = fleet.filter((t) => t.name !== tenant.name);
    const clash = others.find((t) => t.host === tenant.host);
    if (clash) throw new InputError("tenant", [`\`host\` must be unique: tenant "${clash.name}" has it (got "${tenant.host}")`]);
    const unknown = this.clusters && unknownCluster(this.clusters, tenant.cluster);
    if (unknown) throw new InputError("tenant", [unknown]);
    const peer = tenant.plan === "shared" ? sharedPeer(others, tenant) : undefined;
    if (peer) {
      const problems = (["version", "region"] as const)
        .filter((key) => tenant[key] !== peer[key])
        .map(
          (key) =>
            `\`${key}\` must be "${peer[key]}", that of the shared stack of ${peer.environment} on ${peer.cluster} it joins (got "${tenant[key]}")`,
        );
      if (JSON.stringify(tenant.settings) !== JSON.stringify(peer.settings)) {
        problems.push(
          `\`settings\` must be those of the shared stack of ${peer.environment} on ${peer.cluster} (of tenant "${peer.name}"), or omitted`,
        );
      }
      if (problems.length > 0) throw new InputError("tenant", problems);
    }
    checkStack(fleetStacks(fleet).find((s) => s.tenants.includes(tenant.name))!);
  }

  /**
   * Removes a tenant's registration, and nothing else: a stack it leaves live is stranded (no
   * operation reaches it any more). `Driver.deleteTenant` refuses that, or destroys the stack first.
   */
  async delete(name: string): Promise<void> {
    const changed = await this.db.run("DELETE FROM tenants WHERE name = ?", [name]);
    if (changed === 0) throw new TenantNotFoundError(name);
  }

  /**
   * The fleet's stacks, optionally only those serving `tenants` (each of which must exist); a
   * migrating tenant's spare copy counts (see `migrationRecords.ts`).
   */
  async stacks(tenants?: readonly string[]): Promise<FleetStack[]> {
    const all = await this.list();
    const unknown = (tenants ?? []).filter((name) => !all.some((t) => t.name === name));
    if (unknown.length > 0) throw new TenantNotFoundError(unknown.join(", "));
    const stacks = fleetStacks(all, await new MigrationRecords(this.db).placements());
    return tenants === undefined ? stacks : stacks.filter((s) => s.tenants.some((t) => tenants.includes(t)));
  }

  /** Moves a tenant to `side` (its plan, cluster and settings): the routing switch of a migration. */
  async place(name: string, side: MigrationSide): Promise<void> {
    const changed = await this.db.run("UPDATE tenants SET plan = ?, cluster = ?, settings = ? WHERE name = ?", [
      side.plan,
      side.cluster,
      JSON.stringify(side.settings),
      name,
    ]);
    if (changed === 0) throw new TenantNotFoundError(name);
  }

  /** Records that every tenant of `stack` now runs `version` (after its stack was updated). */
  async setVersion(stack: FleetStack, version: string): Promise<void> {
    checkStack(atVersion(stack, parseVersion(version)));
    await this.db.transaction(async (tx) => {
      for (const tenant of stack.tenants) await tx.run("UPDATE tenants SET version = ? WHERE name = ?", [version, tenant]);
    });
  }
}
