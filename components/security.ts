import type * as k8s from "@pulumi/kubernetes";

/**
 * A pod security context that meets the Pod Security Standard `restricted`, running as `uid`.
 * @internal
 */
export function restrictedPodSecurity(uid: number): k8s.types.input.core.v1.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/**
 * A container security context that meets the Pod Security Standard `restricted`, with a read-only root file system.
 * @internal
 */
export const RESTRICTED_CONTAINER: k8s.types.input.core.v1.SecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/**
 * Size limit of a scratch directory that holds sockets, lock files, small rendered files and a tool's temporary files.
 * @internal
 */
export const SMALL_SCRATCH = "64Mi";

/**
 * Writable scratch directories for a read-only container: the volumes, each an emptyDir bounded by
 * `sizeLimit` (the pod is evicted beyond it), and their mounts.
 * @internal
 */
export function scratchDirectories(
  paths: Record<string, string>,
  sizeLimit: string,
): {
  volumes: k8s.types.input.core.v1.Volume[];
  volumeMounts: k8s.types.input.core.v1.VolumeMount[];
} {
  const entries = Object.entries(paths);
  return {
    volumes: entries.map(([name]) => ({ name, emptyDir: { sizeLimit } })),
    volumeMounts: entries.map(([name, mountPath]) => ({ name, mountPath })),
  };
}
