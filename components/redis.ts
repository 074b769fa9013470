import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { RedisInput, RedisSpec, SchedulingInput } from "../schema";
import { RedisSchema } from "../schema/data";
import { credentialKey, PORTS, REDIS_TENANT_ACL_KEY, SERVICES } from "./contract";
import { afterCredentials, credentialsArg, type StackCredentials } from "./secrets";
import { recommendedLabels } from "./labels";
import { containerResources, STEP_RESOURCES } from "./resources";
import { podPlacement } from "./scheduling";
import { RESTRICTED_CONTAINER } from "./podSecurity";
import { scratchDirectories, SMALL_SCRATCH } from "./security";
import { DATA_VOLUME, statefulStore } from "./statefulStore";
import { checksum } from "./checksum";
import { parseArgs, placedPartShape } from "./validation";

/** Type token of {@link Redis}. */
export const REDIS_TYPE = "tenantstack:data:Redis";

/** User and group of the official Redis image. */
const REDIS_UID = 999;

/** Arguments of {@link Redis}. */
export interface RedisArgs {
  /** Namespace of the stack. */
  readonly namespace: pulumi.Input<string>;
  /**
   * `app.kubernetes.io/instance` label of every object, by which the stack's `NetworkPolicies` select
   * its pods: every part of one stack takes the same (an AppStack gives each its own `instance`).
   * @default - the component's name
   */
  readonly instance?: string;
  /**
   * Where the stack's credentials are read from: the stack's `Secrets` (`credentials: secrets`, which
   * orders this part after them), or the names of its two Secrets.
   */
  readonly credentials: StackCredentials;
  /** Redis settings, as in a stack's `redis`; an omitted field takes its default. */
  readonly spec: RedisInput;
  /**
   * Node selector and tolerations of the pod (a stack's `scheduling`).
   * @default - no node selector or tolerations
   */
  readonly scheduling?: SchedulingInput;
  /**
   * A value that changes whenever the tenants' Redis users change, so Redis reloads its ACL file.
   * @default - Redis restarts only on settings changes
   */
  readonly aclChecksum?: pulumi.Input<string>;
}

/** The `redis.conf` of validated settings. Users live in the ACL file, rendered at start-up. */
export function redisConfig(spec: RedisSpec): string {
  return [
    `port ${PORTS.redis}`,
    "dir /data",
    "aclfile /acl/users.acl",
    `maxmemory ${spec.maxmemoryMb}mb`,
    `maxmemory-policy ${spec.maxmemoryPolicy}`,
    `appendonly ${spec.appendOnly ? "yes" : "no"}`,
    "appendfsync everysec",
    "protected-mode no",
    "",
  ].join("\n");
}

/**
 * Redis: a protected StatefulSet with AOF persistence, `maxmemory`, the default user's password from the
 * credentials Secret and, in shared stacks, one ACL user per tenant restricted to its key prefix.
 */
export class Redis extends pulumi.ComponentResource {
  /** Name of the Service, port 6379. */
  public readonly serviceName: pulumi.Output<string>;
  /** Name of the StatefulSet. */
  public readonly statefulSetName: pulumi.Output<string>;

  constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
    const { spec, scheduling } = parseArgs(`Redis "${name}"`, { ...placedPartShape(RedisSchema), credentials: credentialsArg() }, args);
    super(REDIS_TYPE, name, {}, afterCredentials(args.credentials, opts));
    const instance = args.instance ?? name;
    const conf = redisConfig(spec);
    const scratch = scratchDirectories({ acl: "/acl", tmp: "/tmp" }, SMALL_SCRATCH);
    const password = { secretKeyRef: { name: args.credentials.credentialsSecretName, key: credentialKey("redisPassword") } };
    // redis-cli reads the password from REDISCLI_AUTH: on its command line (`-a`) it would show in the process list.
    const ping = ["sh", "-c", "redis-cli ping | grep -q PONG"];
    // Alive means Redis listens (it does while it loads its AOF); only readiness needs a PONG.
    const alive = { tcpSocket: { port: "redis" } };

    const config = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      {
        metadata: { name: "redis-config", namespace: args.namespace, labels: recommendedLabels(instance, "redis") },
        data: { "redis.conf": conf },
      },
      { parent: this },
    );

    const store = statefulStore(this, name, {
      namespace: args.namespace,
      instance,
      role: "redis",
      serviceName: SERVICES.redis,
      port: { name: "redis", port: PORTS.redis },
      volume: { ...spec, field: "redis" },
      uid: REDIS_UID,
      podAnnotations: {
        "tenantstack.io/config-checksum": checksum(conf),
        ...(args.aclChecksum ? { "tenantstack.io/acl-checksum": args.aclChecksum } : {}),
      },
      pod: {
        terminationGracePeriodSeconds: 30,
        ...podPlacement(scheduling),
        initContainers: [
          {
            name: "render-acl",
            image: spec.image,
            command: [
              "sh",
              "-c",
              `set -eu; umask 077; { printf 'user default on >%s ~* &* +@all\\n' "$REDIS_PASSWORD"; cat /tenants/${REDIS_TENANT_ACL_KEY}; } > /acl/users.acl`,
            ],
            env: [{ name: "REDIS_PASSWORD", valueFrom: password }],
            resources: containerResources(STEP_RESOURCES.small),
            securityContext: RESTRICTED_CONTAINER,
            volumeMounts: [...scratch.volumeMounts, { name: "tenants", mountPath: "/tenants", readOnly: true }],
          },
        ],
        containers: [
          {
            name: "redis",
            image: spec.image,
            command: ["redis-server", "/etc/redis/redis.conf"],
            env: [{ name: "REDISCLI_AUTH", valueFrom: password }],
            ports: [{ name: "redis", containerPort: PORTS.redis }],
            resources: containerResources(spec.resources),
            securityContext: RESTRICTED_CONTAINER,
            startupProbe: { ...alive, periodSeconds: 2, failureThreshold: 60 },
            readinessProbe: { exec: { command: ping }, periodSeconds: 5 },
            livenessProbe: { ...alive, periodSeconds: 15, failureThreshold: 4 },
            volumeMounts: [
              { name: DATA_VOLUME, mountPath: "/data" },
              { name: "config", mountPath: "/etc/redis", readOnly: true },
              ...scratch.volumeMounts,
            ],
          },
        ],
        volumes: [
          { name: "config", configMap: { name: config.metadata.name } },
          {
            name: "tenants",
            secret: {
              secretName: args.credentials.tenantCredentialsSecretName,
              items: [{ key: REDIS_TENANT_ACL_KEY, path: REDIS_TENANT_ACL_KEY }],
            },
          },
          ...scratch.volumes,
        ],
      },
    });

    this.serviceName = store.service.metadata.name;
    this.statefulSetName = store.statefulSet.metadata.name;
    this.registerOutputs({ serviceName: this.serviceName, statefulSetName: this.statefulSetName });
  }
}
