/**
 * Real containers for the runtime suite: a command run once in a short-lived pod on the real node
 * (labels chosen by the test, so NetworkPolicies apply to it as to the stack's own pods), a command
 * run in a running container, and the local images that tools/images/build.sh built.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as path from "node:path";
import { KUBECONFIG, REPO } from "./controlPlane";
import type { KubeClient } from "./kube";

/** Where the real node is: its label and taint (tools/cluster/node.sh). */
export const REAL_NODE = {
  name: "tenantstack-node",
  nodeSelector: { "tenantstack.dev/node": "real" },
  tolerations: [{ key: "tenantstack.dev/node", operator: "Equal", value: "real", effect: "NoSchedule" }],
} as const;

/** The local images by name (`postgres`, `redis`, `echo`, ...), as `tools/images/build.sh refs` lists them. */
export function localImages(): Record<string, string> {
  const refs = execFileSync(path.join(REPO, "tools/images/build.sh"), ["refs"], { encoding: "utf8" }).trim().split("\n");
  return Object.fromEntries(refs.map((ref) => [ref.replace(/^.*\/([^/:]+):.*$/, "$1"), ref]));
}

/** What a command printed and how it ended. */
export interface Outcome {
  readonly code: number;
  readonly output: string;
}

/** `kubectl` against the local cluster; never throws on a non-zero exit. */
export function kubectl(args: string[], timeoutMs = 120_000): Outcome {
  const result = spawnSync("kubectl", ["--kubeconfig", KUBECONFIG, ...args], { encoding: "utf8", timeout: timeoutMs });
  return { code: result.status ?? -1, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

/** Runs `command` in the named container of a running pod. */
export function execIn(namespace: string, pod: string, container: string, command: string[]): Outcome {
  return kubectl(["exec", "-n", namespace, pod, "-c", container, "--", ...command]);
}

/** A one-off pod: its image, command, labels and environment (values from Secrets, never inline). */
export interface ProbePod {
  readonly name: string;
  readonly image: string;
  readonly command: string[];
  readonly labels?: Record<string, string>;
  /** Environment variables from Secret keys: name -> [secret, key]. */
  readonly secretEnv?: Record<string, readonly [string, string]>;
  readonly env?: Record<string, string>;
  /** The user to run as (non-root, as restricted Pod Security requires). @default 999 */
  readonly uid?: number;
  /** PersistentVolumeClaims to mount: mount path -> claim name. An emptyDir is always mounted at /tmp. */
  readonly claims?: Record<string, string>;
}

/** Runs a pod to its end on the real node and returns its exit code and log; the pod is deleted. */
export async function runPod(kube: KubeClient, namespace: string, pod: ProbePod, timeoutMs = 120_000): Promise<Outcome> {
  const uid = pod.uid ?? 999;
  const env = [
    ...Object.entries(pod.env ?? {}).map(([name, value]) => ({ name, value })),
    ...Object.entries(pod.secretEnv ?? {}).map(([name, [secret, key]]) => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } })),
  ];
  await kube.request("POST", `/api/v1/namespaces/${namespace}/pods`, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: pod.name, namespace, labels: pod.labels ?? {} },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      nodeSelector: REAL_NODE.nodeSelector,
      tolerations: REAL_NODE.tolerations,
      securityContext: { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "probe",
          image: pod.image,
          command: pod.command,
          env,
          resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "128Mi" } },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
          volumeMounts: [
            { name: "tmp", mountPath: "/tmp" },
            ...Object.keys(pod.claims ?? {}).map((mountPath, i) => ({ name: `claim-${i}`, mountPath })),
          ],
        },
      ],
      volumes: [
        { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
        ...Object.values(pod.claims ?? {}).map((claimName, i) => ({ name: `claim-${i}`, persistentVolumeClaim: { claimName } })),
      ],
    },
  });
  const podPath = `/api/v1/namespaces/${namespace}/pods/${pod.name}`;
  try {
    const ended = await kube.waitFor(podPath, (object: any) => object.status?.containerStatuses?.[0]?.state?.terminated, timeoutMs);
    const log = kubectl(["logs", "-n", namespace, pod.name]);
    return { code: ended.status.containerStatuses[0].state.terminated.exitCode, output: log.output };
  } finally {
    await kube.request("DELETE", `${podPath}?gracePeriodSeconds=0`).catch(() => undefined);
  }
}

/** The real node's containerd (tools/cluster/node.sh). */
const CONTAINERD = "/run/tenantstack-node/containerd/containerd.sock";

/** Tags an image in the real node's containerd under a second reference (a "new version" for rollouts). */
export function tagImage(source: string, target: string): Outcome {
  const result = spawnSync("ctr", ["--address", CONTAINERD, "-n", "k8s.io", "images", "tag", "--force", source, target], {
    encoding: "utf8",
  });
  return { code: result.status ?? -1, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}
