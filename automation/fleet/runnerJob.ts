/**
 * The Kubernetes objects of the Kubernetes executor, as plain data: the runner namespace with its
 * ServiceAccount (no API token: a runner reaches clusters only with the kubeconfigs it is given) and
 * ResourceQuota, and per stack job a Job of one runner pod and the Secret holding its input (the job,
 * the workspace with its passphrase and environment, the kubeconfigs): nothing secret is in a Job spec,
 * an argument or an environment value.
 */
import { createHash, randomBytes } from "node:crypto";
import { RESTRICTED_CONTAINER, restrictedPodSecurity } from "../../components/podSecurity";
import { cpuCores, memoryMiB } from "../../schema/fields";
import type { StackJob } from "../operations/stackJob";
import type { ResolvedRunnerSettings } from "../types";
import type { WorkspaceOptions } from "../workspace";

/** What a runner reads from its Secret: the job, its workspace (runner paths), each cluster's kubeconfig. */
export interface RunnerInput {
  readonly job: StackJob;
  readonly workspace: WorkspaceOptions;
  /** Each cluster's kubeconfig (`portableKubeconfig`), by cluster name. */
  readonly kubeconfigs: Readonly<Record<string, string>>;
  /**
   * A job with a saved plan: the key its plan travels sealed with (`sealedPlan.ts`), and the plan an
   * update applies, sealed.
   * @default - none: a job without a plan
   */
  readonly plan?: { readonly key: string; readonly sealed?: string };
}

/** Where a runner pod finds its input (the Secret's volume), and the key of the input in the Secret. */
export const RUNNER_INPUT_DIR = "/var/run/tenantstack/input";
export const RUNNER_INPUT_KEY = "input.json";
/** The runner's writable scratch (an emptyDir): its state directory, Pulumi home, kubeconfig files. */
export const RUNNER_WORK_DIR = "/work";
/** The user runners run as (the runner image's). */
export const RUNNER_UID = 10001;
/** The ServiceAccount and ResourceQuota of the runner namespace. */
export const RUNNER_SERVICE_ACCOUNT = "tenantstack-runner";
export const RUNNER_QUOTA = "tenantstack-runners";
/**
 * Labels of every runner object; `tenantstack.io/runner` is a Job's own name, `tenantstack.io/stack-key`
 * its stack's {@link runnerStackKey}.
 */
const RUNNER_LABELS = {
  "app.kubernetes.io/name": "tenantstack",
  "app.kubernetes.io/component": "runner",
  "app.kubernetes.io/managed-by": "tenantstack",
};

/** A new runner Job name: `tsrun-<stack>-<random>`, a DNS label of at most 52 characters (a Job's pods add a suffix). */
export function runnerJobName(stack: string): string {
  const slug = stack
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 30)
    .replace(/-+$/, "");
  const unique = createHash("sha256").update(stack).update(randomBytes(8)).digest("hex").slice(0, 10);
  return `tsrun-${slug ? `${slug}-` : ""}${unique}`;
}

/**
 * What the runner Jobs of one stack of one state backend have in common, whichever driver made them: a
 * label value (a hash, as stack names and backend addresses do not fit one), by which a driver that
 * took a stack over finds the runners a dead driver left. Drivers of other backends sharing the runner
 * namespace never match.
 */
export function runnerStackKey(backendUrl: string, stack: string): string {
  return createHash("sha256").update(backendUrl).update("\0").update(stack).digest("hex").slice(0, 32);
}

/** `count` times a CPU quantity, in millicores. */
function timesCpu(quantity: string, count: number): string {
  return `${Math.ceil(cpuCores(quantity) * 1000 * count)}m`;
}

/** `count` times a memory quantity, in MiB. */
function timesMemory(quantity: string, count: number): string {
  return `${Math.ceil(memoryMiB(quantity) * count)}Mi`;
}

/**
 * The runner namespace (restricted pod security), its ServiceAccount without an API token, and a
 * ResourceQuota of `concurrency` runners: what the executor applies before its first Job.
 */
