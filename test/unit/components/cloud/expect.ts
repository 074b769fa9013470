/** What the cloud tests look for among the captured resources. */
import type { Captured } from "../capture";

/** Types of the Kubernetes objects a cloud integration creates or feeds. */
export const K8S = {
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
  secret: "kubernetes:core/v1:Secret",
  cronJob: "kubernetes:batch/v1:CronJob",
  secretStore: "kubernetes:external-secrets.io/v1:SecretStore",
  externalSecret: "kubernetes:external-secrets.io/v1:ExternalSecret",
  issuer: "kubernetes:cert-manager.io/v1:Issuer",
};

/** `<type> <name>` of every resource of a cloud provider, in registration order. */
export function cloudResourceNames(resources: readonly Captured[]): string[] {
  return resources.filter((r) => /^(aws|gcp|azure-native):/.test(r.type)).map((r) => `${r.type} ${r.name}`);
}
