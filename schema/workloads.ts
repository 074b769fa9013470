/**
 * The zod schemas of the API and the worker (`api`, `worker`), and of a container's resources, which the
 * stores and the Kubernetes executor's runner pods take too. Package-private, as `fields.ts` is: the stack's
 * schema, the components and the tools import it, but no entry point exports it and its declarations, which
 * name zod's types, are not published (`package.json`'s `files`); the plain types the schemas parse to are
 * published in `types.ts` (generated), and `specs.ts` names pieces of them.
 */
import { z } from "zod";
import {
  cpu,
  cpuCores,
  envName,
  flag,
  httpPath,
  image,
  intBetween,
  memory,
  memoryMiB,
  omitted,
  positiveCpu,
  settings,
  stringMap,
  text,
  wellFormedQuantity,
} from "./fields";

/** Defaults of a container's resources. */
export interface ResourceDefaults {
  readonly cpuRequest: string;
  readonly memoryRequest: string;
  readonly cpuLimit: string;
  readonly memoryLimit: string;
  readonly ephemeralStorageRequest: string;
  readonly ephemeralStorageLimit: string;
}

/** The request and limit fields of a resource, compared after parsing. */
const REQUEST_LIMIT_PAIRS = [
  ["cpuRequest", "cpuLimit", cpuCores],
  ["memoryRequest", "memoryLimit", memoryMiB],
  ["ephemeralStorageRequest", "ephemeralStorageLimit", memoryMiB],
] as const;

/** The amount of a quantity, or NaN (never above anything) when it is malformed. */
function measured(amount: (quantity: string) => number, quantity: string): number {
  if (!wellFormedQuantity(quantity)) return NaN;
  try {
    return amount(quantity);
  } catch {
    return NaN;
  }
}

/** Container resource requests and limits, defaulting to `defaults`; no request may exceed its limit. */
export function resourcesSchema(defaults: ResourceDefaults) {
  return settings({
    cpuRequest: cpu().default(defaults.cpuRequest).describe("CPU request."),
    memoryRequest: memory().default(defaults.memoryRequest).describe("Memory request."),
    cpuLimit: cpu()
      .refine(positiveCpu, {
        error: 'must be a CPU quantity above 0 such as "250m" or "2": a limit of 0 leaves no CPU',
      })
      .default(defaults.cpuLimit)
      .describe("CPU limit, above 0."),
    memoryLimit: memory().default(defaults.memoryLimit).describe("Memory limit."),
    ephemeralStorageRequest: memory()
      .default(defaults.ephemeralStorageRequest)
      .describe("Ephemeral storage request: the node disk the container's logs and scratch directories may use."),
    ephemeralStorageLimit: memory()
      .default(defaults.ephemeralStorageLimit)
      .describe("Ephemeral storage limit: the pod is evicted when its logs and scratch directories use more."),
  })
    .prefault({})
    .superRefine((resources, ctx) => {
      for (const [request, limit, amount] of REQUEST_LIMIT_PAIRS) {
        // A malformed quantity has its own problem already; only well-formed pairs are compared.
        if (measured(amount, resources[request]) > measured(amount, resources[limit])) {
          ctx.addIssue({
            code: "custom",
            path: [request],
            input: resources[request],
            message: `must not exceed \`${limit}\` (${resources[limit]})`,
          });
        }
      }
    })
    .describe("Container resource requests and limits.");
}

/** Horizontal autoscaling on CPU. */
const AutoscalingSchema = settings({
  enabled: flag().default(true).describe("Create a HorizontalPodAutoscaler; the Deployment's replica count is then left to it."),
  minReplicas: intBetween(1, 100).default(2).describe("Fewest replicas."),
  maxReplicas: intBetween(1, 100).default(10).describe("Most replicas."),
  targetCpuUtilizationPercent: intBetween(10, 100).default(70).describe("Average CPU utilisation to aim for."),
})
  .prefault({})
  .superRefine((a, ctx) => {
    if (a.enabled && a.minReplicas > a.maxReplicas) {
      ctx.addIssue({
        code: "custom",
        path: ["minReplicas"],
        input: a.minReplicas,
        message: `must not exceed \`maxReplicas\` (${a.maxReplicas})`,
      });
    }
  })
  .describe("Horizontal Pod autoscaling on CPU utilisation.");

