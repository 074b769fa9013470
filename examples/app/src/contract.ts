/**
 * The names through which a tenantstack stack wires the app (README.md, "The app contract"):
 * environment variables, the files under `TENANTS_DIR` and `MAINTENANCE_DIR`, and the key prefix of
 * a tenant's Redis keys. The package exports the same names (`components/contract.ts`); the app
 * repeats them so that its image needs nothing but `pg` and `ioredis`, and
 * `test/unit/app/contract.test.ts` checks that both agree.
 */

/** Where the stack mounts the tenants' credentials (`TENANTS_DIR`'s value in the pods). */
export const DEFAULT_TENANTS_DIR = "/var/run/tenantstack/tenants";

/** Where the stack mounts the maintenance flags (`MAINTENANCE_DIR`'s value in the pods). */
export const DEFAULT_MAINTENANCE_DIR = "/var/run/tenantstack/maintenance";

/** The content of `MAINTENANCE_DIR/<tenant>` while the tenant's writes must be refused. */
export const READ_ONLY = "read-only";

/** The port the Api component's container port defaults to (`api.port`). */
export const DEFAULT_API_PORT = 8080;

/** The port the Worker component's HTTP health check defaults to (`worker.health.port`). */
export const DEFAULT_WORKER_HEALTH_PORT = 8081;

/** The files of one tenant under `TENANTS_DIR`. */
export function tenantFiles(tenant: string) {
  return {
    /** `postgresql://<role>:<password>@<host>:<port>/<database>`: the tenant's own database and role. */
    databaseUrl: `${tenant}.database-url`,
    /** `redis://<user>:<password>@<host>:<port>/0`, only with Redis ACL isolation. */
    redisUrl: `${tenant}.redis-url`,
    /** The prefix every Redis key of the tenant starts with. */
    redisKeyPrefix: `${tenant}.redis-key-prefix`,
  } as const;
}

/** The prefix of a tenant's Redis keys when `<tenant>.redis-key-prefix` is absent. */
export function defaultKeyPrefix(tenant: string): string {
  return `${tenant}:`;
}
