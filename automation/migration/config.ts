/** What the driver needs to migrate tenants: where each stack's data servers are, the clusters, the grace period. */
import type { DataEndpoints } from "../migrate/settings";
import type { FleetStack } from "../registry/tenant";

/**
 * Where the data steps reach a stack's Postgres and Redis servers. The steps (copy, verify, gc's
 * removal) run in the driver's process with these URLs: give URLs the driver can reach (a port
 * forward, a private network), or run the driver in-cluster. In-cluster, `migrationJob()` runs the
 * same steps as a Job with the URLs from Secrets.
 */
export interface MigrationDataPlane {
  /** The superuser URLs of `stack`'s Postgres and Redis servers (never logged). */
  endpoints(stack: FleetStack): Promise<DataEndpoints>;
}

/** Migration settings of a driver. */
export interface MigrationConfig {
  /**
   * Where the data servers of each stack are; migrations are refused without it.
   * @default - none
   */
  readonly dataPlane?: MigrationDataPlane;
  /**
   * Clusters a tenant may be moved to (`--cluster`).
   * @default ["local"]
   */
  readonly clusters?: readonly string[];
  /**
   * How long the source copy is kept after the switch before `gc` may remove it, in milliseconds.
   * @default 604800000 (7 days)
   */
  readonly removalGraceMs?: number;
  /**
   * How long the drain waits for the scaled-down workers' pods to be gone, in milliseconds.
   * @default 120000
   */
  readonly drainTimeoutMs?: number;
}
