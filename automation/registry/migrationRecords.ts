/**
 * Tenant migrations as the registry sees them: while a tenant moves, it has a second copy (the
 * target before the switch, the source after it) in the stack of its other plan, not routed there.
 * The phase says which copy serves; `fleetStacks` places both.
 */
import type { SqlDatabase } from "../db/sqlDatabase";
import type { PLANS } from "./tenant";

/**
 * Where a migration stands: `copying` (the source serves, the target is provisioned and filled),
 * `serving` (the target's pods serve the tenant, not routed, so that their rollout is over before the
 * host reaches them), `routing` (both stacks' Ingresses claim the host while the target's claim is
 * added: the source, fenced, serves reads until it lets the host go), `unrouting` (the host leaves
 * the source's Ingress before it is on the target's: on a cluster that refuses two Ingresses claiming
 * one host, and in migrations of earlier drivers), `switched` (the target
 * serves, the source copy waits for `gc`), `failed` (rolled back before the switch: the source serves,
 * the target copy waits for `gc`), `removed` (gc removed the copy that no longer serves),
 * `rolled-back` (after the switch, `migrate --rollback` moved the tenant back: its spare copy became
 * the target of that migration).
 */
export type MigrationPhase = "copying" | "serving" | "routing" | "unrouting" | "switched" | "failed" | "removed" | "rolled-back";

/** Phases in which the tenant is mid-migration: no other migration of it may start. */
export const ACTIVE_PHASES: readonly MigrationPhase[] = ["copying", "serving", "routing", "unrouting"];

/**
 * Whether a migration is still under way: in an active phase, or switched (the registry places the
 * tenant on the target) while its source has not yet been unrouted and its copy marked for removal
 * (`removeAfter`, set as it finishes): a driver killed in that last stretch leaves it so until resumed.
 */
export function inFlight(migration: TenantMigration): boolean {
  return ACTIVE_PHASES.includes(migration.phase) || (migration.phase === "switched" && migration.removeAfter === undefined);
}

/** One side of a migration: the tenant's plan, cluster and settings there. */
export interface MigrationSide {
  readonly plan: (typeof PLANS)[number];
  readonly cluster: string;
  readonly settings: Record<string, unknown>;
}

/** A tenant migration. */
export interface TenantMigration {
  /** The migration's operation id. */
  readonly operationId: string;
  readonly tenant: string;
  readonly phase: MigrationPhase;
  /** Where the tenant was. */
  readonly source: MigrationSide;
  /** Where it goes. */
  readonly target: MigrationSide;
  /**
   * When `gc` may remove the copy that no longer serves (ISO 8601).
   * @default - not marked for removal
   */
  readonly removeAfter?: string;
}

/** The copy of a tenant a migration keeps outside its plan's stack, and whether its plan's stack routes it. */
export interface Placement {
  readonly tenant: string;
  /** The copy that does not serve: its plan, cluster and settings. */
  readonly spare: MigrationSide;
  /** Whether the stack of the tenant's registered plan routes its host (false only mid-switch). */
  readonly homeRouted: boolean;
  /**
   * Whether the spare copy's stack routes the host too (the target, while the switch adds its claim).
   * @default false
   */
  readonly spareRouted?: boolean;
  /**
   * Whether the spare copy's stack serves it, routed or not (the target from just before the switch,
   * the source after it, fenced read-only, whose Ingress lets the host go later).
   * @default false
   */
  readonly spareServed?: boolean;
}

interface MigrationRow extends Record<string, unknown> {
  operation_id: string;
  tenant: string;
  phase: string;
  source: string;
  target: string;
  remove_after: string | null;
}

function fromRow(row: MigrationRow): TenantMigration {
  return {
    operationId: row.operation_id,
    tenant: row.tenant,
    phase: row.phase as MigrationPhase,
    source: JSON.parse(row.source) as MigrationSide,
    target: JSON.parse(row.target) as MigrationSide,
    ...(row.remove_after ? { removeAfter: row.remove_after } : {}),
  };
}

/** The spare copy of a migration not yet removed. */
export function placementOf(migration: TenantMigration): Placement | undefined {
  if (migration.phase === "removed" || migration.phase === "rolled-back") return undefined;
  return {
    tenant: migration.tenant,
    spare: migration.phase === "switched" ? migration.source : migration.target,
    homeRouted: migration.phase !== "unrouting",
    ...(migration.phase === "routing" ? { spareRouted: true } : {}),
    ...(["serving", "routing", "unrouting", "switched"].includes(migration.phase) ? { spareServed: true } : {}),
  };
}

/**
 * Why tenant `tenant` cannot be changed now (`change` says how, such as "it is deleted"): a migration of
 * it is under way, or the spare copy of one waits for `gc`; undefined when neither.
 */
export function migrationHold(migrations: readonly TenantMigration[], tenant: string, change: string): string | undefined {
  const held = migrations.find((m) => m.tenant === tenant && placementOf(m) !== undefined);
  if (held === undefined) return undefined;
  return inFlight(held)
    ? `tenant "${tenant}" is mid-migration (operation "${held.operationId}", ${held.phase}): finish it (re-run it with its operation id) before ${change}`
    : `tenant "${tenant}" still has the spare copy of migration "${held.operationId}" (${held.phase}): run \`gc\` once its grace period is over, or \`migrate --rollback\`, before ${change}`;
}

/** Stores tenant migrations in the driver's database. */
export class MigrationRecords {
  constructor(private readonly db: SqlDatabase) {}

  /** Every migration, oldest first. */
  async list(): Promise<TenantMigration[]> {
    const rows = await this.db.all<MigrationRow>("SELECT * FROM tenant_migrations ORDER BY created_at, operation_id");
    return rows.map(fromRow);
  }

  /** A migration by its operation id, or undefined. */
  async get(operationId: string): Promise<TenantMigration | undefined> {
    const [row] = await this.db.all<MigrationRow>("SELECT * FROM tenant_migrations WHERE operation_id = ?", [operationId]);
    return row === undefined ? undefined : fromRow(row);
  }

  /** The spare copies of every migration not yet removed. */
  async placements(): Promise<Placement[]> {
    return (await this.list()).flatMap((m) => placementOf(m) ?? []);
  }

  /** Records a new migration in phase `copying`. */
  async insert(migration: Omit<TenantMigration, "phase" | "removeAfter">): Promise<void> {
    const time = new Date().toISOString();
    await this.db.run(
      "INSERT INTO tenant_migrations (operation_id, tenant, phase, source, target, created_at, updated_at) VALUES (?, ?, 'copying', ?, ?, ?, ?)",
      [migration.operationId, migration.tenant, JSON.stringify(migration.source), JSON.stringify(migration.target), time, time],
    );
  }

  /** Moves a migration to `phase` (and sets when its spare copy may be removed). */
  async setPhase(operationId: string, phase: MigrationPhase, removeAfter?: string): Promise<void> {
    await this.db.run(
      "UPDATE tenant_migrations SET phase = ?, remove_after = COALESCE(?, remove_after), updated_at = ? WHERE operation_id = ?",
      [phase, removeAfter ?? null, new Date().toISOString(), operationId],
    );
  }
}
