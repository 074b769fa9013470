import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { OllamaInput, OllamaSpec, SchedulingInput, SchedulingSpec } from "../schema";
import { OllamaSchema } from "../schema/data";
import { checksum } from "./checksum";
import { PORTS, SERVICES } from "./contract";
import { recommendedLabels, selectorLabels } from "./labels";
import { containerResources, STEP_RESOURCES } from "./resources";
import { type PodPlacement, podPlacement } from "./scheduling";
import { RESTRICTED_CONTAINER } from "./podSecurity";
import { scratchDirectories, SMALL_SCRATCH } from "./security";
import { stepJob } from "./stepJob";
import { DATA_VOLUME, dataClaimName, statefulStore } from "./statefulStore";
import { parseArgs, placedPartShape } from "./validation";

/** Type token of {@link Ollama}. */
export const OLLAMA_TYPE = "tenantstack:ai:Ollama";

/** User and group Ollama runs as. */
const OLLAMA_UID = 1000;

/** Where models are kept: the data volume. */
const MODELS_PATH = "/models";

/** Arguments of {@link Ollama}. */
export interface OllamaArgs {
  /** Namespace of the stack. */
  readonly namespace: pulumi.Input<string>;
  /**
   * `app.kubernetes.io/instance` label of every object, by which the stack's `NetworkPolicies` select
   * its pods: every part of one stack takes the same (an AppStack gives each its own `instance`).
   * @default - the component's name
   */
  readonly instance?: string;
  /** Ollama settings, as in a stack's `ollama`; an omitted field takes its default. */
  readonly spec: OllamaInput;
  /**
   * Node selector and tolerations of the pods when Ollama runs without a GPU (`gpu.count: 0`) (a stack's `scheduling`); with a GPU, `gpu.nodeSelector` and `gpu.tolerations` place them.
   * @default - no node selector or tolerations
   */
  readonly scheduling?: SchedulingInput;
}

/**
 * The script that pulls every model into the model volume through a private Ollama server on loopback. The
 * models are its arguments (`sh -c <script> pull-models <model>...`), never part of the shell source.
 */
export const PULL_MODELS_SCRIPT = [
  "set -eu",
  "ollama serve & server=$!",
  "until ollama list >/dev/null 2>&1; do sleep 1; done",
  'for model in "$@"; do ollama pull "$model"; done',
  'kill "$server"',
].join("\n");

/** The command of the model-pull container: the script, then the models as its arguments. */
export function pullModelsCommand(models: readonly string[]): string[] {
  return ["sh", "-c", PULL_MODELS_SCRIPT, "pull-models", ...models];
}

/** The node selector, tolerations and runtime class of Ollama's pods: the GPU nodes', or the stack's CPU nodes'. */
function ollamaPlacement(spec: OllamaSpec, scheduling: SchedulingSpec): PodPlacement {
  const gpu = spec.gpu;
  return gpu.count > 0 ? { nodeSelector: gpu.nodeSelector, tolerations: gpu.tolerations } : podPlacement(scheduling);
}

/**
 * Ollama: a protected single-replica StatefulSet on GPU nodes (`nvidia.com/gpu` limit, node selector,
 * tolerations, runtime class), reachable only inside the namespace, and a Job that pulls its models into
 * the model volume. The old pod stops before the new one starts, so the GPU and the volume are never
 * claimed by two servers.
 *
 * The pull runs in its own pod, next to the server (same node, same volume, a private server on
 * loopback), because a NetworkPolicy selects pods, not containers: only the pull's pod gets HTTPS egress
 * (`allowModelDownload`), never the serving one. The Job is named for the models and the volume, so it
 * runs again when either changes; `pulumi up` waits for it, and the API and worker start after it.
 */
export class Ollama extends pulumi.ComponentResource {
  /** Name of the Service, port 11434. */
  public readonly serviceName: pulumi.Output<string>;
  /** Name of the StatefulSet. */
  public readonly statefulSetName: pulumi.Output<string>;

