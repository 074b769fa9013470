import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { ApiSpec, SchedulingSpec } from "../schema";
import { problem } from "../schema/errors";
import { envName, flag, oneOf, tenantNames } from "../schema/fields";
import { plaintextCredentialProblems } from "../schema/secretSettings";
import { MAINTENANCE_CONFIGMAP, MAINTENANCE_MOUNT_PATH, PORTS, SERVICES, TENANTS_MOUNT_PATH } from "./contract";
import { recommendedLabels, selectorLabels } from "./labels";
import { containerResources } from "./resources";
import { podPlacement } from "./scheduling";
import { RESTRICTED_CONTAINER, restrictedPodSecurity } from "./podSecurity";
import { scratchDirectories } from "./security";
import { checksum } from "./checksum";
import { input } from "./validation";
import type { StackCredentials } from "./secrets";

/** User and group the API and worker run as. */
export const APP_UID = 10001;

/** How the API and worker find the rest of their stack. */
export interface AppWiring {
  /** Keys of the credentials Secret, exposed to the containers as environment variables of the same names. */
  readonly credentialKeys: readonly string[];
  /** Tenancy mode, exposed as `TENANCY_MODE`. */
  readonly tenancyMode: "shared" | "dedicated";
  /** Names of the tenants, exposed as `TENANTS` (comma-separated). */
  readonly tenants: readonly string[];
  /**
   * The host of each of `tenants`, exposed as `TENANT_HOSTS` (`host=tenant`, comma-separated): a request
   * for a host not listed is no tenant's here (during a migration's switch, the moved tenant's host may
   * still reach a stack that no longer serves it).
   * @default - not set
   */
  readonly tenantHosts?: Readonly<Record<string, string>>;
  /** Whether Ollama runs in the stack; sets `OLLAMA_URL`. */
  readonly ollama: boolean;
  /**
   * A value that changes whenever the credentials change, so the pods roll.
   * @default - the pods roll only on settings changes
   */
  readonly credentialsChecksum?: pulumi.Input<string>;
}

/**
 * What an {@link AppWiring} may hold.
 * @internal
 */
export function wiringArg() {
  return z.object(
    {
      credentialKeys: z.array(envName(), { error: "must be a list of environment variable names" }),
      tenancyMode: oneOf(["shared", "dedicated"]),
      tenants: tenantNames(),
      ollama: flag(),
      credentialsChecksum: input(z.string({ error: "must be a string" })).optional(),
    },
    { error: "must be the stack's wiring: credentialKeys, tenancyMode, tenants and ollama" },
  );
}

/**
 * The problems of an API's or worker's arguments that span `spec` and `wiring`: a plain variable of `spec.env`
 * named like a credential of the stack would replace the Secret's value with plaintext.
 * @internal
 */
export function wiredEnvProblems(parsed: {
  spec: { env: Readonly<Record<string, string>> };
  wiring: { credentialKeys: readonly string[] };
}) {
  return plaintextCredentialProblems(parsed.spec.env, parsed.wiring.credentialKeys).map((p) =>
    problem("", ["spec", "env", ...p.path], p.message, p.input),
  );
}

/** The settings common to the API and the worker. */
export type WorkloadSpec = Pick<
  ApiSpec,
  | "image"
  | "replicas"
  | "command"
  | "args"
  | "env"
  | "resources"
  | "autoscaling"
  | "maxUnavailable"
  | "progressDeadlineSeconds"
  | "rolloutTimeoutSeconds"
>;

/** What differs between the API and the worker. */
export interface AppWorkloadArgs {
  readonly namespace: pulumi.Input<string>;
  readonly instance: string;
  readonly role: "api" | "worker";
  readonly spec: WorkloadSpec;
  /** The image to run: `spec.image`, or an Output of it. */
  readonly image: pulumi.Input<string>;
  readonly scheduling: SchedulingSpec;
  readonly wiring: AppWiring;
  readonly credentials: StackCredentials;
  readonly ports: k8s.types.input.core.v1.ContainerPort[];
  readonly livenessProbe: k8s.types.input.core.v1.Probe;
  readonly readinessProbe: k8s.types.input.core.v1.Probe;
  readonly startupProbe: k8s.types.input.core.v1.Probe;
}

/** The environment of the API and worker: stack wiring, then the user's variables (which win by name). */
function environment(spec: WorkloadSpec, wiring: AppWiring, credentials: StackCredentials): k8s.types.input.core.v1.EnvVar[] {
  const wired: k8s.types.input.core.v1.EnvVar[] = [
    { name: "TENANCY_MODE", value: wiring.tenancyMode },
    { name: "TENANTS", value: wiring.tenants.join(",") },
    ...(wiring.tenantHosts
      ? [
          {
            name: "TENANT_HOSTS",
            value: Object.entries(wiring.tenantHosts)
              .map(([tenant, host]) => `${host}=${tenant}`)
              .join(","),
          },
        ]
      : []),
    { name: "TENANTS_DIR", value: TENANTS_MOUNT_PATH },
    { name: "MAINTENANCE_DIR", value: MAINTENANCE_MOUNT_PATH },
    { name: "POSTGRES_HOST", value: SERVICES.postgres },
    { name: "POSTGRES_PORT", value: String(PORTS.postgres) },
    { name: "REDIS_HOST", value: SERVICES.redis },
    { name: "REDIS_PORT", value: String(PORTS.redis) },
    ...(wiring.ollama ? [{ name: "OLLAMA_URL", value: `http://${SERVICES.ollama}:${PORTS.ollama}` }] : []),
    ...wiring.credentialKeys.map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: credentials.credentialsSecretName, key } } })),
  ];
  const byName = new Map<string, k8s.types.input.core.v1.EnvVar>(wired.map((v) => [v.name as string, v]));
  for (const [name, value] of Object.entries(spec.env)) byName.set(name, { name, value });
  return [...byName.values()];
}

