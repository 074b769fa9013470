import { z } from "zod";
import { CLOUDS, type CloudUse, cloudUseProblems, type Problem } from "./cloud";
import { AwsSchema, AzureSchema, GcpSchema } from "./cloudSettings";
import { PostgresSchema, OllamaSchema, RedisSchema } from "./data";
import { reservedKeyProblems, ValidationError } from "./errors";
import { propertyProblemsOf } from "./issues";
import { dnsLabel, duration, flag, labels, omitted, oneOf, settings } from "./fields";
import { IngressSchema } from "./ingress";
import { ENVIRONMENTS } from "./naming";
import { SchedulingSchema } from "./scheduling";
import { credentialKey, credentialNames, missingAppSecretProblems } from "./secrets";
import { plaintextCredentialProblems, SecretsSchema } from "./secretSettings";
import { TenancySchema } from "./tenant";
import type { AwsInput, AwsSpec, AzureInput, AzureSpec, GcpInput, GcpSpec, StackInputFields, StackSpecFields } from "./types";
import { ApiSchema, WorkerSchema } from "./workloads";

/** Prometheus Operator scraping. */
const MonitoringSchema = settings({
  serviceMonitor: flag().default(false).describe("Create a ServiceMonitor (`monitoring.coreos.com/v1`) for the API."),
  interval: duration().default("30s").describe("Scrape interval."),
  prometheus: settings({
    namespace: dnsLabel()
      .default("monitoring")
      .describe("Namespace of the Prometheus pods, allowed by NetworkPolicy to scrape the API's port when `serviceMonitor` is on."),
    podSelector: labels()
      .default({ "app.kubernetes.io/name": "prometheus" })
      .describe(
        "Labels of the Prometheus pods in that namespace (the Prometheus Operator's label by default); `{}` allows every pod of the namespace.",
      ),
  })
    .prefault({})
    .describe("Where the scraping Prometheus runs, for the NetworkPolicy that lets it reach the API."),
})
  .prefault({})
  .describe("Monitoring.");

/** Label key prefixes the stack's namespace takes from tenantstack only. */
const RESERVED_LABEL_PREFIXES = ["app.kubernetes.io/", "pod-security.kubernetes.io/"];

/** The shape of a stack, before the rules that span several fields. */
const StackShape = settings({
  environment: oneOf(ENVIRONMENTS).describe("Environment of the stack; `prod` enforces production rules."),
  cloud: oneOf(CLOUDS)
    .default("none")
    .describe(
      "Cloud the cluster runs on; `none` needs no cloud provider. Each other cloud needs its block of settings (`aws`, `gcp` or `azure`).",
    ),
  aws: AwsSchema.optional(),
  gcp: GcpSchema.optional(),
  azure: AzureSchema.optional(),
  namespace: dnsLabel()
    .optional()
    .describe("Namespace of the stack.")
    .meta(omitted("`tenantstack-<environment>` (shared) or `tenantstack-<environment>-<tenant>` (dedicated)")),
  namespaceLabels: labels()
    .default({})
    .describe(
      "Labels added to the stack's namespace, such as those a policy engine, a cost report or a cleanup tool selects by. Keys under `app.kubernetes.io/` and `pod-security.kubernetes.io/` are tenantstack's own.",
    ),
  tenancy: TenancySchema,
  scheduling: SchedulingSchema,
  api: ApiSchema,
  worker: WorkerSchema,
  postgres: PostgresSchema,
  redis: RedisSchema,
  ollama: OllamaSchema,
  ingress: IngressSchema,
  secrets: SecretsSchema,
  monitoring: MonitoringSchema,
});

/**
 * One stack of tenantstack: the single source of its config, component args, defaults and JSON Schema.
 * @internal
 */
export const StackSchema = StackShape.superRefine((stack, ctx) => {
  const problem = (path: PropertyKey[], message: string, input: unknown) => ctx.addIssue({ code: "custom", path, message, input });

  for (const key of Object.keys(stack.namespaceLabels)) {
    const prefix = RESERVED_LABEL_PREFIXES.find((p) => key.startsWith(p));
    if (prefix)
      problem(["namespaceLabels", key], `is set by tenantstack itself: keys under "${prefix}" are its own; use a prefix of yours`, key);
  }

  const issuer = stack.ingress.tls.issuer;
  if (stack.environment === "prod" && (issuer === "letsencrypt-staging" || issuer === "none")) {
    problem(
      ["ingress", "tls", "issuer"],
      'must be "letsencrypt-prod" or "existing" in a prod stack: browsers do not trust staging certificates, and plain HTTP exposes credentials',
      issuer,
    );
  }

  if (stack.tenancy.mode === "shared") {
    for (const field of ["name", "host"] as const) {
      const seen = new Map<string, number>();
      stack.tenancy.tenants.forEach((tenant, index) => {
        const first = seen.get(tenant[field]);
        if (first === undefined) seen.set(tenant[field], index);
        else problem(["tenancy", "tenants", index, field], `must be unique: tenant ${first} has it too`, tenant[field]);
      });
    }
  }

  for (const problem of cloudProblems(stack)) ctx.addIssue({ code: "custom", ...problem, path: [...problem.path] });

  const credentialKeys = credentialNames(stack.secrets).map(credentialKey);
  for (const workload of ["api", "worker"] as const) {
    for (const p of plaintextCredentialProblems(stack[workload].env, credentialKeys))
      problem([workload, "env", ...p.path], p.message, p.input);
  }
});

