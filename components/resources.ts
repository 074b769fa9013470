import type * as k8s from "@pulumi/kubernetes";
import type { ResourcesSpec } from "../schema";

/**
 * Container resources from validated settings, with any extra limits (such as GPUs).
 * @internal
 */
export function containerResources(
  spec: ResourcesSpec,
  extraLimits: Record<string, string> = {},
): k8s.types.input.core.v1.ResourceRequirements {
  return {
    requests: { cpu: spec.cpuRequest, memory: spec.memoryRequest },
    limits: { cpu: spec.cpuLimit, memory: spec.memoryLimit, ...extraLimits },
  };
}
