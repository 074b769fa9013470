import type * as k8s from "@pulumi/kubernetes";

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
