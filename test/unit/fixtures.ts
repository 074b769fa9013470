/** Valid stack settings the tests start from and change one field at a time. */
import type { StackInput } from "../../schema";

/** Stack settings without a cloud. */
type NoCloudStack = StackInput & { readonly cloud?: "none" };

/** A dedicated dev stack with the fewest settings. */
export function dedicatedStack(): NoCloudStack {
  return {
    environment: "dev",
    tenancy: { mode: "dedicated", tenant: { name: "acme", host: "acme.example.com" } },
    api: { image: "ghcr.io/example/api:1.0.0" },
    worker: { image: "ghcr.io/example/worker:1.0.0" },
    ingress: { tls: { issuer: "letsencrypt-staging", email: "ops@example.com" } },
  };
}

/** A shared prod stack of three tenants. */
export function sharedStack(): NoCloudStack {
  return {
    environment: "prod",
    tenancy: {
      mode: "shared",
      tenants: [
        { name: "acme", host: "acme.example.com" },
        { name: "globex", host: "globex.example.com" },
        { name: "initech-eu", host: "initech.example.com" },
      ],
    },
    api: { image: "ghcr.io/example/api:1.0.0" },
    worker: { image: "ghcr.io/example/worker:1.0.0" },
    ingress: {
      tls: { issuer: "letsencrypt-prod", email: "ops@example.com", solver: { type: "dns01", provider: "route53", zone: "example.com" } },
    },
    monitoring: { serviceMonitor: true },
  };
}

/** An EKS stack: IRSA, credentials in AWS Secrets Manager, S3 backups, DNS-01 on Route 53. */
export function awsStack(): StackInput {
  return {
    ...sharedStack(),
    cloud: "aws",
    aws: {
      region: "eu-west-1",
      accountId: "123456789012",
      oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B7",
      route53: { hostedZoneId: "Z0123456789ABCDEFGHIJ" },
    },
    postgres: { backup: { retentionDays: 30, destination: { type: "s3", bucket: "acme-ai-backups", region: "eu-west-1" } } },
    secrets: { source: "cloud" },
  };
}

/** A GKE stack: Workload Identity, credentials in Secret Manager, GCS backups, DNS-01 on Cloud DNS. */
export function gcpStack(): StackInput {
  return {
    ...sharedStack(),
    cloud: "gcp",
    gcp: { project: "acme-ai-prod", region: "europe-west1", cloudDns: { managedZone: "example-com" } },
    postgres: { backup: { retentionDays: 30, destination: { type: "gcs", bucket: "acme-ai-backups" } } },
    ingress: {
      tls: { issuer: "letsencrypt-prod", email: "ops@example.com", solver: { type: "dns01", provider: "clouddns", zone: "example.com" } },
    },
    secrets: { source: "cloud" },
  };
}

/** An AKS stack: workload identity, credentials in a new Key Vault, Blob backups, DNS-01 on Azure DNS. */
export function azureStack(): StackInput {
  return {
    ...sharedStack(),
    cloud: "azure",
    azure: {
      tenantId: "11111111-2222-3333-4444-555555555555",
      subscriptionId: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
      resourceGroup: "ai-prod",
      location: "westeurope",
      oidcIssuerUrl: "https://westeurope.oic.prod-aks.azure.com/11111111-2222-3333-4444-555555555555/99999999-8888-7777-6666-555555555555/",
      keyVault: { name: "acme-ai-prod-kv" },
      dns: { resourceGroup: "dns" },
    },
    postgres: {
      backup: { retentionDays: 30, destination: { type: "azureBlob", storageAccount: "acmeaibackups", container: "postgres-dumps" } },
    },
    ingress: {
      tls: { issuer: "letsencrypt-prod", email: "ops@example.com", solver: { type: "dns01", provider: "azuredns", zone: "example.com" } },
    },
    secrets: { source: "cloud" },
  };
}

/** A copy of `settings` without `key`. */
export function without<T extends object, K extends keyof T>(settings: T, key: K): Omit<T, K> {
  const copy = { ...settings };
  delete copy[key];
  return copy;
}
