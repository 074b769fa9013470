/**
 * The pod-security defaults of every tenantstack pod: the Pod Security Standard `restricted`, which
 * each stack's namespace enforces. Public, so that whatever starts pods of its own in a tenantstack
 * namespace (the driver's migration Jobs) runs them exactly as the components do.
 */
import type * as k8s from "@pulumi/kubernetes";

/** A pod security context that meets the Pod Security Standard `restricted`; made by {@link restrictedPodSecurity}. */
export interface RestrictedPodSecurity extends k8s.types.input.core.v1.PodSecurityContext {
  /**
   * The containers must not run as root.
   * @default true
   */
  readonly runAsNonRoot: true;
  /**
   * The user every container runs as.
   * @default - the `uid` given to {@link restrictedPodSecurity}
   */
  readonly runAsUser: number;
  /**
   * The primary group every container runs as.
   * @default - the `uid` given to {@link restrictedPodSecurity}
   */
  readonly runAsGroup: number;
  /**
   * The group that owns the pod's volumes.
   * @default - the `uid` given to {@link restrictedPodSecurity}
   */
  readonly fsGroup: number;
  /**
   * Volume ownership is changed only when the volume's root does not match `fsGroup` already.
   * @default "OnRootMismatch"
   */
  readonly fsGroupChangePolicy: "OnRootMismatch";
  /**
   * The container runtime's default seccomp profile.
   * @default { type: "RuntimeDefault" }
   */
  readonly seccompProfile: { readonly type: "RuntimeDefault" };
}

/** A pod security context that meets the Pod Security Standard `restricted`, running as `uid`. */
export function restrictedPodSecurity(uid: number): RestrictedPodSecurity {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** A container security context that meets the Pod Security Standard `restricted`: {@link RESTRICTED_CONTAINER}. */
export interface RestrictedContainerSecurity extends k8s.types.input.core.v1.SecurityContext {
  /**
   * No process gains more privileges than its parent (no setuid binaries).
   * @default false
   */
  readonly allowPrivilegeEscalation: false;
  /**
   * The root file system is read-only; writable paths are size-limited `emptyDir` volumes.
   * @default true
   */
  readonly readOnlyRootFilesystem: true;
  /**
   * The container must not run as root.
   * @default true
   */
  readonly runAsNonRoot: true;
  /**
   * Every Linux capability is dropped.
   * @default { drop: ["ALL"] }
   */
  readonly capabilities: { readonly drop: ["ALL"] };
  /**
   * The container runtime's default seccomp profile.
   * @default { type: "RuntimeDefault" }
   */
  readonly seccompProfile: { readonly type: "RuntimeDefault" };
}

/** The security context of every tenantstack container: the Pod Security Standard `restricted`, with a read-only root file system. */
export const RESTRICTED_CONTAINER: RestrictedContainerSecurity = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};
