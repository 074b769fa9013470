/**
 * An `up` cancelled mid-update, whatever the machine's speed: the new pods of the stack's namespace are
 * held (`podHold.ts`), so the update cannot finish; the `up` is cancelled when its engine starts
 * updating its first resource, then the hold is released.
 */
import type { Driver, DriverEvent } from "../../automation";
import type { KubeClient } from "./kube";
import { holdNewPods } from "./podHold";

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
  const hold = await holdNewPods(kube, options.namespace);
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
    await hold.release();
  }
}
