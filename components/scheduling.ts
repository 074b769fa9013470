import type * as k8s from "@pulumi/kubernetes";
import type { SchedulingSpec } from "../schema";

/**
 * Where a pod may run: its node selector and tolerations.
 * @internal
 */
export type PodPlacement = Pick<k8s.types.input.core.v1.PodSpec, "nodeSelector" | "tolerations">;

/**
 * The node selector and tolerations of a pod placed by `scheduling` (none when undefined). A field left
 * empty is left out, so pods of stacks without a placement keep the spec they had.
 * @internal
 */
export function podPlacement(scheduling: SchedulingSpec | undefined): PodPlacement {
  if (scheduling === undefined) return {};
  return {
    ...(Object.keys(scheduling.nodeSelector).length > 0 ? { nodeSelector: scheduling.nodeSelector } : {}),
    ...(scheduling.tolerations.length > 0 ? { tolerations: scheduling.tolerations } : {}),
  };
}
