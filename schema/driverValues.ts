/**
 * The values of the driver's input model (`operations.ts`, `tenantInput.ts`, `driverOptions.ts`): the plans,
 * the operations' kinds and states, the default cluster, the limits of every surface and the leases' timing. Plain values, so
 * that the driver's published types can name them; the zod schemas that use them are package-private.
 */

/** The cluster of a tenant registered without one, and the only cluster of a driver given none. */
export const DEFAULT_CLUSTER = "local";

/** Longest cluster name: a stack on a cluster other than `local` carries it in its name (at most 100 characters). */
export const CLUSTER_NAME_MAX = 40;

/** Plans a tenant can be on. */
export const PLANS = ["shared", "dedicated"] as const;

/** Most stacks an operation works on at once. */
export const CONCURRENCY_MAX = 16;

/** Most stacks of a fleet upgrade's canary wave, and of each later wave. */
export const WAVE_MAX = 1000;

/** What the journal calls its operations: a provision is journaled as the `up` of its stack, a migration's dry run as `migrate-plan`. */
export const OPERATION_KINDS = [
  "preview",
  "up",
  "refresh",
  "outputs",
  "destroy",
  "recover",
  "fleet-upgrade",
  "migrate",
  "migrate-plan",
  "gc",
  "delete-tenant",
  "update-tenant",
] as const;

/** The states of a journaled operation. */
export const OPERATION_STATUSES = ["running", "succeeded", "failed", "cancelled"] as const;

/** Most operations a listing shows. */
export const OPERATION_LIST_MAX = 1000;

/** Most worker processes of the default executor. */
export const POOL_SIZE_MAX = 64;

/** How long a lease lives without a heartbeat, by default: a driver silent that long is taken for dead. */
export const LEASE_TTL_SECONDS_DEFAULT = 60;
/** The bounds of a lease's time to live, in seconds. */
export const LEASE_TTL_SECONDS_MIN = 1;
export const LEASE_TTL_SECONDS_MAX = 3600;
/** The shortest heartbeat interval, in seconds. */
export const HEARTBEAT_SECONDS_MIN = 0.1;

/** The heartbeat interval of a lease time to live when none is given: a third of it, so two beats may be missed. */
export function defaultHeartbeatSeconds(leaseTtlSeconds: number): number {
  return leaseTtlSeconds / 3;
}