  constructor(name: string, args: OllamaArgs, opts?: pulumi.ComponentResourceOptions) {
    const { spec, scheduling } = parseArgs(`Ollama "${name}"`, placedPartShape(OllamaSchema), args);
    super(OLLAMA_TYPE, name, {}, opts);
    const instance = args.instance ?? name;
    const gpu = spec.gpu;
    const placement = ollamaPlacement(spec, scheduling);
    const scratchPaths = { home: "/home/ollama", tmp: "/tmp" };
    const scratch = scratchDirectories(scratchPaths, spec.resources.ephemeralStorageLimit);
    // Neither server prunes blobs at start-up: a restart of one must not delete the other's download in progress.
    const env = [
      { name: "OLLAMA_MODELS", value: MODELS_PATH },
      { name: "HOME", value: "/home/ollama" },
      { name: "OLLAMA_NOPRUNE", value: "1" },
    ];

    const store = statefulStore(this, name, {
      namespace: args.namespace,
      instance,
      role: "ollama",
      serviceName: SERVICES.ollama,
      port: { name: "http", port: PORTS.ollama },
      volume: { ...spec, field: "ollama" },
      uid: OLLAMA_UID,
      pod: {
        terminationGracePeriodSeconds: 30,
        ...placement,
        ...(gpu.count > 0 ? { runtimeClassName: gpu.runtimeClassName } : {}),
        containers: [
          {
            name: "ollama",
            image: spec.image,
            args: ["serve"],
            env: [...env, { name: "OLLAMA_HOST", value: `0.0.0.0:${PORTS.ollama}` }],
            ports: [{ name: "http", containerPort: PORTS.ollama }],
            resources: containerResources(spec.resources, gpu.count > 0 ? { "nvidia.com/gpu": String(gpu.count) } : {}),
            securityContext: RESTRICTED_CONTAINER,
            startupProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 2, failureThreshold: 90 },
            readinessProbe: { httpGet: { path: "/api/version", port: "http" }, periodSeconds: 5 },
            livenessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 15, failureThreshold: 4 },
            volumeMounts: [{ name: DATA_VOLUME, mountPath: MODELS_PATH }, ...scratch.volumeMounts],
          },
        ],
        volumes: scratch.volumes,
      },
    });

    if (spec.models.length > 0) {
      this.pullModels(name, args.namespace, instance, spec, { placement, env, scratchPaths }, store.statefulSet);
    }

    this.serviceName = store.service.metadata.name;
    this.statefulSetName = store.statefulSet.metadata.name;
    this.registerOutputs({ serviceName: this.serviceName, statefulSetName: this.statefulSetName });
  }

  /** The Job that pulls the models into the model volume, on the node of the serving pod. */
  private pullModels(
    name: string,
    namespace: pulumi.Input<string>,
    instance: string,
    spec: OllamaSpec,
    pod: {
      readonly placement: PodPlacement;
      readonly env: k8s.types.input.core.v1.EnvVar[];
      readonly scratchPaths: Record<string, string>;
    },
    statefulSet: k8s.apps.v1.StatefulSet,
  ) {
    const digest = checksum({ models: spec.models, image: spec.image, volume: [spec.storageGi, spec.storageClass ?? ""] }).slice(0, 10);
    const labels = recommendedLabels(instance, "ollama-pull");
    const scratch = scratchDirectories(pod.scratchPaths, SMALL_SCRATCH);
    stepJob(
      this,
      `${name}-pull-models`,
      {
        namespace,
        jobName: `ollama-pull-${digest}`,
        labels,
        uid: OLLAMA_UID,
        pod: {
          ...pod.placement,
          // The model volume is ReadWriteOnce: the pull mounts it on the node of the serving pod.
          affinity: {
            podAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { labelSelector: { matchLabels: selectorLabels(instance, "ollama") }, topologyKey: "kubernetes.io/hostname" },
              ],
            },
          },
          containers: [
            {
              name: "pull-models",
              image: spec.image,
              command: pullModelsCommand(spec.models),
              env: [...pod.env, { name: "OLLAMA_HOST", value: `127.0.0.1:${PORTS.ollama}` }],
              resources: containerResources(STEP_RESOURCES.transfer),
              securityContext: RESTRICTED_CONTAINER,
              volumeMounts: [{ name: "models", mountPath: MODELS_PATH }, ...scratch.volumeMounts],
            },
          ],
          volumes: [{ name: "models", persistentVolumeClaim: { claimName: dataClaimName(SERVICES.ollama) } }, ...scratch.volumes],
        },
      },
      [statefulSet],
    );
  }
}
