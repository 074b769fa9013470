/**
 * Names derived from environments and tenants. One function per name, so the program,
 * the components and the automation driver always agree.
 */
import { ValidationError } from "./errors";

/** Environments a stack can belong to. */
export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
/** An environment. */
export type Environment = (typeof ENVIRONMENTS)[number];

/** Longest tenant name: keeps derived names (namespaces, databases, stacks) within their limits. */
export const TENANT_NAME_MAX = 40;

/** The last part of the name of an environment's shared stack (`<environment>-shared`). */
export const SHARED_STACK_SUFFIX = "shared";

/**
 * Tenant names no tenant may have: a dedicated tenant's stack is `<environment>-<tenant>`, so a tenant named
 * `shared` would get the name of the environment's shared stack. Refusing them keeps the names of the two
 * placements disjoint.
 */
export const RESERVED_TENANT_NAMES: readonly string[] = [SHARED_STACK_SUFFIX];

/** Why a tenant name is reserved, as the reason of a problem with it. */
export const RESERVED_TENANT_NAME_MESSAGE = `must not be ${RESERVED_TENANT_NAMES.map((n) => JSON.stringify(n)).join(", ")}: a dedicated tenant's stack is "<environment>-<tenant>" and "<environment>-${SHARED_STACK_SUFFIX}" is the environment's shared stack; choose another name`;

/**
 * The Pulumi stack of a dedicated tenant, or of the environment's shared instance. The two never share a
 * name: a reserved tenant name ({@link RESERVED_TENANT_NAMES}) throws.
 */
export function stackName(environment: Environment, tenant?: string): string {
  if (tenant === undefined) return `${environment}-${SHARED_STACK_SUFFIX}`;
  if (RESERVED_TENANT_NAMES.includes(tenant)) {
    throw new ValidationError("tenant", [
      { propertyPath: "tenant", reason: `${RESERVED_TENANT_NAME_MESSAGE} (got ${JSON.stringify(tenant)})` },
    ]);
  }
  return `${environment}-${tenant}`;
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

/** The SecretStore (in the stack's namespace) through which a cloud integration serves the cloud's secret store. */
export const CLOUD_SECRET_STORE = "cloud-secrets";

/** A credential or app secret name as lowercase words joined by `-`: `postgresPassword` -> `postgres-password`. */
export function credentialSlug(credential: string): string {
  return credential
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/_/g, "-")
    .toLowerCase();
}

/**
 * The name of a credential in the cloud's secret store (`secrets.source: cloud`): valid in AWS Secrets Manager,
 * GCP Secret Manager and Azure Key Vault alike.
 */
export function cloudSecretName(namespace: string, credential: string): string {
  return `${namespace}-${credentialSlug(credential)}`;
}

/** The subject of a Kubernetes ServiceAccount's tokens, as OIDC federation sees it. */
export function serviceAccountSubject(namespace: string, serviceAccount: string): string {
  return `system:serviceaccount:${namespace}:${serviceAccount}`;
}
