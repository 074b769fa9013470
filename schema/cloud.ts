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
import { EKS_ISSUER, OIDC_PROVIDER_ARN } from "./cloudNames";
import { dnsLabel, omitted, oneOf, settings } from "./fields";
import type { AwsSpec, AzureSpec, GcpSpec } from "./types";

/** Clouds a stack can run on. */
export const CLOUDS = ["none", "aws", "gcp", "azure"] as const;
/** A cloud other than `none`. */
export type Cloud = Exclude<(typeof CLOUDS)[number], "none">;

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

/**
 * EKS: IAM roles for service accounts, Secrets Manager, S3 and Route 53.
 * @internal
 */
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

/**
 * GKE: Workload Identity, Secret Manager, GCS and Cloud DNS.
 * @internal
 */
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

/**
 * AKS: workload identity, Key Vault, Blob storage and Azure DNS.
 * @internal
 */
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

/** Validated settings of each cloud. */
export interface CloudSpecs {
  readonly aws: AwsSpec;
  readonly gcp: GcpSpec;
  readonly azure: AzureSpec;
}

/** The backup destination and DNS-01 provider each cloud serves. */
export const CLOUD_SERVICES = {
  aws: { destination: "s3", dnsProvider: "route53", dnsKey: "route53" },
  gcp: { destination: "gcs", dnsProvider: "clouddns", dnsKey: "cloudDns" },
  azure: { destination: "azureBlob", dnsProvider: "azuredns", dnsKey: "dns" },
} as const;

/** One problem with a field: its path, what is wrong, and the value received (undefined when missing). */
export interface Problem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly input: unknown;
}

/** What a cloud integration serves, with the paths that name each part in messages. */
export interface CloudUse<C extends Cloud = Cloud> {
  readonly cloud: C;
  readonly settings: CloudSpecs[C];
  readonly settingsPath: readonly PropertyKey[];
  /** The object store destination of the backups, if any. */
  readonly backup?: { readonly destination: { readonly type: string; readonly region?: string }; readonly path: readonly PropertyKey[] };
  /** The DNS-01 solver, if any. */
  readonly dns01?: { readonly provider: string; readonly path: readonly PropertyKey[] };
}

/** Problems between a cloud's settings and what it must serve: mismatched regions, projects, services, missing zones. */
export function cloudUseProblems(use: CloudUse): Problem[] {
  const problems: Problem[] = [];
  const services = CLOUD_SERVICES[use.cloud];
  const at = (...path: PropertyKey[]) => [...use.settingsPath, ...path];
  const destination = use.backup?.destination;
  if (destination && destination.type !== services.destination) {
    problems.push({
      path: [...use.backup!.path, "type"],
      message: `must be "volume" or "${services.destination}" when \`cloud\` is "${use.cloud}"`,
      input: destination.type,
    });
  }
  if (use.dns01) {
    if (use.dns01.provider !== services.dnsProvider) {
      problems.push({
        path: [...use.dns01.path, "provider"],
        message: `must be "${services.dnsProvider}" when \`cloud\` is "${use.cloud}"`,
        input: use.dns01.provider,
      });
    }
    if ((use.settings as object as Record<string, unknown>)[services.dnsKey] === undefined) {
      problems.push({
        path: at(services.dnsKey),
        message: 'must name the DNS zone\'s details when `ingress.tls.solver.type` is "dns01"',
        input: undefined,
      });
    }
  }
  if (use.cloud === "aws") problems.push(...awsProblems(use as CloudUse<"aws">, at));
  if (use.cloud === "azure") problems.push(...azureProblems(use as CloudUse<"azure">, at));
  return problems;
}

type At = (...path: PropertyKey[]) => PropertyKey[];

function awsProblems(use: CloudUse<"aws">, at: At): Problem[] {
  const problems: Problem[] = [];
  const aws = use.settings;
  const destination = use.backup?.destination;
  if (destination?.type === "s3" && destination.region !== aws.region) {
    problems.push({
      path: [...use.backup!.path, "region"],
      message: `must be the stack's region \`aws.region\` ("${aws.region}")`,
      input: destination.region,
    });
  }
  const arn = OIDC_PROVIDER_ARN.exec(aws.oidcProviderArn);
  if (arn && arn[2] !== aws.accountId) {
    problems.push({
      path: at("oidcProviderArn"),
      message: `must belong to the stack's account \`aws.accountId\` ("${aws.accountId}")`,
      input: aws.oidcProviderArn,
    });
  }
  const issuerRegion = arn ? EKS_ISSUER.exec(arn[3])?.[1] : undefined;
  if (issuerRegion !== undefined && issuerRegion !== aws.region) {
    problems.push({
      path: at("oidcProviderArn"),
      message: `must be the issuer of a cluster in the stack's region \`aws.region\` ("${aws.region}")`,
      input: aws.oidcProviderArn,
    });
  }
  return problems;
}

function azureProblems(use: CloudUse<"azure">, at: At): Problem[] {
  const azure = use.settings;
  const aksIssuer = /^https:\/\/[a-z0-9-]+\.oic\.prod-aks\.azure\.com\/([0-9a-f-]{36})\//.exec(azure.oidcIssuerUrl);
  if (aksIssuer && aksIssuer[1] !== azure.tenantId) {
    return [
      {
        path: at("oidcIssuerUrl"),
        message: `must be the issuer of a cluster in the stack's tenant \`azure.tenantId\` ("${azure.tenantId}")`,
        input: azure.oidcIssuerUrl,
      },
    ];
  }
  return [];
}

/** The workload identity pool of validated GCP settings. */
export function workloadPoolOf(gcp: GcpSpec): string {
  return gcp.workloadPool ?? `${gcp.project}.svc.id.goog`;
}
