/**
 * An `up` cancelled mid-update, whatever the machine's speed: a ResourceQuota of no pods holds the
 * stack's namespace, so the new pod of the update is refused and the update cannot finish; the `up`
 * is cancelled when its engine starts updating its first resource, then the quota goes.
 */
import type { Driver, DriverEvent } from "../../automation";
import type { KubeClient } from "./kube";

/** What the cancelled `up` returned or threw, and the resource whose update it was cancelled at. */
export interface CancelledUp {
  readonly outcome: unknown;
  readonly cancelledAt?: string;
}

/** Runs `up` of `tenant` (namespace `namespace`) and cancels it at its first update; `onEvent` sees every event. */
export async function cancelledUp(
  driver: Driver,
  kube: KubeClient,
  options: { tenant: string; namespace: string; operationId: string; onEvent?: (event: DriverEvent) => void },
): Promise<CancelledUp> {
  const quotas = `/api/v1/namespaces/${options.namespace}/resourcequotas`;
  await kube.request("POST", quotas, {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name: "hold-new-pods" },
    spec: { hard: { pods: "0" } },
  });
  const controller = new AbortController();
  let cancelledAt: string | undefined;
  try {
    const outcome = await driver
      .up({
        tenants: [options.tenant],
        operationId: options.operationId,
        signal: controller.signal,
        onEvent: (event) => {
          options.onEvent?.(event);
          if (event.type === "step" && event.op === "update" && cancelledAt === undefined) {
            cancelledAt = `${event.resourceType} ${event.name}`;
            controller.abort();
          }
        },
      })
      .then(
        (result) => result,
        (error: unknown) => error,
      );
    return { outcome, cancelledAt };
  } finally {
    await kube.request("DELETE", `${quotas}/hold-new-pods`);
  }
}
