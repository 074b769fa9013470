/**
 * Real containers for the runtime suite: a command run once in a short-lived pod on the real node
 * (labels chosen by the test, so NetworkPolicies apply to it as to the stack's own pods), a command
 * run in a running container, and the local images that tools/images/build.sh built.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as path from "node:path";
import { KUBECONFIG, MAIN_CLUSTER, OWN_CLUSTER, REPO } from "./controlPlane";
import type { KubeClient } from "./kube";

/** Where the real node is: its label and taint (tools/cluster/node.sh). */
export const REAL_NODE = {
  name: "tenantstack-node",
  nodeSelector: { "tenantstack.dev/node": "real" },
  tolerations: [{ key: "tenantstack.dev/node", operator: "Equal", value: "real", effect: "NoSchedule" }],
} as const;

/** Where a probe pod goes: the real node, or anywhere on a cluster of one's own. */
export const PLACEMENT = OWN_CLUSTER ? {} : { nodeSelector: REAL_NODE.nodeSelector, tolerations: REAL_NODE.tolerations };

/**
 * The images by name (`postgres`, `redis`, `echo`, `echo-next`): the local ones that
 * `tools/images/build.sh refs` lists, or on a cluster of one's own the JSON map in
 * `TENANTSTACK_TEST_IMAGES` (images that cluster can pull and that keep the same contract, such as
 * `postgres:15`, `redis:7`, `hashicorp/http-echo:1.0.0` and `hashicorp/http-echo:1.0.1` as `echo-next`).
 */
export function localImages(): Record<string, string> {
  if (OWN_CLUSTER) {
    const images = JSON.parse(process.env.TENANTSTACK_TEST_IMAGES ?? "{}");
    const missing = ["postgres", "redis", "echo", "echo-next"].filter((name) => typeof images[name] !== "string");
    if (missing.length) throw new Error(`TENANTSTACK_TEST_IMAGES must name the images ${missing.join(", ")} (a JSON map of name to image)`);
    return images;
  }
  const refs = execFileSync(path.join(REPO, "tools/images/build.sh"), ["refs"], { encoding: "utf8" }).trim().split("\n");
  const images: Record<string, string> = Object.fromEntries(refs.map((ref) => [ref.replace(/^.*\/([^/:]+):.*$/, "$1"), ref]));
  return { ...images, "echo-next": `${images.echo}-next` };
}

/** What a command printed and how it ended. */
export interface Outcome {
  readonly code: number;
  readonly output: string;
}

/** `kubectl` against the local cluster; never throws on a non-zero exit. */
export function kubectl(args: string[], timeoutMs = 120_000): Outcome {
  const result = spawnSync(MAIN_CLUSTER.kubectl, ["--kubeconfig", KUBECONFIG, ...args], { encoding: "utf8", timeout: timeoutMs });
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
      ...PLACEMENT,
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

/**
 * Makes the image `echo-next` (the same image under a second reference: a "new version" for rollouts)
 * by tagging it in the real node's containerd; on a cluster of one's own it is given.
 */
export function tagNextImage(images: Record<string, string>): Outcome {
  if (OWN_CLUSTER) return { code: 0, output: "" };
  const [source, target] = [images.echo, images["echo-next"]];
  const ctr = path.join(MAIN_CLUSTER.dir, "bin/ctr"); // the ctr built with the node's containerd
  const result = spawnSync(ctr, ["--address", CONTAINERD, "-n", "k8s.io", "images", "tag", "--force", source, target], {
    encoding: "utf8",
  });
  return { code: result.status ?? -1, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}