/** Fields common to the API and the worker. */
function workloadFields(defaults: { replicas: number; resources: ResourceDefaults }) {
  return {
    image: image().describe("Container image, pinned by tag or digest."),
    replicas: intBetween(1, 100).default(defaults.replicas).describe("Replica count when autoscaling is disabled."),
    command: z.array(text(4096)).optional().describe("Container entrypoint override.").meta(omitted("the image's entrypoint")),
    args: z.array(text(4096)).optional().describe("Container arguments.").meta(omitted("the image's arguments")),
    env: stringMap(envName())
      .default({})
      .describe("Plain environment variables. Credentials come from the stack's Secret, never from here."),
    resources: resourcesSchema(defaults.resources),
    autoscaling: AutoscalingSchema,
    maxUnavailable: intBetween(0, 100).default(1).describe("PodDisruptionBudget `maxUnavailable`."),
    progressDeadlineSeconds: intBetween(30, 3600)
      .default(600)
      .describe(
        "How long a rollout may make no progress (new pods not becoming ready, as with a release that exits at start) before the Deployment reports `ProgressDeadlineExceeded`; Kubernetes' default. `pulumi up` names that condition when it fails, but waits for `rolloutTimeoutSeconds` first.",
      ),
    rolloutTimeoutSeconds: intBetween(30, 7200)
      .optional()
      .meta(omitted("600, pulumi-kubernetes' own 10 minutes"))
      .describe(
        "How long `pulumi up` waits for the Deployment's rollout before the update fails (and a fleet upgrade's health gate stops the wave). pulumi-kubernetes waits this long even once the Deployment reports `ProgressDeadlineExceeded`: a release that exits at start fails the update only then. Leave room for the whole rollout, one pod after another.",
      ),
  };
}

/** The HTTP API Deployment. */
export const ApiSchema = settings({
  ...workloadFields({
    replicas: 2,
    resources: {
      cpuRequest: "250m",
      memoryRequest: "256Mi",
      cpuLimit: "1",
      memoryLimit: "512Mi",
      ephemeralStorageRequest: "128Mi",
      ephemeralStorageLimit: "1Gi",
    },
  }),
  port: intBetween(1024, 65535).default(8080).describe("Port the API listens on (non-root, so 1024 or above)."),
  healthPath: httpPath().default("/healthz").describe("Liveness and startup probe path."),
  readyPath: httpPath().default("/readyz").describe("Readiness probe path."),
  metricsPath: httpPath().default("/metrics").describe("Prometheus metrics path, scraped when monitoring is enabled."),
}).describe("The HTTP API.");

/** How the worker reports its health. */
const WorkerHealthSchema = z
  .discriminatedUnion(
    "type",
    [
      settings({
        type: z.literal("http").describe("An HTTP health endpoint on its own port."),
        port: intBetween(1024, 65535).default(8081).describe("Health port."),
        path: httpPath().default("/healthz").describe("Health path."),
      }),
      settings({
        type: z.literal("exec").describe("A command run in the container."),
        command: z.array(text(4096)).min(1, { error: "must have at least one element" }).describe("Health command."),
      }),
    ],
    { error: 'must be one of "http", "exec"' },
  )
  .prefault({ type: "http" })
  .describe(
    "The worker's health check, run by its readiness probe. Liveness and startup only check that the worker is alive: `http`, that the health port accepts connections; `exec`, the same command, with liveness tolerating 5 minutes of failures.",
  );

/** The background worker Deployment. */
export const WorkerSchema = settings({
  ...workloadFields({
    replicas: 1,
    resources: {
      cpuRequest: "250m",
      memoryRequest: "256Mi",
      cpuLimit: "1",
      memoryLimit: "1Gi",
      ephemeralStorageRequest: "128Mi",
      ephemeralStorageLimit: "1Gi",
    },
  }),
  health: WorkerHealthSchema,
}).describe("The background worker.");
