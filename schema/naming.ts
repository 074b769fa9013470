/**
 * Names derived from environments and tenants. One function per name, so the program,
 * the components and the automation driver always agree.
 */

/** Environments a stack can belong to. */
export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
/** An environment. */
export type Environment = (typeof ENVIRONMENTS)[number];

/** The Pulumi stack of a dedicated tenant, or of the environment's shared instance. */
export function stackName(environment: Environment, tenant?: string): string {
  return tenant === undefined ? `${environment}-shared` : `${environment}-${tenant}`;
}

/** The namespace of a stack when none is configured. */
export function defaultNamespace(environment: Environment, tenant?: string): string {
  return tenant === undefined ? `tenantstack-${environment}` : `tenantstack-${environment}-${tenant}`;
}

/** The Postgres database and role of a tenant (identifiers cannot hold `-`). */
export function tenantDatabase(tenant: string): string {
  return `tenant_${tenant.replace(/-/g, "_")}`;
}

/** The Redis ACL user of a tenant. */
export function tenantRedisUser(tenant: string): string {
  return `tenant-${tenant}`;
}

/** The Redis key prefix of a tenant. */
export function tenantKeyPrefix(tenant: string): string {
  return `${tenant}:`;
}

/** The TLS Secret holding a host's certificate. */
export function tlsSecretName(host: string): string {
  return `tls-${host.replace(/\./g, "-")}`.slice(0, 253);
}
