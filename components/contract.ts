/**
 * The app contract: the names of the Services, Secrets, keys and paths through which the API and
 * worker find the rest of their stack, and through which the driver drains a tenant (the maintenance
 * flags). Public: the components and the driver both import it, and the README documents it;
 * changing one breaks running apps. The pod-security defaults are beside it, in `podSecurity.ts`.
 */
import { credentialKey, STACK_CREDENTIAL_KEYS } from "../schema/secrets";

/** Service names, reachable as `<name>.<namespace>.svc`. */
export const SERVICES = {
  /** The API's Service. */
  api: "api",
  /** PostgreSQL's Service. */
  postgres: "postgres",
  /** Redis' Service. */
  redis: "redis",
  /** Ollama's Service, when Ollama is enabled. */
  ollama: "ollama",
} as const;

/** Ports of the services. */
export const PORTS = {
  /** PostgreSQL. */
  postgres: 5432,
  /** Redis. */
  redis: 6379,
  /** Ollama's HTTP API. */
  ollama: 11434,
  /** The API's Service. */
  http: 80,
} as const;

/** Secret with the stack's credentials, as environment variables of the workloads. */
export const CREDENTIALS_SECRET = "credentials";

/** Secret with every tenant's credentials, mounted at {@link TENANTS_MOUNT_PATH}. */
export const TENANT_CREDENTIALS_SECRET = "tenant-credentials";

/** Where the tenant credentials are mounted in the API and worker. */
export const TENANTS_MOUNT_PATH = "/var/run/tenantstack/tenants";

/**
 * ConfigMap of per-tenant maintenance flags (key: tenant name, value `read-only`), written by the
 * migration driver while it drains a tenant; optional, mounted at {@link MAINTENANCE_MOUNT_PATH}.
 */
export const MAINTENANCE_CONFIGMAP = "tenant-maintenance";

/** The value of a tenant's maintenance flag while the app must refuse the tenant's writes. */
export const MAINTENANCE_READ_ONLY = "read-only";

/** Where the maintenance flags are mounted in the API and worker: one file per drained tenant. */
export const MAINTENANCE_MOUNT_PATH = "/var/run/tenantstack/maintenance";

/** Keys of the stack credentials in {@link CREDENTIALS_SECRET}, by credential name. */
export const CREDENTIAL_KEYS: Readonly<Record<string, string>> = STACK_CREDENTIAL_KEYS;

/** The key of a credential in {@link CREDENTIALS_SECRET}: app secrets keep their own names. */
export { credentialKey };

/** Keys of one tenant's credentials in {@link TENANT_CREDENTIALS_SECRET}. */
export function tenantKeys(tenant: string) {
  return {
    /** The tenant's PostgreSQL URL (its own database and role). */
    databaseUrl: `${tenant}.database-url`,
    /** The password of the tenant's PostgreSQL role. */
    databasePassword: `${tenant}.database-password`,
    /** The tenant's Redis URL (its own ACL user, with Redis ACL isolation). */
    redisUrl: `${tenant}.redis-url`,
    /** The prefix every Redis key of the tenant starts with. */
    redisKeyPrefix: `${tenant}.redis-key-prefix`,
  } as const;
}

/** Key of the Redis ACL lines of the tenants in {@link TENANT_CREDENTIALS_SECRET}. */
export const REDIS_TENANT_ACL_KEY = "redis-tenants.acl";
