/** What the driver needs to migrate tenants: where each stack's data servers are, how data steps run, the grace period. */
import { bySurface, type SurfaceText } from "../errors";
import type { KubeApi } from "./data/kubeDrain";
import type { DataEndpoints } from "./data/settings";
import type { FleetStack } from "../registry/tenant";
import type { MigrationJobs } from "./jobDataSteps";

/**
 * Where the data steps reach a stack's Postgres and Redis servers. The steps (copy, verify, gc's
 * removal) run in the driver's process with these URLs: give URLs the driver can reach (a port
 * forward, a private network), or run the driver in-cluster; with `jobs`, the copy and verify
 * steps run as Jobs (`migrationJob()`) with the URLs from a Secret.
 */
export interface MigrationDataPlane {
  /**
   * The superuser URLs of `stack`'s Postgres and Redis servers (never logged).
   * @param access what the driver lends a lookup: its API clients of the stacks' clusters
   */
  endpoints(stack: FleetStack, access?: DataPlaneAccess): Promise<DataEndpoints>;
}

/** What the driver lends a data plane's lookup. */
export interface DataPlaneAccess {
  /** The driver's client of a cluster's API server (its workspace's kubeconfig), or undefined without one. */
  kube(cluster: string): KubeApi | undefined;
}

/** Migration settings of a driver. */
export interface MigrationConfig {
  /**
   * Where the data servers of each stack are; migrations are refused without it.
   * @default - none
   */
  readonly dataPlane?: MigrationDataPlane;
  /**
   * Run the copy and verify steps as Kubernetes Jobs next to the data (in-cluster), with the URLs the
   * data plane gives put in a Secret of the Jobs' namespace; the plan, the removal marks and gc still
   * connect from the driver's process.
   * @default - the steps run in the driver's process
   */
  readonly jobs?: MigrationJobs;
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

/** The problem of a driver without a data plane (`migrate`, `gc`), naming the option as each surface sets it. */
export const NO_DATA_PLANE: SurfaceText = bySurface`the driver has no ${{
  cli: "`--data-plane FILE` (or TENANTSTACK_DATA_PLANE)",
  api: "`migration.dataPlane`",
}}: it must know where each stack's Postgres and Redis servers are (automation/README.md, "A data plane")`;
