import type * as k8s from "@pulumi/kubernetes";
import type { ResourcesSpec } from "../schema";

/**
 * Container resources from validated settings (CPU, memory and ephemeral storage), with any extra
 * limits (such as GPUs).
 * @internal
 */
export function containerResources(
  spec: ResourcesSpec,
  extraLimits: Record<string, string> = {},
): k8s.types.input.core.v1.ResourceRequirements {
  return {
    requests: { cpu: spec.cpuRequest, memory: spec.memoryRequest, "ephemeral-storage": spec.ephemeralStorageRequest },
    limits: { cpu: spec.cpuLimit, memory: spec.memoryLimit, "ephemeral-storage": spec.ephemeralStorageLimit, ...extraLimits },
  };
}

/**
 * Resources of the stack's own short steps (jobs and init containers), which users do not size.
 * @internal
 */
export const STEP_RESOURCES = {
  /** A step that renders a file or runs a few statements (Redis' ACL file, tenant provisioning). */
  small: {
    cpuRequest: "10m",
    memoryRequest: "64Mi",
    cpuLimit: "500m",
    memoryLimit: "256Mi",
    ephemeralStorageRequest: "16Mi",
    ephemeralStorageLimit: "128Mi",
  },
  /** A step that moves data: a dump and its upload, a model download. */
  transfer: {
    cpuRequest: "100m",
    memoryRequest: "128Mi",
    cpuLimit: "1",
    memoryLimit: "1Gi",
    ephemeralStorageRequest: "64Mi",
    ephemeralStorageLimit: "256Mi",
  },
} as const satisfies Record<string, ResourcesSpec>;
