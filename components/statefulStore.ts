import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { VolumeSpec } from "../schema";
import { recommendedLabels, type Role, selectorLabels } from "./labels";
import { restrictedPodSecurity } from "./podSecurity";
import { VolumeGuard } from "./volumeGuard";

/** Name of the data volume claim template; containers mount it by this name. */
export const DATA_VOLUME = "data";

/**
 * The data volume claim of a store's single replica, which the StatefulSet creates from its template.
 * @internal
 */
export function dataClaimName(serviceName: string): string {
  return `${DATA_VOLUME}-${serviceName}-0`;
}

/** What a stateful store (Postgres, Redis, Ollama) is made of. */
export interface StatefulStoreArgs {
  readonly namespace: pulumi.Input<string>;
  readonly instance: string;
  readonly role: Role;
  /** Name of the StatefulSet and of its headless Service. */
  readonly serviceName: string;
  readonly port: { readonly name: string; readonly port: number };
  /** The volume settings and the field path they were read from (for messages). */
  readonly volume: VolumeSpec & { readonly field: string };
  /** User and group the pod runs as. */
  readonly uid: number;
  /** The pod, without its security context (always restricted). */
  readonly pod: Omit<k8s.types.input.core.v1.PodSpec, "securityContext">;
  /** Pod annotations, such as checksums that roll the pod on change. */
  readonly podAnnotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * Registers a single-replica StatefulSet with its headless Service and volume guard under `parent`.
 * The StatefulSet is protected and keeps its volume claims on deletion and scale-down, unless
 * `allowVolumeReplacement` is set.
 * @internal
 */
export function statefulStore(parent: pulumi.Resource, name: string, args: StatefulStoreArgs) {
  const labels = recommendedLabels(args.instance, args.role);
  const selector = selectorLabels(args.instance, args.role);
  const metadata = { name: args.serviceName, namespace: args.namespace, labels };
  const allowReplacement = args.volume.allowVolumeReplacement;

  const service = new k8s.core.v1.Service(
    `${name}-service`,
    {
      metadata,
      spec: {
        clusterIP: "None",
        selector,
        ports: [{ name: args.port.name, port: args.port.port, targetPort: args.port.name }],
      },
    },
    { parent },
  );

  const guard = new VolumeGuard(
    `${name}-volume-guard`,
    {
      volume: { field: args.volume.field, storageGi: args.volume.storageGi, storageClass: args.volume.storageClass ?? "" },
      allowVolumeReplacement: allowReplacement,
    },
    { parent },
  );

  const statefulSet = new k8s.apps.v1.StatefulSet(
    `${name}-statefulset`,
    {
      metadata,
      spec: {
        serviceName: args.serviceName,
        replicas: 1,
        selector: { matchLabels: selector },
        podManagementPolicy: "OrderedReady",
        updateStrategy: { type: "RollingUpdate" },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
        template: {
          metadata: { labels, annotations: args.podAnnotations },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            ...args.pod,
            securityContext: restrictedPodSecurity(args.uid),
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: DATA_VOLUME, labels },
            spec: {
              accessModes: ["ReadWriteOnce"],
              storageClassName: args.volume.storageClass,
              resources: { requests: { storage: `${args.volume.storageGi}Gi` } },
            },
          },
        ],
      },
    },
    { parent, dependsOn: [guard], protect: !allowReplacement, deleteBeforeReplace: true },
  );

  return { service, statefulSet };
}
