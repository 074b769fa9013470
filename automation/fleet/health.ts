/**
 * The health gate after a stack is updated: every Deployment and StatefulSet of its namespace rolled
 * out and ready (read from the API server), then an optional HTTP check.
 */
import { KubeClient } from "../kube";

/** How a stack is judged healthy. */
export interface HealthGateOptions {
  /**
   * Kubeconfig of the cluster the stacks run on, for every stack.
   * @default - that of each stack's cluster (the workspace's `clusters`)
   */
  readonly kubeconfig?: string;
  /**
   * How long the workloads may take to become ready.
   * @default 120000
   */
  readonly timeoutMs?: number;
  /**
   * A URL that must answer 2xx once the workloads are ready; `{stack}` and `{namespace}` are replaced.
   * @default - no HTTP check
   */
  readonly httpCheckUrl?: string;
}

/** The verdict of a health gate. */
export interface HealthReport {
  /** Whether the stack passed. */
  readonly healthy: boolean;
  /** Each workload checked: `Deployment/api` and whether it is ready. */
  readonly workloads: readonly { readonly name: string; readonly ready: boolean; readonly detail: string }[];
  /** The HTTP check's status, when one ran. */
  readonly httpStatus?: number;
  /** Why it failed. */
  readonly reason?: string;
}

interface Workload {
  metadata: { name: string; generation?: number };
  spec: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}

/** Whether a Deployment or StatefulSet has rolled out its current generation and all its replicas are ready. */
export function workloadReady(kind: "Deployment" | "StatefulSet", workload: Workload): { ready: boolean; detail: string } {
  const want = workload.spec.replicas ?? 1;
  const status = workload.status ?? {};
  const observed = (status.observedGeneration ?? 0) >= (workload.metadata.generation ?? 0);
  const updated = (status.updatedReplicas ?? 0) >= want;
  const ready = (kind === "Deployment" ? status.availableReplicas : status.readyReplicas) ?? 0;
  const revision = kind === "StatefulSet" ? status.currentRevision === undefined || status.currentRevision === status.updateRevision : true;
  return {
    ready: observed && updated && ready >= want && revision,
    detail: `${ready}/${want} ready, ${status.updatedReplicas ?? 0} updated`,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for the workloads of `namespace` to be ready, then runs the HTTP check. */
export async function checkHealth(
  stack: string,
  namespace: string,
  options: HealthGateOptions & { kubeconfig: string },
  signal?: AbortSignal,
): Promise<HealthReport> {
  const kube = KubeClient.fromKubeconfig(options.kubeconfig);
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  try {
    let workloads: HealthReport["workloads"] = [];
    for (;;) {
      const read = async (kind: "Deployment" | "StatefulSet", plural: string) =>
        (await kube.list<Workload>(`/apis/apps/v1/namespaces/${namespace}/${plural}`)).map((w) => ({
          name: `${kind}/${w.metadata.name}`,
          ...workloadReady(kind, w),
        }));
      workloads = [...(await read("Deployment", "deployments")), ...(await read("StatefulSet", "statefulsets"))];
      if (workloads.every((w) => w.ready)) break;
      if (Date.now() > deadline || signal?.aborted) {
        const waiting = workloads.filter((w) => !w.ready).map((w) => `${w.name} (${w.detail})`);
        return { healthy: false, workloads, reason: `not ready after ${options.timeoutMs ?? 120_000} ms: ${waiting.join(", ")}` };
      }
      await sleep(1000);
    }
    if (options.httpCheckUrl === undefined) return { healthy: true, workloads };
    const url = options.httpCheckUrl.replace(/\{stack\}/g, stack).replace(/\{namespace\}/g, namespace);
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) }).catch((error: Error) => error);
    if (response instanceof Error) return { healthy: false, workloads, reason: `HTTP check ${url} failed: ${response.message}` };
    const healthy = response.status >= 200 && response.status < 300;
    return {
      healthy,
      workloads,
      httpStatus: response.status,
      ...(healthy ? {} : { reason: `HTTP check ${url} answered ${response.status}` }),
    };
  } finally {
    kube.close();
  }
}
