/**
 * Runner pods of the Kubernetes executor on the local cluster's real node, for its e2e suite and its
 * benchmark: the settings that place them there, and a follower of one runner's pod and log.
 */
import type { RunnerSettings } from "../../automation";
import type { KubeClient } from "./kube";
import { localImages, REAL_NODE } from "./pods";
import { TEST_RUN_LABELS } from "./testRun";

/** The real node's bridge address (tools/cluster/node.sh NODE_IP): the host and the pods both reach it. */
export const NODE_IP = "10.244.0.1";

/** Runners on the real node, in `namespace` (labelled with the test run, so tools/cluster/gc.sh removes what a dead run left). */
export function localRunners(namespace: string, settings: Partial<RunnerSettings> = {}): RunnerSettings {
  return {
    image: localImages().runner,
    namespace,
    // The runners reach this cluster's API server through its Service, whose name its certificate holds.
    clusters: { local: { server: "https://kubernetes.default.svc" } },
    scheduling: { nodeSelector: REAL_NODE.nodeSelector, tolerations: [...REAL_NODE.tolerations] },
    resources: { cpuRequest: "100m", memoryRequest: "512Mi" },
    namespaceLabels: { ...TEST_RUN_LABELS },
    ...settings,
  };
}

/**
 * Follows runner `runner` (`<namespace>/<job>`, as its `started` event names it): waits up to a minute
 * for its pod to leave Pending, gives it to `onPod`, then each line of its log to `onLine` until the pod ends.
 */
export async function followRunner(
  kube: KubeClient,
  runner: string,
  onLine: (line: string) => void,
  onPod?: (pod: any) => void,
): Promise<void> {
  const [namespace, name] = runner.split("/");
  for (let attempt = 0; attempt < 240; attempt++) {
    const [pod] = await kube.list(`/api/v1/namespaces/${namespace}/pods?labelSelector=tenantstack.io/runner=${name}`).catch(() => []);
    if (pod && pod.status?.phase !== "Pending") {
      onPod?.(pod);
      await kube.stream(`/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}/log?follow=true`, onLine).catch(() => undefined);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