export function runnerNamespaceObjects(settings: ResolvedRunnerSettings) {
  const { namespace, concurrency, resources } = settings;
  return [
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: namespace,
        labels: {
          ...settings.namespaceLabels,
          ...RUNNER_LABELS,
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/enforce-version": "latest",
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: RUNNER_SERVICE_ACCOUNT, namespace, labels: RUNNER_LABELS },
      automountServiceAccountToken: false,
    },
    {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: RUNNER_QUOTA, namespace, labels: RUNNER_LABELS },
      spec: {
        hard: {
          pods: String(concurrency),
          "requests.cpu": timesCpu(resources.cpuRequest, concurrency),
          "requests.memory": timesMemory(resources.memoryRequest, concurrency),
          "limits.cpu": timesCpu(resources.cpuLimit, concurrency),
          "limits.memory": timesMemory(resources.memoryLimit, concurrency),
          "requests.ephemeral-storage": timesMemory(resources.ephemeralStorageRequest, concurrency),
          "limits.ephemeral-storage": timesMemory(resources.ephemeralStorageLimit, concurrency),
        },
      },
    },
  ];
}

/**
 * The Job of one stack job: one runner pod, never retried by Kubernetes (the driver recovers and retries
 * a stack whose runner died, as it does a local worker's), deadline the executor's timeout plus the
 * cancel grace, kept `keepFinishedSeconds` if the driver could not delete it, labelled with its
 * stack's `stackKey` ({@link runnerStackKey}). The pod runs as
 * {@link RUNNER_UID} under the restricted profile with a read-only root, its input a Secret volume,
 * its scratch an emptyDir, and gets SIGTERM on cancel with `cancelGraceSeconds` to stop its engine.
 */
export function runnerJob(name: string, job: StackJob, settings: ResolvedRunnerSettings, stackKey: string) {
  const labels = { ...RUNNER_LABELS, "tenantstack.io/runner": name, "tenantstack.io/stack-key": stackKey };
  const { resources, scheduling } = settings;
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name,
      namespace: settings.namespace,
      labels,
      annotations: { "tenantstack.io/stack": job.stack, "tenantstack.io/operation": job.kind },
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: settings.timeoutSeconds + settings.cancelGraceSeconds,
      ttlSecondsAfterFinished: settings.keepFinishedSeconds,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          // Enforced by the kubelet too: a runner ends by its deadline even while the API server is unreachable.
          activeDeadlineSeconds: settings.timeoutSeconds + settings.cancelGraceSeconds,
          serviceAccountName: RUNNER_SERVICE_ACCOUNT,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: settings.cancelGraceSeconds,
          securityContext: restrictedPodSecurity(RUNNER_UID),
          nodeSelector: scheduling.nodeSelector,
          tolerations: scheduling.tolerations,
          containers: [
            {
              name: "runner",
              image: settings.image,
              imagePullPolicy: "IfNotPresent",
              env: [
                { name: "TENANTSTACK_RUNNER_INPUT", value: `${RUNNER_INPUT_DIR}/${RUNNER_INPUT_KEY}` },
                { name: "TENANTSTACK_RUNNER_WORK_DIR", value: RUNNER_WORK_DIR },
                { name: "HOME", value: `${RUNNER_WORK_DIR}/home` },
                { name: "TMPDIR", value: `${RUNNER_WORK_DIR}/tmp` },
              ],
              resources: {
                requests: {
                  cpu: resources.cpuRequest,
                  memory: resources.memoryRequest,
                  "ephemeral-storage": resources.ephemeralStorageRequest,
                },
                limits: { cpu: resources.cpuLimit, memory: resources.memoryLimit, "ephemeral-storage": resources.ephemeralStorageLimit },
              },
              securityContext: RESTRICTED_CONTAINER,
              volumeMounts: [
                { name: "input", mountPath: RUNNER_INPUT_DIR, readOnly: true },
                { name: "work", mountPath: RUNNER_WORK_DIR },
              ],
            },
          ],
          volumes: [
            { name: "input", secret: { secretName: name, defaultMode: 0o400 } },
            { name: "work", emptyDir: { sizeLimit: resources.ephemeralStorageLimit } },
          ],
        },
      },
    },
  };
}

/** The Secret of a runner Job's input, owned by the Job (so that it goes with it). */
export function runnerSecret(name: string, namespace: string, input: RunnerInput, jobUid: string) {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name,
      namespace,
      labels: { ...RUNNER_LABELS, "tenantstack.io/runner": name },
      ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name, uid: jobUid, blockOwnerDeletion: false }],
    },
    type: "Opaque",
    data: { [RUNNER_INPUT_KEY]: Buffer.from(JSON.stringify(input)).toString("base64") },
  };
}