/**
 * The settings that shape a pod: the checksum over them rolls the pods when one changes. The replica
 * count, autoscaling, the disruption budget and the rollout's deadline and timeout are left out, so scaling changes no pod.
 */
function podSettings(spec: WorkloadSpec): Partial<WorkloadSpec> {
  const pod: { -readonly [K in keyof WorkloadSpec]?: WorkloadSpec[K] } = { ...spec };
  delete pod.replicas;
  delete pod.autoscaling;
  delete pod.maxUnavailable;
  delete pod.progressDeadlineSeconds;
  delete pod.rolloutTimeoutSeconds;
  return pod;
}

/** How long the engine waits for a Deployment's rollout when it is created or updated. */
function rolloutTimeouts(seconds: number): pulumi.CustomTimeouts {
  return { create: `${seconds}s`, update: `${seconds}s` };
}

/**
 * Registers the ServiceAccount, Deployment, PodDisruptionBudget and (when enabled) HorizontalPodAutoscaler
 * of the API or worker under `parent`.
 * @internal
 */
export function appWorkload(parent: pulumi.Resource, name: string, args: AppWorkloadArgs) {
  const { spec, wiring, role } = args;
  const labels = recommendedLabels(args.instance, role);
  const selector = selectorLabels(args.instance, role);
  const metadata = { name: role, namespace: args.namespace, labels };
  const env = environment(spec, wiring, args.credentials);
  // The app's /tmp may use all of the container's ephemeral storage.
  const scratch = scratchDirectories({ tmp: "/tmp" }, spec.resources.ephemeralStorageLimit);
  const settingsChecksum = pulumi
    .output(args.image)
    .apply((image) => checksum({ spec: { ...podSettings(spec), image }, wiring: { ...wiring, credentialsChecksum: undefined } }));

  const serviceAccount = new k8s.core.v1.ServiceAccount(
    `${name}-service-account`,
    { metadata, automountServiceAccountToken: false },
    { parent },
  );

  const deployment = new k8s.apps.v1.Deployment(
    `${name}-deployment`,
    {
      metadata,
      spec: {
        replicas: spec.autoscaling.enabled ? undefined : spec.replicas,
        revisionHistoryLimit: 5,
        progressDeadlineSeconds: spec.progressDeadlineSeconds,
        selector: { matchLabels: selector },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: {
            labels,
            annotations: {
              "tenantstack.io/settings-checksum": settingsChecksum,
              ...(wiring.credentialsChecksum ? { "tenantstack.io/credentials-checksum": wiring.credentialsChecksum } : {}),
            },
          },
          spec: {
            serviceAccountName: serviceAccount.metadata.name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurity(APP_UID),
            ...podPlacement(args.scheduling),
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: selector },
              },
            ],
            containers: [
              {
                name: role,
                image: args.image,
                command: spec.command,
                args: spec.args,
                ports: args.ports,
                env,
                resources: containerResources(spec.resources),
                securityContext: RESTRICTED_CONTAINER,
                livenessProbe: args.livenessProbe,
                readinessProbe: args.readinessProbe,
                startupProbe: args.startupProbe,
                volumeMounts: [
                  { name: "tenants", mountPath: TENANTS_MOUNT_PATH, readOnly: true },
                  { name: "maintenance", mountPath: MAINTENANCE_MOUNT_PATH, readOnly: true },
                  ...scratch.volumeMounts,
                ],
              },
            ],
            volumes: [
              { name: "tenants", secret: { secretName: args.credentials.tenantCredentialsSecretName, defaultMode: 0o440 } },
              // Written by the migration driver only while it drains a tenant, hence optional.
              { name: "maintenance", configMap: { name: MAINTENANCE_CONFIGMAP, optional: true } },
              ...scratch.volumes,
            ],
          },
        },
      },
    },
    { parent, ...(spec.rolloutTimeoutSeconds ? { customTimeouts: rolloutTimeouts(spec.rolloutTimeoutSeconds) } : {}) },
  );

  const disruptionBudget = new k8s.policy.v1.PodDisruptionBudget(
    `${name}-pdb`,
    {
      metadata,
      spec: {
        maxUnavailable: spec.maxUnavailable,
        selector: { matchLabels: selector },
        // A pod that is running but not ready protects nothing: evicting it must not block a node drain.
        unhealthyPodEvictionPolicy: "AlwaysAllow",
      },
    },
    { parent },
  );

  const autoscaler = spec.autoscaling.enabled
    ? new k8s.autoscaling.v2.HorizontalPodAutoscaler(
        `${name}-hpa`,
        {
          metadata,
          spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
            minReplicas: spec.autoscaling.minReplicas,
            maxReplicas: spec.autoscaling.maxReplicas,
            metrics: [
              {
                type: "Resource",
                resource: {
                  name: "cpu",
                  target: { type: "Utilization", averageUtilization: spec.autoscaling.targetCpuUtilizationPercent },
                },
              },
            ],
          },
        },
        { parent },
      )
    : undefined;

  return { serviceAccount, deployment, disruptionBudget, autoscaler };
}