/** Problems of the cloud settings: a block for exactly the chosen cloud, and what it must serve. */
function cloudProblems(stack: z.output<typeof StackShape>): Problem[] {
  const problems: Problem[] = [];
  for (const other of CLOUDS) {
    if (other === "none" || other === stack.cloud || stack[other] === undefined) continue;
    problems.push({ path: [other], message: `must not be set when \`cloud\` is "${stack.cloud}"`, input: stack[other] });
  }
  if (stack.cloud === "none") {
    if (stack.secrets.source === "cloud") {
      problems.push({
        path: ["secrets", "source"],
        message: 'must not be "cloud" when `cloud` is "none": there is no cloud secret store; use "generated" or "external"',
        input: "cloud",
      });
    }
    return problems;
  }
  const settings = stack[stack.cloud];
  if (settings === undefined) {
    problems.push({
      path: [stack.cloud],
      message: `must hold the ${stack.cloud.toUpperCase()} settings when \`cloud\` is "${stack.cloud}"`,
      input: undefined,
    });
    return problems;
  }
  const destination = stack.postgres.backup.destination;
  const tls = stack.ingress.tls;
  const solver = tls.issuer === "letsencrypt-staging" || tls.issuer === "letsencrypt-prod" ? tls.solver : undefined;
  problems.push(
    ...cloudUseProblems({
      cloud: stack.cloud,
      settings,
      settingsPath: [stack.cloud],
      backup:
        stack.postgres.backup.enabled && destination.type !== "volume"
          ? { destination, path: ["postgres", "backup", "destination"] }
          : undefined,
      dns01: solver?.type === "dns01" ? { provider: solver.provider, path: ["ingress", "tls", "solver"] } : undefined,
    } as CloudUse),
  );
  return problems;
}

/** No cloud: no cloud block. */
interface NoCloud {
  /**
   * Cloud the cluster runs on; `none` needs no cloud provider.
   * @default "none"
   */
  readonly cloud?: "none";
  /**
   * AWS settings, only with `cloud: aws`.
   * @default - none
   */
  readonly aws?: undefined;
  /**
   * GCP settings, only with `cloud: gcp`.
   * @default - none
   */
  readonly gcp?: undefined;
  /**
   * Azure settings, only with `cloud: azure`.
   * @default - none
   */
  readonly azure?: undefined;
}

/** The stack settings of each cloud choice: its block, and no other cloud's. */
type CloudChoice<Aws, Gcp, Azure> =
  | NoCloud
  | (Omit<NoCloud, "cloud" | "aws"> & {
      /** Cloud the cluster runs on: EKS. */
      readonly cloud: "aws";
      /** AWS settings: IAM roles for service accounts, Secrets Manager, S3 and Route 53. */
      readonly aws: Aws;
    })
  | (Omit<NoCloud, "cloud" | "gcp"> & {
      /** Cloud the cluster runs on: GKE. */
      readonly cloud: "gcp";
      /** GCP settings: Workload Identity, Secret Manager, GCS and Cloud DNS. */
      readonly gcp: Gcp;
    })
  | (Omit<NoCloud, "cloud" | "azure"> & {
      /** Cloud the cluster runs on: AKS. */
      readonly cloud: "azure";
      /** Azure settings: workload identity, Key Vault, Blob storage and Azure DNS. */
      readonly azure: Azure;
    });

/** A stack's settings as written (defaults optional): the block of exactly the chosen cloud. */
export type StackInput = StackInputFields & CloudChoice<AwsInput, GcpInput, AzureInput>;
/** A validated stack with every default applied. */
export type StackSpec = StackSpecFields & CloudChoice<AwsSpec, GcpSpec, AzureSpec>;

/** Options of {@link parseStack}. */
export interface ParseStackOptions {
  /**
   * Names of the app secrets whose values are provided (`appSecretValues`); with generated secrets each
   * name in `secrets.appSecretNames` must be among them.
   * @default - app secrets are not checked
   */
  readonly providedAppSecrets?: readonly string[];
  /**
   * Prefix of field paths in messages: `tenantstack:` for Pulumi config.
   * @default ""
   */
  readonly root?: string;
  /**
   * Top-level settings whose values were set as secrets (`pulumi config set --secret`): messages about them
   * never quote a value.
   * @default []
   */
  readonly secretSettings?: readonly string[];
}

/** Validates a stack, reporting every problem at once in a {@link ValidationError}. */
export function parseStack(input: unknown, options: ParseStackOptions = {}): StackSpec {
  const root = options.root ?? "";
  const result = StackSchema.safeParse(input, { reportInput: true });
  const secretSettings = options.secretSettings ?? [];
  const secret = (segments: readonly PropertyKey[]) => secretSettings.includes(String(segments[0]));
  const problems = result.success ? [] : propertyProblemsOf(result.error.issues, root, secret);
  problems.push(...reservedKeyProblems(input, root, problems));
  if (result.success && options.providedAppSecrets) {
    const paths = { values: `${root}appSecretValues`, names: `${root}secrets.appSecretNames`, config: root !== "" };
    problems.push(...missingAppSecretProblems(result.data.secrets, options.providedAppSecrets, paths));
  }
  if (problems.length > 0 || !result.success) throw new ValidationError("tenantstack stack settings", problems);
  return result.data as StackSpec;
}
