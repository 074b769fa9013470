/**
 * The Kubernetes executor's settings as data: where stack jobs run when they run as Kubernetes Jobs
 * (`executor: "kubernetes"`), each in a runner pod of the runner image, and how they are bounded.
 * Package-private, as `driverOptions.ts` is: the driver imports the schema, no entry point exports it,
 * and the plain type it parses to is published in `automation/types.ts` (generated).
 */
import { z } from "zod";
import { dnsLabel, image, intBetween, labels, mapKey, mapError, settings, text } from "./fields";
import { SchedulingSchema } from "./scheduling";
import { resourcesSchema } from "./workloads";

const PATH_MESSAGE = "must be a file path (absolute, or relative to the working directory)";
const SERVER_MESSAGE = 'must be an https:// URL of a Kubernetes API server, such as "https://kubernetes.default.svc"';

/** A file path, not empty. */
function filePath() {
  return z.string({ error: PATH_MESSAGE }).refine((v) => v.trim() !== "" && !v.includes("\0"), { error: PATH_MESSAGE });
}

/** Whether `value` is an https:// URL with a host. */
function apiServer(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.hostname !== "";
  } catch {
    return false;
  }
}

/** How the runners reach one cluster their stacks run on. */
const RunnerClusterSchema = settings({
  kubeconfig: filePath()
    .optional()
    .describe("The kubeconfig the runners use for this cluster (its current context); holds credentials: reaches runners only in a Secret.")
    .meta({ "x-omitted": "the workspace's kubeconfig of the cluster" }),
  server: text(2048)
    .refine(apiServer, { error: SERVER_MESSAGE })
    .optional()
    .describe(
      "The API server's address as the runners see it, replacing the kubeconfig's (its certificate must name it): for the cluster the runners run on, `https://kubernetes.default.svc`.",
    )
    .meta({ "x-omitted": "the kubeconfig's own" }),
});

/**
 * Stack jobs as Kubernetes Jobs: one Job per stack job, in a runner namespace, from a runner image.
 */
export const RunnerSettingsSchema = settings({
  image: image().describe(
    "The runner image: Node.js 22, this package built, the Pulumi CLI and plugins at their pinned versions (`tools/images/build.sh runner` builds one).",
  ),
  namespace: dnsLabel(63)
    .default("tenantstack-runners")
    .describe("Namespace of the runner Jobs, their Secrets, ServiceAccount and ResourceQuota."),
  kubeconfig: filePath()
    .optional()
    .describe(
      "The kubeconfig of the cluster the runners run on (its current context); the driver creates Jobs and reads their logs with it.",
    )
    .meta({ "x-omitted": "the workspace's kubeconfig of the `local` cluster, else `KUBECONFIG`" }),
  clusters: z
    .record(mapKey("a cluster name"), RunnerClusterSchema, { error: mapError("must be a map of cluster names to how runners reach them") })
    .default({})
    .describe(
      "How the runners reach each cluster their stacks run on; a cluster not named is reached with the workspace's kubeconfig as it is.",
    ),
  concurrency: intBetween(1, 256)
    .default(4)
    .describe("Most runner Jobs of this driver at once; the namespace's ResourceQuota bounds all drivers' together."),
  resources: resourcesSchema({
    cpuRequest: "500m",
    memoryRequest: "1Gi",
    cpuLimit: "2",
    memoryLimit: "2Gi",
    ephemeralStorageRequest: "256Mi",
    ephemeralStorageLimit: "2Gi",
  }).describe("Requests and limits of each runner (an engine takes about 0.9 GiB)."),
  scheduling: SchedulingSchema.describe("Where runner pods are scheduled: a node selector and tolerations."),
  namespaceLabels: labels()
    .default({})
    .describe("Extra labels of the runner namespace, such as a team's or a cost centre's (the pod security labels are the executor's)."),
  timeoutSeconds: intBetween(60, 86_400)
    .default(1800)
    .describe("Longest a runner may take before it is killed (the Job's active deadline too)."),
  cancelGraceSeconds: intBetween(5, 3600)
    .default(60)
    .describe("How long a cancelled runner may take to stop its engine cleanly (SIGTERM, then the engine's SIGINT) before it is killed."),
  keepFinishedSeconds: intBetween(0, 604_800)
    .default(3600)
    .describe("How long a finished runner Job and its Secret are kept when the driver could not delete them (`ttlSecondsAfterFinished`)."),
}).describe("The Kubernetes executor: each stack job a Kubernetes Job in a runner pod.");
