/**
 * The tenant registry: which tenants exist, on which plan, version, region and cluster, with which
 * settings. Every change is checked with the program's schema, for the tenant's whole stack, before
 * it is stored.
 */
import type { SqlDatabase } from "../db/sqlDatabase";
import { unknownCluster } from "../clusters";
import { InputError, TenantExistsError, TenantNotFoundError } from "../errors";
import { MigrationRecords, type MigrationSide } from "./migrationRecords";
import {
  atVersion,
  checkStack,
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
    return this.db.transaction(async (tx) => {
      const registry = new TenantRegistry(tx);
      const tenants = await registry.list();
      if (tenants.some((t) => t.name === parsed.name)) throw new TenantExistsError(parsed.name);
      const clash = tenants.find((t) => t.host === parsed.host);
      if (clash) throw new InputError("tenant", [`\`host\` must be unique: tenant "${clash.name}" has it (got "${parsed.host}")`]);
      const unknown = this.clusters && unknownCluster(this.clusters, parsed.cluster);
      if (unknown) throw new InputError("tenant", [unknown]);
      const peer = parsed.plan === "shared" ? sharedPeer(tenants, parsed) : undefined;
      // Joining a shared stack without settings of its own, a tenant takes its peers'.
      const inherit = peer !== undefined && Object.keys(input.settings ?? {}).length === 0;
      const tenant: Tenant = { ...parsed, ...(inherit ? { settings: peer.settings } : {}), createdAt: new Date().toISOString() };
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
      const stack = fleetStacks([...tenants, tenant]).find((s) => s.tenants.includes(tenant.name))!;
      checkStack(stack);
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

  /** Removes a tenant from the registry (its stack is destroyed separately). */
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
