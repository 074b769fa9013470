/** The roles of a stack's workloads, as `app.kubernetes.io/component`. */
export type Role =
  | "api"
  | "worker"
  | "postgres"
  | "postgres-backup"
  | "postgres-provision"
  | "redis"
  | "ollama"
  | "ollama-pull"
  | "cloud-identity"
  | "destroy-guard";

/**
 * The Kubernetes recommended labels of one role of a stack.
 * @internal
 */
export function recommendedLabels(instance: string, role: Role): Record<string, string> {
  return { ...selectorLabels(instance, role), "app.kubernetes.io/part-of": "tenantstack", "app.kubernetes.io/managed-by": "pulumi" };
}

/**
 * The stable subset of the recommended labels that selects a role's pods.
 * @internal
 */
export function selectorLabels(instance: string, role: Role): Record<string, string> {
  return { "app.kubernetes.io/name": role, "app.kubernetes.io/instance": instance, "app.kubernetes.io/component": role };
}
