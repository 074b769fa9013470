import { z } from "zod";
import { PostgresSchema, OllamaSchema, RedisSchema } from "./data";
import { parseOrThrow, ValidationError, problemsOf } from "./errors";
import { dnsLabel, duration, flag, memoryMiB, oneOf, settings } from "./fields";
import { IngressSchema } from "./ingress";
import { ENVIRONMENTS } from "./naming";
import { missingAppSecretProblems, SecretsSchema } from "./secrets";
import { TenancySchema } from "./tenant";
import { ApiSchema, WorkerSchema } from "./workloads";

/** Clouds a stack can run on. */
export const CLOUDS = ["none", "aws", "gcp", "azure"] as const;

/** Prometheus Operator scraping. */
const MonitoringSchema = settings({
  serviceMonitor: flag().default(false).describe("Create a ServiceMonitor (`monitoring.coreos.com/v1`) for the API."),
  interval: duration().default("30s").describe("Scrape interval."),
})
  .prefault({})
  .describe("Monitoring.");

/** The shape of a stack, before the rules that span several fields. */
const StackShape = settings({
  environment: oneOf(ENVIRONMENTS).describe("Environment of the stack; `prod` enforces production rules."),
  cloud: oneOf(CLOUDS).default("none").describe("Cloud the cluster runs on; `none` needs no cloud provider."),
  namespace: dnsLabel()
    .optional()
    .describe(
      "Namespace of the stack. Defaults to `tenantstack-<environment>` (shared) or `tenantstack-<environment>-<tenant>` (dedicated).",
    ),
  tenancy: TenancySchema,
  api: ApiSchema,
  worker: WorkerSchema,
  postgres: PostgresSchema,
  redis: RedisSchema,
  ollama: OllamaSchema,
  ingress: IngressSchema,
  secrets: SecretsSchema,
  monitoring: MonitoringSchema,
});

/** One stack of tenantstack: the single source of its config, component args, defaults and JSON Schema. */
export const StackSchema = StackShape.superRefine((stack, ctx) => {
  const problem = (path: PropertyKey[], message: string, input: unknown) => ctx.addIssue({ code: "custom", path, message, input });

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

  if (stack.redis.maxmemoryMb >= memoryMiB(stack.redis.resources.memoryLimit)) {
    problem(
      ["redis", "maxmemoryMb"],
      `must be below \`redis.resources.memoryLimit\` (${stack.redis.resources.memoryLimit}), or Redis is killed before it evicts`,
      stack.redis.maxmemoryMb,
    );
  }
});

/** A stack's settings as written (defaults optional). */
export type StackInput = z.input<typeof StackSchema>;
/** A validated stack with every default applied. */
export type StackSpec = z.output<typeof StackSchema>;

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
}

/** Validates a stack, reporting every problem at once in a {@link ValidationError}. */
export function parseStack(input: unknown, options: ParseStackOptions = {}): StackSpec {
  const root = options.root ?? "";
  const result = StackSchema.safeParse(input, { reportInput: true });
  const problems = result.success ? [] : problemsOf(result.error.issues, root);
  if (result.success && options.providedAppSecrets) {
    problems.push(...missingAppSecretProblems(result.data.secrets, options.providedAppSecrets, root));
  }
  if (problems.length > 0 || !result.success) throw new ValidationError("tenantstack stack settings", problems);
  return result.data;
}

/** Validates one part of a stack (a component's settings), naming fields under `root`. */
export function parseSpec<S extends z.ZodType>(schema: S, input: unknown, root: string): z.output<S> {
  return parseOrThrow(schema, input, `${root} settings`, root);
}
