import { EKS_ISSUER, OIDC_PROVIDER_ARN } from "./cloudNames";
import type { AwsSpec, AzureSpec, GcpSpec } from "./types";

/** Clouds a stack can run on. */
export const CLOUDS = ["none", "aws", "gcp", "azure"] as const;
/** A cloud other than `none`. */
export type Cloud = Exclude<(typeof CLOUDS)[number], "none">;

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
