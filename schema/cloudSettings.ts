/**
 * The zod schemas of each cloud's settings (`aws`, `gcp`, `azure`): the identities, secret store, backup bucket
 * and DNS-01 zone of its integration. Package-private, as `fields.ts` is: the stack's schema, the cloud
 * integrations and the tools import it, but no entry point exports it and its declarations, which name zod's
 * types, are not published (`package.json`'s `files`); the plain types the schemas parse to are published in
 * `types.ts` (generated), the checks between a cloud's settings and what it serves in `cloud.ts`.
 */
import {
  awsAccountId,
  awsRegion,
  azureLocation,
  gcpProjectId,
  gcpRegion,
  guid,
  hostedZoneId,
  keyVaultName,
  oidcIssuerUrl,
  oidcProviderArn,
  resourceGroupName,
  workloadPool,
} from "./cloudFields";
import { dnsLabel, omitted, oneOf, settings } from "./fields";

/** Whether the stack creates the backup bucket or only grants access to an existing one. */
const backupBucket = () =>
  oneOf(["create", "existing"])
    .default("create")
    .describe(
      "`create`: the stack creates the bucket named in `postgres.backup.destination`, encrypted, never public, expiring dumps after `retentionDays`; `existing`: the bucket exists and the backup job is only granted access to it.",
    );

/** cert-manager's controller ServiceAccount, which solves DNS-01 challenges. */
const certManager = () =>
  settings({
    namespace: dnsLabel().default("cert-manager").describe("Namespace of cert-manager."),
    serviceAccount: dnsLabel(253).default("cert-manager").describe("ServiceAccount of the cert-manager controller."),
  })
    .prefault({})
    .describe("The cert-manager controller's ServiceAccount.");

/** EKS: IAM roles for service accounts, Secrets Manager, S3 and Route 53. */
export const AwsSchema = settings({
  region: awsRegion().describe("AWS region of the cluster, its secrets and its backup bucket."),
  accountId: awsAccountId().describe("AWS account id of the cluster."),
  oidcProviderArn: oidcProviderArn().describe(
    "ARN of the cluster's IAM OIDC provider (IAM roles for service accounts); the role trust policies name its issuer.",
  ),
  backupBucket: backupBucket(),
  route53: settings({
    hostedZoneId: hostedZoneId().describe("Route 53 hosted zone of `ingress.tls.solver.zone`."),
    certManager: certManager(),
  })
    .optional()
    .describe("DNS-01 on Route 53; required when `ingress.tls.solver.type` is `dns01`.")
    .meta(omitted("no DNS-01 on Route 53")),
}).describe("AWS settings, required when `cloud` is `aws`.");

/** GKE: Workload Identity, Secret Manager, GCS and Cloud DNS. */
export const GcpSchema = settings({
  project: gcpProjectId().describe("GCP project id of the stack's service accounts, secrets and bucket."),
  region: gcpRegion().describe("Region of the secrets' replicas and of the backup bucket."),
  workloadPool: workloadPool()
    .optional()
    .describe("Workload identity pool of the cluster.")
    .meta(omitted("`<project>.svc.id.goog` (the cluster is in `project`)")),
  backupBucket: backupBucket(),
  cloudDns: settings({
    managedZone: dnsLabel().describe("Cloud DNS managed zone (its name, not its DNS name) of `ingress.tls.solver.zone`."),
    certManager: certManager(),
  })
    .optional()
    .describe("DNS-01 on Cloud DNS; required when `ingress.tls.solver.type` is `dns01`.")
    .meta(omitted("no DNS-01 on Cloud DNS")),
}).describe("GCP settings, required when `cloud` is `gcp`.");

/** AKS: workload identity, Key Vault, Blob storage and Azure DNS. */
export const AzureSchema = settings({
  tenantId: guid().describe("Microsoft Entra tenant id."),
  subscriptionId: guid().describe("Subscription of the stack's identities, vault and storage account."),
  resourceGroup: resourceGroupName().describe("Resource group of the stack's identities, vault and storage account."),
  location: azureLocation().describe("Azure location of the created resources."),
  oidcIssuerUrl: oidcIssuerUrl().describe("OIDC issuer URL of the AKS cluster (`az aks show --query oidcIssuerProfile.issuerUrl`)."),
  keyVault: settings({
    name: keyVaultName().describe("Name of the Key Vault holding the stack's secrets."),
    mode: oneOf(["create", "existing"])
      .default("create")
      .describe(
        "`create`: the stack creates the vault (RBAC authorization, purge protection); `existing`: the vault exists in `resourceGroup` and uses RBAC authorization.",
      ),
  }).describe("Key Vault of the stack's secrets."),
  backupBucket: backupBucket(),
  dns: settings({
    resourceGroup: resourceGroupName().optional().describe("Resource group of the DNS zone.").meta(omitted("`resourceGroup`")),
    certManager: certManager(),
  })
    .optional()
    .describe("DNS-01 on Azure DNS (zone `ingress.tls.solver.zone`); required when `ingress.tls.solver.type` is `dns01`.")
    .meta(omitted("no DNS-01 on Azure DNS")),
}).describe("Azure settings, required when `cloud` is `azure`.");
