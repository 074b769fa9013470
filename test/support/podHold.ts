/**
 * An update held mid-way, whatever the machine's speed: a ResourceQuota of no pods in a stack's
 * namespace refuses the new pods of its Deployments, so the engine waits for a rollout that cannot
 * progress until the hold is released.
 */
import type { KubeClient } from "./kube";

const HOLD = "hold-new-pods";

/** A hold on the new pods of `namespace`; its `release` removes it and has the ReplicaSets try again at once. */
export interface PodHold {
  release(): Promise<void>;
}

/** Refuses every new pod of `namespace` until released. */
export async function holdNewPods(kube: KubeClient, namespace: string): Promise<PodHold> {
  const quotas = `/api/v1/namespaces/${namespace}/resourcequotas`;
  await kube.request("POST", quotas, { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: HOLD }, spec: { hard: { pods: "0" } } });
  return {
    async release() {
      await kube.delete(`${quotas}/${HOLD}`);
      // A ReplicaSet refused for a while retries only at the end of its controller's growing backoff; a change of its own queues it now.
      for (const set of await kube.list(`/apis/apps/v1/namespaces/${namespace}/replicasets`))
        await kube.request(
          "PATCH",
          `/apis/apps/v1/namespaces/${namespace}/replicasets/${set.metadata.name}`,
          { metadata: { annotations: { "tenantstack.test/released": new Date().toISOString() } } },
          "application/merge-patch+json",
        );
    },
  };
}
