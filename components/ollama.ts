import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { type OllamaSpec, OllamaSchema, parseSpec } from "../schema";
import { PORTS, SERVICES } from "./contract";
import { containerResources } from "./resources";
import { RESTRICTED_CONTAINER, scratchDirectories } from "./security";
import { DATA_VOLUME, statefulStore } from "./statefulStore";

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
   * `app.kubernetes.io/instance` label of every object.
   * @default - the component's name
   */
  readonly instance?: string;
  /** Ollama settings, validated against `OllamaSchema`; omitted fields take the schema's defaults. */
  readonly spec: z.input<typeof OllamaSchema>;
}

/** The init step that pulls every model into the model volume before Ollama serves. */
export function pullModelsScript(models: readonly string[]): string {
  return [
    "set -eu",
    "ollama serve & server=$!",
    "until ollama list >/dev/null 2>&1; do sleep 1; done",
    ...models.map((model) => `ollama pull '${model}'`),
    'kill "$server"',
  ].join("\n");
}

/**
 * Ollama: a protected single-replica StatefulSet on GPU nodes (`nvidia.com/gpu` limit, node selector,
 * tolerations, runtime class), its models pulled by an init container into the model volume, reachable
 * only inside the namespace. The old pod stops before the new one starts, so the GPU and the volume are
 * never claimed twice.
 */
export class Ollama extends pulumi.ComponentResource {
  /** Name of the Service, port 11434. */
  public readonly serviceName: pulumi.Output<string>;
  /** Name of the StatefulSet. */
  public readonly statefulSetName: pulumi.Output<string>;

  constructor(name: string, args: OllamaArgs, opts?: pulumi.ComponentResourceOptions) {
    const spec: OllamaSpec = parseSpec(OllamaSchema, args.spec, "ollama");
    super(OLLAMA_TYPE, name, {}, opts);
    const gpu = spec.gpu;
    const scratch = scratchDirectories({ home: "/home/ollama", tmp: "/tmp" });
    const env = [
      { name: "OLLAMA_MODELS", value: MODELS_PATH },
      { name: "OLLAMA_HOST", value: `0.0.0.0:${PORTS.ollama}` },
      { name: "HOME", value: "/home/ollama" },
    ];
    const mounts = [{ name: DATA_VOLUME, mountPath: MODELS_PATH }, ...scratch.volumeMounts];

    const store = statefulStore(this, name, {
      namespace: args.namespace,
      instance: args.instance ?? name,
      role: "ollama",
      serviceName: SERVICES.ollama,
      port: { name: "http", port: PORTS.ollama },
      volume: { ...spec, field: "ollama" },
      uid: OLLAMA_UID,
      podAnnotations: { "tenantstack.io/models": spec.models.join(",") },
      pod: {
        terminationGracePeriodSeconds: 30,
        ...(gpu.count > 0 ? { nodeSelector: gpu.nodeSelector, tolerations: gpu.tolerations, runtimeClassName: gpu.runtimeClassName } : {}),
        initContainers:
          spec.models.length === 0
            ? []
            : [
                {
                  name: "pull-models",
                  image: spec.image,
                  command: ["sh", "-c", pullModelsScript(spec.models)],
                  env,
                  resources: containerResources(spec.resources),
                  securityContext: RESTRICTED_CONTAINER,
                  volumeMounts: mounts,
                },
              ],
        containers: [
          {
            name: "ollama",
            image: spec.image,
            args: ["serve"],
            env,
            ports: [{ name: "http", containerPort: PORTS.ollama }],
            resources: containerResources(spec.resources, gpu.count > 0 ? { "nvidia.com/gpu": String(gpu.count) } : {}),
            securityContext: RESTRICTED_CONTAINER,
            startupProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 2, failureThreshold: 90 },
            readinessProbe: { httpGet: { path: "/api/version", port: "http" }, periodSeconds: 5 },
            livenessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 15, failureThreshold: 4 },
            volumeMounts: mounts,
          },
        ],
        volumes: scratch.volumes,
      },
    });

    this.serviceName = store.service.metadata.name;
    this.statefulSetName = store.statefulSet.metadata.name;
    this.registerOutputs({ serviceName: this.serviceName, statefulSetName: this.statefulSetName });
  }
}
