/**
 * Plain TypeScript types of the settings, generated from their schemas by `npm run generate` (tools/generate.ts):
 * do not edit. `...Input` is what a caller writes (a field with a default may be omitted), `...Spec` what
 * validation returns (every default applied). `test/unit/schema/types.check.ts` proves each equal to the
 * schema's own type; the published declarations use these, so they need no zod.
 */
/**
 * A stack's settings as written, but for `cloud` and its block (see `StackInput`).
 */
export interface StackInputFields {
  /**
   * Environment of the stack; `prod` enforces production rules.
   */
  readonly environment: "dev" | "staging" | "prod";
  /**
   * Namespace of the stack.
   * @default - `tenantstack-<environment>` (shared) or `tenantstack-<environment>-<tenant>` (dedicated)
   */
  readonly namespace?: string;
  /**
   * Labels added to the stack's namespace, such as those a policy engine, a cost report or a cleanup tool selects by. Keys under `app.kubernetes.io/` and `pod-security.kubernetes.io/` are tenantstack's own.
   * @default {}
   */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /**
   * Tenancy of the stack: `shared` (many tenants, one instance) or `dedicated` (one tenant).
   */
  readonly tenancy: TenancyInput;
  /**
   * Scheduling of the stack's CPU pods (node groups): a node selector and tolerations.
   * @default - each field at its default
   */
  readonly scheduling?: SchedulingInput;
  /**
   * The HTTP API.
   */
  readonly api: ApiInput;
  /**
   * The background worker.
   */
  readonly worker: WorkerInput;
  /**
   * PostgreSQL.
   * @default - each field at its default
   */
  readonly postgres?: PostgresInput;
  /**
   * Redis.
   * @default - each field at its default
   */
  readonly redis?: RedisInput;
  /**
   * Ollama, on GPU nodes.
   * @default - each field at its default
   */
  readonly ollama?: OllamaInput;
  /**
   * Ingress and TLS.
   */
  readonly ingress: IngressInput;
  /**
   * Credentials of the stack.
   * @default {"source":"generated"}
   */
  readonly secrets?: SecretsInput;
  /**
   * Monitoring.
   * @default - each field at its default
   */
  readonly monitoring?: {
    /**
     * Create a ServiceMonitor (`monitoring.coreos.com/v1`) for the API.
     * @default false
     */
    readonly serviceMonitor?: boolean;
    /**
     * Scrape interval.
     * @default "30s"
     */
    readonly interval?: string;
    /**
     * Where the scraping Prometheus runs, for the NetworkPolicy that lets it reach the API.
     * @default - each field at its default
     */
    readonly prometheus?: {
      /**
       * Namespace of the Prometheus pods, allowed by NetworkPolicy to scrape the API's port when `serviceMonitor` is on.
       * @default "monitoring"
       */
      readonly namespace?: string;
      /**
       * Labels of the Prometheus pods in that namespace (the Prometheus Operator's label by default); `{}` allows every pod of the namespace.
       * @default {"app.kubernetes.io/name":"prometheus"}
       */
      readonly podSelector?: Readonly<Record<string, string>>;
    };
  };
}

/**
 * Tenancy of the stack: `shared` (many tenants, one instance) or `dedicated` (one tenant).
 */
export type TenancyInput =
  | {
      /**
       * One AppStack serves many tenants.
       */
      readonly mode: "shared";
      /**
       * The tenants served by this instance; each gets its own database, role, Redis user and host.
       */
      readonly tenants: readonly {
        /**
         * Tenant name, a DNS-1123 label of at most 40 characters, other than `shared` (the name of the environment's shared stack). Names the tenant's database, role, Redis user and stack.
         */
        readonly name: string;
        /**
         * Public host name the tenant is served on, such as `acme.example.com`.
         */
        readonly host: string;
        /**
         * Whether this stack's Ingress routes the tenant's host. `false` while a migration keeps a copy of the tenant here that does not serve it (the target before the switch, the source after it).
         * @default true
         */
        readonly routed?: boolean;
        /**
         * Whether this stack's pods serve the tenant (`TENANTS`). `true` with `routed: false` for a migration's source copy after the switch: fenced read-only, it answers the requests an ingress controller still sends it until the host leaves this stack's Ingress.
         * @default - as `routed`
         */
        readonly served?: boolean;
      }[];
      /**
       * `acl`: one Redis ACL user per tenant restricted to its key prefix; `prefix`: tenants share the default user and keep to their key prefix by contract.
       * @default "acl"
       */
      readonly redisIsolation?: "acl" | "prefix";
    }
  | {
      /**
       * This stack serves a single tenant in its own namespace.
       */
      readonly mode: "dedicated";
      /**
       * A tenant of the application.
       */
      readonly tenant: {
        /**
         * Tenant name, a DNS-1123 label of at most 40 characters, other than `shared` (the name of the environment's shared stack). Names the tenant's database, role, Redis user and stack.
         */
        readonly name: string;
        /**
         * Public host name the tenant is served on, such as `acme.example.com`.
         */
        readonly host: string;
        /**
         * Whether this stack's Ingress routes the tenant's host. `false` while a migration keeps a copy of the tenant here that does not serve it (the target before the switch, the source after it).
         * @default true
         */
        readonly routed?: boolean;
        /**
         * Whether this stack's pods serve the tenant (`TENANTS`). `true` with `routed: false` for a migration's source copy after the switch: fenced read-only, it answers the requests an ingress controller still sends it until the host leaves this stack's Ingress.
         * @default - as `routed`
         */
        readonly served?: boolean;
      };
    };

/**
 * Scheduling of the stack's CPU pods (node groups): a node selector and tolerations.
 */
export interface SchedulingInput {
  /**
   * Node labels the stack's CPU pods must be scheduled on, such as a node group's label; none by default.
   * @default {}
   */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /**
   * Taints of those nodes the stack's CPU pods tolerate; none by default.
   * @default []
   */
  readonly tolerations?: readonly TolerationInput[];
}

/**
 * A pod toleration.
 */
export interface TolerationInput {
  /**
   * Taint key.
   */
  readonly key: string;
  /**
   * Toleration operator.
   * @default "Equal"
   */
  readonly operator?: "Exists" | "Equal";
  /**
   * Taint value, with `Equal`.
   * @default - an empty value
   */
  readonly value?: string;
  /**
   * Taint effect.
   * @default - all effects
   */
  readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/**
 * The HTTP API.
 */
export interface ApiInput {
  /**
   * Container image, pinned by tag or digest.
   */
  readonly image: string;
  /**
   * Replica count when autoscaling is disabled.
   * An integer from 1 to 100.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Container entrypoint override.
   * @default - the image's entrypoint
   */
  readonly command?: readonly string[];
  /**
   * Container arguments.
   * @default - the image's arguments
   */
  readonly args?: readonly string[];
  /**
   * Plain environment variables. Credentials come from the stack's Secret, never from here.
   * @default {}
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Container resource requests and limits.
   * @default - each field at its default
   */
  readonly resources?: {
    /**
     * CPU request.
     * @default "250m"
     */
    readonly cpuRequest?: string;
    /**
     * Memory request.
     * @default "256Mi"
     */
    readonly memoryRequest?: string;
    /**
     * CPU limit, above 0.
     * @default "1"
     */
    readonly cpuLimit?: string;
    /**
     * Memory limit.
     * @default "512Mi"
     */
    readonly memoryLimit?: string;
    /**
     * Ephemeral storage request: the node disk the container's logs and scratch directories may use.
     * @default "128Mi"
     */
    readonly ephemeralStorageRequest?: string;
    /**
     * Ephemeral storage limit: the pod is evicted when its logs and scratch directories use more.
     * @default "1Gi"
     */
    readonly ephemeralStorageLimit?: string;
  };
  /**
   * Horizontal Pod autoscaling on CPU utilisation.
   * @default - each field at its default
   */
  readonly autoscaling?: {
    /**
     * Create a HorizontalPodAutoscaler; the Deployment's replica count is then left to it.
     * @default true
     */
    readonly enabled?: boolean;
    /**
     * Fewest replicas.
     * An integer from 1 to 100.
     * @default 2
     */
    readonly minReplicas?: number;
    /**
     * Most replicas.
     * An integer from 1 to 100.
     * @default 10
     */
    readonly maxReplicas?: number;
    /**
     * Average CPU utilisation to aim for.
     * An integer from 10 to 100.
     * @default 70
     */
    readonly targetCpuUtilizationPercent?: number;
  };
  /**
   * PodDisruptionBudget `maxUnavailable`.
   * An integer from 0 to 100.
   * @default 1
   */
  readonly maxUnavailable?: number;
  /**
   * How long a rollout may make no progress (new pods not becoming ready, as with a release that exits at start) before the Deployment reports `ProgressDeadlineExceeded`; Kubernetes' default. `pulumi up` names that condition when it fails, but waits for `rolloutTimeoutSeconds` first.
   * An integer from 30 to 3600.
   * @default 600
   */
  readonly progressDeadlineSeconds?: number;
  /**
   * How long `pulumi up` waits for the Deployment's rollout before the update fails (and a fleet upgrade's health gate stops the wave). pulumi-kubernetes waits this long even once the Deployment reports `ProgressDeadlineExceeded`: a release that exits at start fails the update only then. Leave room for the whole rollout, one pod after another.
   * An integer from 30 to 7200.
   * @default - 600, pulumi-kubernetes' own 10 minutes
   */
  readonly rolloutTimeoutSeconds?: number;
  /**
   * Port the API listens on (non-root, so 1024 or above).
   * An integer from 1024 to 65535.
   * @default 8080
   */
  readonly port?: number;
  /**
   * Liveness and startup probe path.
   * @default "/healthz"
   */
  readonly healthPath?: string;
  /**
   * Readiness probe path.
   * @default "/readyz"
   */
  readonly readyPath?: string;
  /**
   * Prometheus metrics path, scraped when monitoring is enabled.
   * @default "/metrics"
   */
  readonly metricsPath?: string;
}

/**
 * The background worker.
 */
export interface WorkerInput {
  /**
   * Container image, pinned by tag or digest.
   */
  readonly image: string;
  /**
   * Replica count when autoscaling is disabled.
   * An integer from 1 to 100.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Container entrypoint override.
   * @default - the image's entrypoint
   */
  readonly command?: readonly string[];
  /**
   * Container arguments.
   * @default - the image's arguments
   */
  readonly args?: readonly string[];
  /**
   * Plain environment variables. Credentials come from the stack's Secret, never from here.
   * @default {}
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Container resource requests and limits.
   * @default - each field at its default
   */
  readonly resources?: {
    /**
     * CPU request.
     * @default "250m"
     */
    readonly cpuRequest?: string;
    /**
     * Memory request.
     * @default "256Mi"
     */
    readonly memoryRequest?: string;
    /**
     * CPU limit, above 0.
     * @default "1"
     */
    readonly cpuLimit?: string;
    /**
     * Memory limit.
     * @default "1Gi"
     */
    readonly memoryLimit?: string;
    /**
     * Ephemeral storage request: the node disk the container's logs and scratch directories may use.
     * @default "128Mi"
     */
    readonly ephemeralStorageRequest?: string;
    /**
     * Ephemeral storage limit: the pod is evicted when its logs and scratch directories use more.
     * @default "1Gi"
     */
    readonly ephemeralStorageLimit?: string;
  };
  /**
   * Horizontal Pod autoscaling on CPU utilisation.
   * @default - each field at its default
   */
  readonly autoscaling?: {
    /**
     * Create a HorizontalPodAutoscaler; the Deployment's replica count is then left to it.
     * @default true
     */
    readonly enabled?: boolean;
    /**
     * Fewest replicas.
     * An integer from 1 to 100.
     * @default 2
     */
    readonly minReplicas?: number;
    /**
     * Most replicas.
     * An integer from 1 to 100.
     * @default 10
     */
    readonly maxReplicas?: number;
    /**
     * Average CPU utilisation to aim for.
     * An integer from 10 to 100.
     * @default 70
     */
    readonly targetCpuUtilizationPercent?: number;
  };
  /**
   * PodDisruptionBudget `maxUnavailable`.
   * An integer from 0 to 100.
   * @default 1
   */
  readonly maxUnavailable?: number;
  /**
   * How long a rollout may make no progress (new pods not becoming ready, as with a release that exits at start) before the Deployment reports `ProgressDeadlineExceeded`; Kubernetes' default. `pulumi up` names that condition when it fails, but waits for `rolloutTimeoutSeconds` first.
   * An integer from 30 to 3600.
   * @default 600
   */
  readonly progressDeadlineSeconds?: number;
  /**
   * How long `pulumi up` waits for the Deployment's rollout before the update fails (and a fleet upgrade's health gate stops the wave). pulumi-kubernetes waits this long even once the Deployment reports `ProgressDeadlineExceeded`: a release that exits at start fails the update only then. Leave room for the whole rollout, one pod after another.
   * An integer from 30 to 7200.
   * @default - 600, pulumi-kubernetes' own 10 minutes
   */
  readonly rolloutTimeoutSeconds?: number;
  /**
   * The worker's health check, run by its readiness probe. Liveness and startup only check that the worker is alive: `http`, that the health port accepts connections; `exec`, the same command, with liveness tolerating 5 minutes of failures.
   * @default {"type":"http"}
   */
  readonly health?:
    | {
        /**
         * An HTTP health endpoint on its own port.
         */
        readonly type: "http";
        /**
         * Health port.
         * An integer from 1024 to 65535.
         * @default 8081
         */
        readonly port?: number;
        /**
         * Health path.
         * @default "/healthz"
         */
        readonly path?: string;
      }
    | {
        /**
         * A command run in the container.
         */
        readonly type: "exec";
        /**
         * Health command.
         */
        readonly command: readonly string[];
      };
}

/**
 * PostgreSQL.
 */
export interface PostgresInput {
  /**
   * Postgres image.
   * @default "postgres:16.6"
   */
  readonly image?: string;
  /**
   * Size of the data volume in GiB.
   * An integer from 1 to 65536.
   * @default 20
   */
  readonly storageGi?: number;
  /**
   * StorageClass of the data volume.
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Allow a change that replaces the StatefulSet and its volume claim (size, class) and lift deletion protection. Leave false unless the data is backed up.
   * @default false
   */
  readonly allowVolumeReplacement?: boolean;
  /**
   * Container resource requests and limits.
   * @default - each field at its default
   */
  readonly resources?: {
    /**
     * CPU request.
     * @default "250m"
     */
    readonly cpuRequest?: string;
    /**
     * Memory request.
     * @default "512Mi"
     */
    readonly memoryRequest?: string;
    /**
     * CPU limit, above 0.
     * @default "2"
     */
    readonly cpuLimit?: string;
    /**
     * Memory limit.
     * @default "2Gi"
     */
    readonly memoryLimit?: string;
    /**
     * Ephemeral storage request: the node disk the container's logs and scratch directories may use.
     * @default "128Mi"
     */
    readonly ephemeralStorageRequest?: string;
    /**
     * Ephemeral storage limit: the pod is evicted when its logs and scratch directories use more.
     * @default "1Gi"
     */
    readonly ephemeralStorageLimit?: string;
  };
  /**
   * Server parameters passed as `-c name=value`.
   * @default {"max_connections":"200","shared_buffers":"256MB"}
   */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * Scheduled logical backups.
   * @default - each field at its default
   */
  readonly backup?: {
    /**
     * Run a scheduled `pg_dumpall` backup.
     * @default true
     */
    readonly enabled?: boolean;
    /**
     * Cron schedule of the backup (cluster time zone).
     * @default "0 3 * * *"
     */
    readonly schedule?: string;
    /**
     * Days a dump is kept.
     * An integer from 1 to 3650.
     * @default 14
     */
    readonly retentionDays?: number;
    /**
     * A scheduled run that cannot start within this many seconds of its time (controller down, previous run still going) is skipped, and missed runs never pile up.
     * An integer from 10 to 86400.
     * @default 3600
     */
    readonly startingDeadlineSeconds?: number;
    /**
     * Destination of the dumps: a retained volume in the namespace, or object storage.
     * @default {"type":"volume"}
     */
    readonly destination?: BackupDestinationInput;
  };
}

/**
 * Destination of the dumps: a retained volume in the namespace, or object storage.
 */
export type BackupDestinationInput =
  | {
      /**
       * A volume in the namespace, retained on delete.
       */
      readonly type: "volume";
      /**
       * Size of the backup volume in GiB.
       * An integer from 1 to 65536.
       * @default 20
       */
      readonly storageGi?: number;
    }
  | {
      /**
       * An S3 bucket.
       */
      readonly type: "s3";
      /**
       * S3 bucket name.
       */
      readonly bucket: string;
      /**
       * AWS region of the bucket; with `cloud: aws`, the stack's `aws.region`.
       */
      readonly region: string;
      /**
       * Key prefix of the dumps.
       * @default "postgres"
       */
      readonly prefix?: string;
      /**
       * Size limit in GiB of the scratch space (an emptyDir on the node's disk) the compressed dump is written to before upload; the backup pod is evicted if the dump outgrows it.
       * An integer from 1 to 1024.
       * @default 10
       */
      readonly scratchGi?: number;
    }
  | {
      /**
       * A Google Cloud Storage bucket.
       */
      readonly type: "gcs";
      /**
       * GCS bucket name.
       */
      readonly bucket: string;
      /**
       * Object prefix of the dumps.
       * @default "postgres"
       */
      readonly prefix?: string;
      /**
       * Size limit in GiB of the scratch space (an emptyDir on the node's disk) the compressed dump is written to before upload; the backup pod is evicted if the dump outgrows it.
       * An integer from 1 to 1024.
       * @default 10
       */
      readonly scratchGi?: number;
    }
  | {
      /**
       * An Azure Blob storage container.
       */
      readonly type: "azureBlob";
      /**
       * Azure storage account name.
       */
      readonly storageAccount: string;
      /**
       * Blob container name.
       */
      readonly container: string;
      /**
       * Blob prefix of the dumps.
       * @default "postgres"
       */
      readonly prefix?: string;
      /**
       * Size limit in GiB of the scratch space (an emptyDir on the node's disk) the compressed dump is written to before upload; the backup pod is evicted if the dump outgrows it.
       * An integer from 1 to 1024.
       * @default 10
       */
      readonly scratchGi?: number;
    };

/**
 * Redis.
 */
export interface RedisInput {
  /**
   * Redis image.
   * @default "redis:7.4.2"
   */
  readonly image?: string;
  /**
   * Size of the data volume in GiB.
   * An integer from 1 to 65536.
   * @default 8
   */
  readonly storageGi?: number;
  /**
   * StorageClass of the data volume.
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Allow a change that replaces the StatefulSet and its volume claim (size, class) and lift deletion protection. Leave false unless the data is backed up.
   * @default false
   */
  readonly allowVolumeReplacement?: boolean;
  /**
   * Container resource requests and limits.
   * @default - each field at its default
   */
  readonly resources?: {
    /**
     * CPU request.
     * @default "100m"
     */
    readonly cpuRequest?: string;
    /**
     * Memory request.
     * @default "256Mi"
     */
    readonly memoryRequest?: string;
    /**
     * CPU limit, above 0.
     * @default "1"
     */
    readonly cpuLimit?: string;
    /**
     * Memory limit.
     * @default "1Gi"
     */
    readonly memoryLimit?: string;
    /**
     * Ephemeral storage request: the node disk the container's logs and scratch directories may use.
     * @default "64Mi"
     */
    readonly ephemeralStorageRequest?: string;
    /**
     * Ephemeral storage limit: the pod is evicted when its logs and scratch directories use more.
     * @default "512Mi"
     */
    readonly ephemeralStorageLimit?: string;
  };
  /**
   * `maxmemory` in MiB; keep it below the memory limit.
   * An integer from 16 to 1048576.
   * @default 256
   */
  readonly maxmemoryMb?: number;
  /**
   * Eviction policy when `maxmemory` is reached.
   * @default "noeviction"
   */
  readonly maxmemoryPolicy?:
    "noeviction" | "allkeys-lru" | "volatile-lru" | "allkeys-lfu" | "volatile-lfu" | "allkeys-random" | "volatile-random" | "volatile-ttl";
  /**
   * Persist with the append-only file (`appendfsync everysec`).
   * @default true
   */
  readonly appendOnly?: boolean;
}

/**
 * Ollama, on GPU nodes.
 */
export interface OllamaInput {
  /**
   * Run Ollama in the stack.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Ollama image.
   * @default "ollama/ollama:0.6.5"
   */
  readonly image?: string;
  /**
   * Models pulled into the model volume by a Job next to the serving pod; `pulumi up` waits for it, and the API and worker start after it.
   * @default ["llama3.2:1b"]
   */
  readonly models?: readonly string[];
  /**
   * Size of the data volume in GiB.
   * An integer from 1 to 65536.
   * @default 50
   */
  readonly storageGi?: number;
  /**
   * StorageClass of the data volume.
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Allow a change that replaces the StatefulSet and its volume claim (size, class) and lift deletion protection. Leave false unless the data is backed up.
   * @default false
   */
  readonly allowVolumeReplacement?: boolean;
  /**
   * Container resource requests and limits.
   * @default - each field at its default
   */
  readonly resources?: {
    /**
     * CPU request.
     * @default "1"
     */
    readonly cpuRequest?: string;
    /**
     * Memory request.
     * @default "4Gi"
     */
    readonly memoryRequest?: string;
    /**
     * CPU limit, above 0.
     * @default "4"
     */
    readonly cpuLimit?: string;
    /**
     * Memory limit.
     * @default "16Gi"
     */
    readonly memoryLimit?: string;
    /**
     * Ephemeral storage request: the node disk the container's logs and scratch directories may use.
     * @default "256Mi"
     */
    readonly ephemeralStorageRequest?: string;
    /**
     * Ephemeral storage limit: the pod is evicted when its logs and scratch directories use more.
     * @default "4Gi"
     */
    readonly ephemeralStorageLimit?: string;
  };
  /**
   * GPU scheduling.
   * @default - each field at its default
   */
  readonly gpu?: {
    /**
     * `nvidia.com/gpu` limit; 0 runs on CPU nodes.
     * An integer from 0 to 16.
     * @default 1
     */
    readonly count?: number;
    /**
     * Node selector of the GPU nodes.
     * @default {"nvidia.com/gpu.present":"true"}
     */
    readonly nodeSelector?: Readonly<Record<string, string>>;
    /**
     * Tolerations for the GPU nodes' taints.
     * @default [{"key":"nvidia.com/gpu","operator":"Exists","effect":"NoSchedule"}]
     */
    readonly tolerations?: readonly TolerationInput[];
    /**
     * RuntimeClass of the NVIDIA container runtime.
     * @default "nvidia"
     */
    readonly runtimeClassName?: string;
  };
  /**
   * Allow the model-pull Job's pod HTTPS egress (any address, port 443) to download models; the serving pod never has it. With `false`, the pull needs another way out (an egress proxy or a policy of your own).
   * @default true
   */
  readonly allowModelDownload?: boolean;
}

/**
 * Ingress and TLS.
 */
export interface IngressInput {
  /**
   * IngressClass of the controller.
   * @default "nginx"
   */
  readonly className?: string;
  /**
   * Namespace of the ingress controller, allowed to reach the API by NetworkPolicy.
   * @default "ingress-nginx"
   */
  readonly controllerNamespace?: string;
  /**
   * TLS through cert-manager: a Let's Encrypt issuer created for the stack, an existing issuer, or none.
   */
  readonly tls:
    | {
        /**
         * Let's Encrypt staging, through an Issuer in the namespace.
         */
        readonly issuer: "letsencrypt-staging";
        /**
         * ACME account e-mail for expiry notices.
         */
        readonly email: string;
        /**
         * ACME challenge solver.
         * @default {"type":"http01"}
         */
        readonly solver?:
          | {
              /**
               * HTTP-01 through the Ingress class.
               */
              readonly type: "http01";
            }
          | {
              /**
               * DNS-01 through the zone's DNS provider.
               */
              readonly type: "dns01";
              /**
               * DNS provider of the zone.
               */
              readonly provider: "route53" | "clouddns" | "azuredns";
              /**
               * DNS zone the hosts belong to, such as `example.com`.
               */
              readonly zone: string;
            };
      }
    | {
        /**
         * Let's Encrypt production, through an Issuer in the namespace.
         */
        readonly issuer: "letsencrypt-prod";
        /**
         * ACME account e-mail for expiry notices.
         */
        readonly email: string;
        /**
         * ACME challenge solver.
         * @default {"type":"http01"}
         */
        readonly solver?:
          | {
              /**
               * HTTP-01 through the Ingress class.
               */
              readonly type: "http01";
            }
          | {
              /**
               * DNS-01 through the zone's DNS provider.
               */
              readonly type: "dns01";
              /**
               * DNS provider of the zone.
               */
              readonly provider: "route53" | "clouddns" | "azuredns";
              /**
               * DNS zone the hosts belong to, such as `example.com`.
               */
              readonly zone: string;
            };
      }
    | {
        /**
         * An Issuer or ClusterIssuer that exists.
         */
        readonly issuer: "existing";
        /**
         * Name of the existing issuer.
         */
        readonly name: string;
        /**
         * Kind of the existing issuer.
         * @default "ClusterIssuer"
         */
        readonly kind?: "Issuer" | "ClusterIssuer";
      }
    | {
        /**
         * Serve plain HTTP (local development only).
         */
        readonly issuer: "none";
      };
  /**
   * Wait for the ingress controller to publish the Ingress's address; turn off where no controller runs.
   * @default true
   */
  readonly waitForAddress?: boolean;
}

/**
 * Credentials of the stack.
 */
export type SecretsInput =
  | {
      /**
       * Passwords generated once and kept in state as secrets.
       */
      readonly source: "generated";
      /**
       * Length of generated passwords.
       * An integer from 16 to 128.
       * @default 32
       */
      readonly passwordLength?: number;
      /**
       * How passwords are generated: `random` with `@pulumi/random` (needs the `random` provider plugin), or `builtin` with the Node.js dynamic-resource plugin that ships with the Pulumi CLI. Either way a password is made once and never changes.
       * @default "random"
       */
      readonly passwordProvider?: "random" | "builtin";
      /**
       * Extra secret environment variables of the app, set with `pulumi config set --secret --path 'tenantstack:appSecretValues.NAME'`; not the stack's own credentials (`POSTGRES_PASSWORD`, `REDIS_PASSWORD`, `APP_SECRET_KEY`).
       * @default []
       */
      readonly appSecretNames?: readonly string[];
    }
  | {
      /**
       * Passwords generated once, written to the cloud's secret store (AWS Secrets Manager, GCP Secret Manager, Azure Key Vault) as `<namespace>-<credential>` and read back by an `external-secrets.io/v1` ExternalSecret through the SecretStore `cloud-secrets` of the cloud integration. Needs `cloud` other than `none`.
       */
      readonly source: "cloud";
      /**
       * Length of generated passwords.
       * An integer from 16 to 128.
       * @default 32
       */
      readonly passwordLength?: number;
      /**
       * How passwords are generated: `random` with `@pulumi/random` (needs the `random` provider plugin), or `builtin` with the Node.js dynamic-resource plugin that ships with the Pulumi CLI. Either way a password is made once and never changes.
       * @default "random"
       */
      readonly passwordProvider?: "random" | "builtin";
      /**
       * Extra secret environment variables of the app, set with `pulumi config set --secret --path 'tenantstack:appSecretValues.NAME'` and stored in the cloud's secret store too; not the stack's own credentials.
       * @default []
       */
      readonly appSecretNames?: readonly string[];
      /**
       * How often the ExternalSecret re-reads the store.
       * @default "1h"
       */
      readonly refreshInterval?: string;
    }
  | {
      /**
       * ExternalSecrets (`external-secrets.io/v1`) read the credentials from a secret store.
       */
      readonly source: "external";
      /**
       * Length of the per-tenant passwords, which are always generated.
       * An integer from 16 to 128.
       * @default 32
       */
      readonly passwordLength?: number;
      /**
       * How passwords are generated: `random` with `@pulumi/random` (needs the `random` provider plugin), or `builtin` with the Node.js dynamic-resource plugin that ships with the Pulumi CLI. Either way a password is made once and never changes.
       * @default "random"
       */
      readonly passwordProvider?: "random" | "builtin";
      /**
       * The SecretStore or ClusterSecretStore the credentials are read from.
       */
      readonly store: {
        /**
         * Kind of the store.
         * @default "ClusterSecretStore"
         */
        readonly kind?: "SecretStore" | "ClusterSecretStore";
        /**
         * Name of the store.
         */
        readonly name: string;
      };
      /**
       * How often the ExternalSecret re-reads the store.
       * @default "1h"
       */
      readonly refreshInterval?: string;
      /**
       * Extra secret environment variables of the app; not the stack's own credentials.
       * @default []
       */
      readonly appSecretNames?: readonly string[];
      /**
       * Remote key of each credential: `postgresPassword`, `redisPassword`, `appSecretKey` and every name in `appSecretNames`.
       */
      readonly remoteKeys: Readonly<Record<string, string>>;
    };

/**
 * AWS settings, required when `cloud` is `aws`.
 */
export interface AwsInput {
  /**
   * AWS region of the cluster, its secrets and its backup bucket.
   */
  readonly region: string;
  /**
   * AWS account id of the cluster.
   */
  readonly accountId: string;
  /**
   * ARN of the cluster's IAM OIDC provider (IAM roles for service accounts); the role trust policies name its issuer.
   */
  readonly oidcProviderArn: string;
  /**
   * `create`: the stack creates the bucket named in `postgres.backup.destination`, encrypted, never public, expiring dumps after `retentionDays`; `existing`: the bucket exists and the backup job is only granted access to it.
   * @default "create"
   */
  readonly backupBucket?: "create" | "existing";
  /**
   * DNS-01 on Route 53; required when `ingress.tls.solver.type` is `dns01`.
   * @default - no DNS-01 on Route 53
   */
  readonly route53?: {
    /**
     * Route 53 hosted zone of `ingress.tls.solver.zone`.
     */
    readonly hostedZoneId: string;
    /**
     * The cert-manager controller's ServiceAccount.
     * @default - each field at its default
     */
    readonly certManager?: {
      /**
       * Namespace of cert-manager.
       * @default "cert-manager"
       */
      readonly namespace?: string;
      /**
       * ServiceAccount of the cert-manager controller.
       * @default "cert-manager"
       */
      readonly serviceAccount?: string;
    };
  };
}

/**
 * GCP settings, required when `cloud` is `gcp`.
 */
export interface GcpInput {
  /**
   * GCP project id of the stack's service accounts, secrets and bucket.
   */
  readonly project: string;
  /**
   * Region of the secrets' replicas and of the backup bucket.
   */
  readonly region: string;
  /**
   * Workload identity pool of the cluster.
   * @default - `<project>.svc.id.goog` (the cluster is in `project`)
   */
  readonly workloadPool?: string;
  /**
   * `create`: the stack creates the bucket named in `postgres.backup.destination`, encrypted, never public, expiring dumps after `retentionDays`; `existing`: the bucket exists and the backup job is only granted access to it.
   * @default "create"
   */
  readonly backupBucket?: "create" | "existing";
  /**
   * DNS-01 on Cloud DNS; required when `ingress.tls.solver.type` is `dns01`.
   * @default - no DNS-01 on Cloud DNS
   */
  readonly cloudDns?: {
    /**
     * Cloud DNS managed zone (its name, not its DNS name) of `ingress.tls.solver.zone`.
     */
    readonly managedZone: string;
    /**
     * The cert-manager controller's ServiceAccount.
     * @default - each field at its default
     */
    readonly certManager?: {
      /**
       * Namespace of cert-manager.
       * @default "cert-manager"
       */
      readonly namespace?: string;
      /**
       * ServiceAccount of the cert-manager controller.
       * @default "cert-manager"
       */
      readonly serviceAccount?: string;
    };
  };
}

/**
 * Azure settings, required when `cloud` is `azure`.
 */
export interface AzureInput {
  /**
   * Microsoft Entra tenant id.
   */
  readonly tenantId: string;
  /**
   * Subscription of the stack's identities, vault and storage account.
   */
  readonly subscriptionId: string;
  /**
   * Resource group of the stack's identities, vault and storage account.
   */
  readonly resourceGroup: string;
  /**
   * Azure location of the created resources.
   */
  readonly location: string;
  /**
   * OIDC issuer URL of the AKS cluster (`az aks show --query oidcIssuerProfile.issuerUrl`).
   */
  readonly oidcIssuerUrl: string;
  /**
   * Key Vault of the stack's secrets.
   */
  readonly keyVault: {
    /**
     * Name of the Key Vault holding the stack's secrets.
     */
    readonly name: string;
    /**
     * `create`: the stack creates the vault (RBAC authorization, purge protection); `existing`: the vault exists in `resourceGroup` and uses RBAC authorization.
     * @default "create"
     */
    readonly mode?: "create" | "existing";
  };
  /**
   * `create`: the stack creates the bucket named in `postgres.backup.destination`, encrypted, never public, expiring dumps after `retentionDays`; `existing`: the bucket exists and the backup job is only granted access to it.
   * @default "create"
   */
  readonly backupBucket?: "create" | "existing";
  /**
   * DNS-01 on Azure DNS (zone `ingress.tls.solver.zone`); required when `ingress.tls.solver.type` is `dns01`.
   * @default - no DNS-01 on Azure DNS
   */
  readonly dns?: {
    /**
     * Resource group of the DNS zone.
     * @default - `resourceGroup`
     */
    readonly resourceGroup?: string;
    /**
     * The cert-manager controller's ServiceAccount.
     * @default - each field at its default
     */
    readonly certManager?: {
      /**
       * Namespace of cert-manager.
       * @default "cert-manager"
       */
      readonly namespace?: string;
      /**
       * ServiceAccount of the cert-manager controller.
       * @default "cert-manager"
       */
      readonly serviceAccount?: string;
    };
  };
}

/**
 * A validated stack's settings, but for `cloud` and its block (see `StackSpec`).
 */
export interface StackSpecFields {
  /**
   * Environment of the stack; `prod` enforces production rules.
   */
  readonly environment: "dev" | "staging" | "prod";
  /**
   * Namespace of the stack.
   * @default - `tenantstack-<environment>` (shared) or `tenantstack-<environment>-<tenant>` (dedicated)
   */
  readonly namespace?: string;
  /**
   * Labels added to the stack's namespace, such as those a policy engine, a cost report or a cleanup tool selects by. Keys under `app.kubernetes.io/` and `pod-security.kubernetes.io/` are tenantstack's own.
   */
  readonly namespaceLabels: Readonly<Record<string, string>>;
  /**
   * Tenancy of the stack: `shared` (many tenants, one instance) or `dedicated` (one tenant).
   */
  readonly tenancy: Tenancy;
  /**
   * Scheduling of the stack's CPU pods (node groups): a node selector and tolerations.
   */
  readonly scheduling: SchedulingSpec;
  /**
   * The HTTP API.
   */
  readonly api: ApiSpec;
  /**
   * The background worker.
   */
  readonly worker: WorkerSpec;
  /**
   * PostgreSQL.
   */
  readonly postgres: PostgresSpec;
  /**
   * Redis.
   */
  readonly redis: RedisSpec;
  /**
   * Ollama, on GPU nodes.
   */
  readonly ollama: OllamaSpec;
  /**
   * Ingress and TLS.
   */
  readonly ingress: IngressSpec;
  /**
   * Credentials of the stack.
   */
  readonly secrets: SecretsSpec;
  /**
   * Monitoring.
   */
  readonly monitoring: {
    /**
     * Create a ServiceMonitor (`monitoring.coreos.com/v1`) for the API.
     */
    readonly serviceMonitor: boolean;
    /**
     * Scrape interval.
     */
    readonly interval: string;
    /**
     * Where the scraping Prometheus runs, for the NetworkPolicy that lets it reach the API.
     */
    readonly prometheus: {
      /**
       * Namespace of the Prometheus pods, allowed by NetworkPolicy to scrape the API's port when `serviceMonitor` is on.
       */
      readonly namespace: string;
      /**
       * Labels of the Prometheus pods in that namespace (the Prometheus Operator's label by default); `{}` allows every pod of the namespace.
       */
      readonly podSelector: Readonly<Record<string, string>>;
    };
  };
}

/**
 * A validated tenant.
 * A tenant of the application.
 */
export interface Tenant {
  /**
   * Tenant name, a DNS-1123 label of at most 40 characters, other than `shared` (the name of the environment's shared stack). Names the tenant's database, role, Redis user and stack.
   */
  readonly name: string;
  /**
   * Public host name the tenant is served on, such as `acme.example.com`.
   */
  readonly host: string;
  /**
   * Whether this stack's Ingress routes the tenant's host. `false` while a migration keeps a copy of the tenant here that does not serve it (the target before the switch, the source after it).
   */
  readonly routed: boolean;
  /**
   * Whether this stack's pods serve the tenant (`TENANTS`). `true` with `routed: false` for a migration's source copy after the switch: fenced read-only, it answers the requests an ingress controller still sends it until the host leaves this stack's Ingress.
   * @default - as `routed`
   */
  readonly served?: boolean;
}

/**
 * Tenancy of the stack: `shared` (many tenants, one instance) or `dedicated` (one tenant).
 */
export type Tenancy =
  | {
      /**
       * One AppStack serves many tenants.
       */
      readonly mode: "shared";
      /**
       * The tenants served by this instance; each gets its own database, role, Redis user and host.
       */
      readonly tenants: Tenant[];
      /**
       * `acl`: one Redis ACL user per tenant restricted to its key prefix; `prefix`: tenants share the default user and keep to their key prefix by contract.
       */
      readonly redisIsolation: "acl" | "prefix";
    }
  | {
      /**
       * This stack serves a single tenant in its own namespace.
       */
      readonly mode: "dedicated";
      /**
       * A tenant of the application.
       */
      readonly tenant: Tenant;
    };

/**
 * Scheduling of the stack's CPU pods (node groups): a node selector and tolerations.
 */
export interface SchedulingSpec {
  /**
   * Node labels the stack's CPU pods must be scheduled on, such as a node group's label; none by default.
   */
  readonly nodeSelector: Readonly<Record<string, string>>;
  /**
   * Taints of those nodes the stack's CPU pods tolerate; none by default.
   */
  readonly tolerations: TolerationSpec[];
}

export interface TolerationSpec {
  /**
   * Taint key.
   */
  readonly key: string;
  /**
   * Toleration operator.
   */
  readonly operator: "Exists" | "Equal";
  /**
   * Taint value, with `Equal`.
   * @default - an empty value
   */
  readonly value?: string;
  /**
   * Taint effect.
   * @default - all effects
   */
  readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/**
 * The HTTP API.
 */
export interface ApiSpec {
  /**
   * Container image, pinned by tag or digest.
   */
  readonly image: string;
  /**
   * Replica count when autoscaling is disabled.
   * An integer from 1 to 100.
   */
  readonly replicas: number;
  /**
   * Container entrypoint override.
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Container arguments.
   * @default - the image's arguments
   */
  readonly args?: string[];
  /**
   * Plain environment variables. Credentials come from the stack's Secret, never from here.
   */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Container resource requests and limits.
   */
  readonly resources: {
    /**
     * CPU request.
     */
    readonly cpuRequest: string;
    /**
     * Memory request.
     */
    readonly memoryRequest: string;
    /**
     * CPU limit, above 0.
     */
    readonly cpuLimit: string;
    /**
     * Memory limit.
     */
    readonly memoryLimit: string;
    /**
     * Ephemeral storage request: the node disk the container's logs and scratch directories may use.
     */
    readonly ephemeralStorageRequest: string;
    /**
     * Ephemeral storage limit: the pod is evicted when its logs and scratch directories use more.
     */
    readonly ephemeralStorageLimit: string;
  };
  /**
   * Horizontal Pod autoscaling on CPU utilisation.
   */
  readonly autoscaling: {
    /**
     * Create a HorizontalPodAutoscaler; the Deployment's replica count is then left to it.
     */
    readonly enabled: boolean;
    /**
     * Fewest replicas.
     * An integer from 1 to 100.
     */
    readonly minReplicas: number;
    /**
     * Most replicas.
     * An integer from 1 to 100.
     */
    readonly maxReplicas: number;
    /**
     * Average CPU utilisation to aim for.
     * An integer from 10 to 100.
     */
    readonly targetCpuUtilizationPercent: number;
  };
  /**
   * PodDisruptionBudget `maxUnavailable`.
   * An integer from 0 to 100.
   */
  readonly maxUnavailable: number;
  /**
   * How long a rollout may make no progress (new pods not becoming ready, as with a release that exits at start) before the Deployment reports `ProgressDeadlineExceeded`; Kubernetes' default. `pulumi up` names that condition when it fails, but waits for `rolloutTimeoutSeconds` first.
   * An integer from 30 to 3600.
   */
  readonly progressDeadlineSeconds: number;
  /**
   * How long `pulumi up` waits for the Deployment's rollout before the update fails (and a fleet upgrade's health gate stops the wave). pulumi-kubernetes waits this long even once the Deployment reports `ProgressDeadlineExceeded`: a release that exits at start fails the update only then. Leave room for the whole rollout, one pod after another.
   * An integer from 30 to 7200.
   * @default - 600, pulumi-kubernetes' own 10 minutes
   */
  readonly rolloutTimeoutSeconds?: number;
  /**
   * Port the API listens on (non-root, so 1024 or above).
   * An integer from 1024 to 65535.
   */
  readonly port: number;
  /**
   * Liveness and startup probe path.
   */
  readonly healthPath: string;
  /**
   * Readiness probe path.
   */
  readonly readyPath: string;
  /**
   * Prometheus metrics path, scraped when monitoring is enabled.
   */
  readonly metricsPath: string;
}

/**
 * The background worker.
 */
export interface WorkerSpec {
  /**
   * Container image, pinned by tag or digest.
   */
  readonly image: string;
  /**
   * Replica count when autoscaling is disabled.
   * An integer from 1 to 100.
   */
  readonly replicas: number;
  /**
   * Container entrypoint override.
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Container arguments.
   * @default - the image's arguments
   */
  readonly args?: string[];
  /**
   * Plain environment variables. Credentials come from the stack's Secret, never from here.
   */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Container resource requests and limits.
   */
  readonly resources: {
    /**
     * CPU request.
     */
    readonly cpuRequest: string;
    /**
     * Memory request.
     */
    readonly memoryRequest: string;
    /**
     * CPU limit, above 0.
     */
    readonly cpuLimit: string;
    /**
     * Memory limit.
     */
    readonly memoryLimit: string;
    /**
     * Ephemeral storage request: the node disk the container's logs and scratch directories may use.
     */
    readonly ephemeralStorageRequest: string;
    /**
     * Ephemeral storage limit: the pod is evicted when its logs and scratch directories use more.
     */
    readonly ephemeralStorageLimit: string;
  };
  /**
   * Horizontal Pod autoscaling on CPU utilisation.
   */
  readonly autoscaling: {
    /**
     * Create a HorizontalPodAutoscaler; the Deployment's replica count is then left to it.
     */
    readonly enabled: boolean;
    /**
     * Fewest replicas.
     * An integer from 1 to 100.
     */
    readonly minReplicas: number;
    /**
     * Most replicas.
     * An integer from 1 to 100.
     */
    readonly maxReplicas: number;
    /**
     * Average CPU utilisation to aim for.
     * An integer from 10 to 100.
     */
    readonly targetCpuUtilizationPercent: number;
  };
  /**
   * PodDisruptionBudget `maxUnavailable`.
   * An integer from 0 to 100.
   */
  readonly maxUnavailable: number;
  /**
   * How long a rollout may make no progress (new pods not becoming ready, as with a release that exits at start) before the Deployment reports `ProgressDeadlineExceeded`; Kubernetes' default. `pulumi up` names that condition when it fails, but waits for `rolloutTimeoutSeconds` first.
   * An integer from 30 to 3600.
   */
  readonly progressDeadlineSeconds: number;
  /**
   * How long `pulumi up` waits for the Deployment's rollout before the update fails (and a fleet upgrade's health gate stops the wave). pulumi-kubernetes waits this long even once the Deployment reports `ProgressDeadlineExceeded`: a release that exits at start fails the update only then. Leave room for the whole rollout, one pod after another.
   * An integer from 30 to 7200.
   * @default - 600, pulumi-kubernetes' own 10 minutes
   */
  readonly rolloutTimeoutSeconds?: number;
  /**
   * The worker's health check, run by its readiness probe. Liveness and startup only check that the worker is alive: `http`, that the health port accepts connections; `exec`, the same command, with liveness tolerating 5 minutes of failures.
   */
  readonly health:
    | {
        /**
         * An HTTP health endpoint on its own port.
         */
        readonly type: "http";
        /**
         * Health port.
         * An integer from 1024 to 65535.
         */
        readonly port: number;
        /**
         * Health path.
         */
        readonly path: string;
      }
    | {
        /**
         * A command run in the container.
         */
        readonly type: "exec";
        /**
         * Health command.
         */
        readonly command: string[];
      };
}

/**
 * PostgreSQL.
 */
export interface PostgresSpec {
  /**
   * Postgres image.
   */
  readonly image: string;
  /**
   * Size of the data volume in GiB.
   * An integer from 1 to 65536.
   */
  readonly storageGi: number;
  /**
   * StorageClass of the data volume.
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Allow a change that replaces the StatefulSet and its volume claim (size, class) and lift deletion protection. Leave false unless the data is backed up.
   */
  readonly allowVolumeReplacement: boolean;
  /**
   * Container resource requests and limits.
   */
  readonly resources: {
    /**
     * CPU request.
     */
    readonly cpuRequest: string;
    /**
     * Memory request.
     */
    readonly memoryRequest: string;
    /**
     * CPU limit, above 0.
     */
    readonly cpuLimit: string;
    /**
     * Memory limit.
     */
    readonly memoryLimit: string;
    /**
     * Ephemeral storage request: the node disk the container's logs and scratch directories may use.
     */
    readonly ephemeralStorageRequest: string;
    /**
     * Ephemeral storage limit: the pod is evicted when its logs and scratch directories use more.
     */
    readonly ephemeralStorageLimit: string;
  };
  /**
   * Server parameters passed as `-c name=value`.
   */
  readonly parameters: Readonly<Record<string, string>>;
  /**
   * Scheduled logical backups.
   */
  readonly backup: {
    /**
     * Run a scheduled `pg_dumpall` backup.
     */
    readonly enabled: boolean;
    /**
     * Cron schedule of the backup (cluster time zone).
     */
    readonly schedule: string;
    /**
     * Days a dump is kept.
     * An integer from 1 to 3650.
     */
    readonly retentionDays: number;
    /**
     * A scheduled run that cannot start within this many seconds of its time (controller down, previous run still going) is skipped, and missed runs never pile up.
     * An integer from 10 to 86400.
     */
    readonly startingDeadlineSeconds: number;
    /**
     * Destination of the dumps: a retained volume in the namespace, or object storage.
     */
    readonly destination: BackupDestinationSpec;
  };
}

/**
 * Destination of the dumps: a retained volume in the namespace, or object storage.
 */
export type BackupDestinationSpec =
  | {
      /**
       * A volume in the namespace, retained on delete.
       */
      readonly type: "volume";
      /**
       * Size of the backup volume in GiB.
       * An integer from 1 to 65536.
       */
      readonly storageGi: number;
    }
  | {
      /**
       * An S3 bucket.
       */
      readonly type: "s3";
      /**
       * S3 bucket name.
       */
      readonly bucket: string;
      /**
       * AWS region of the bucket; with `cloud: aws`, the stack's `aws.region`.
       */
      readonly region: string;
      /**
       * Key prefix of the dumps.
       */
      readonly prefix: string;
      /**
       * Size limit in GiB of the scratch space (an emptyDir on the node's disk) the compressed dump is written to before upload; the backup pod is evicted if the dump outgrows it.
       * An integer from 1 to 1024.
       */
      readonly scratchGi: number;
    }
  | {
      /**
       * A Google Cloud Storage bucket.
       */
      readonly type: "gcs";
      /**
       * GCS bucket name.
       */
      readonly bucket: string;
      /**
       * Object prefix of the dumps.
       */
      readonly prefix: string;
      /**
       * Size limit in GiB of the scratch space (an emptyDir on the node's disk) the compressed dump is written to before upload; the backup pod is evicted if the dump outgrows it.
       * An integer from 1 to 1024.
       */
      readonly scratchGi: number;
    }
  | {
      /**
       * An Azure Blob storage container.
       */
      readonly type: "azureBlob";
      /**
       * Azure storage account name.
       */
      readonly storageAccount: string;
      /**
       * Blob container name.
       */
      readonly container: string;
      /**
       * Blob prefix of the dumps.
       */
      readonly prefix: string;
      /**
       * Size limit in GiB of the scratch space (an emptyDir on the node's disk) the compressed dump is written to before upload; the backup pod is evicted if the dump outgrows it.
       * An integer from 1 to 1024.
       */
      readonly scratchGi: number;
    };

/**
 * Redis.
 */
export interface RedisSpec {
  /**
   * Redis image.
   */
  readonly image: string;
  /**
   * Size of the data volume in GiB.
   * An integer from 1 to 65536.
   */
  readonly storageGi: number;
  /**
   * StorageClass of the data volume.
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Allow a change that replaces the StatefulSet and its volume claim (size, class) and lift deletion protection. Leave false unless the data is backed up.
   */
  readonly allowVolumeReplacement: boolean;
  /**
   * Container resource requests and limits.
   */
  readonly resources: {
    /**
     * CPU request.
     */
    readonly cpuRequest: string;
    /**
     * Memory request.
     */
    readonly memoryRequest: string;
    /**
     * CPU limit, above 0.
     */
    readonly cpuLimit: string;
    /**
     * Memory limit.
     */
    readonly memoryLimit: string;
    /**
     * Ephemeral storage request: the node disk the container's logs and scratch directories may use.
     */
    readonly ephemeralStorageRequest: string;
    /**
     * Ephemeral storage limit: the pod is evicted when its logs and scratch directories use more.
     */
    readonly ephemeralStorageLimit: string;
  };
  /**
   * `maxmemory` in MiB; keep it below the memory limit.
   * An integer from 16 to 1048576.
   */
  readonly maxmemoryMb: number;
  /**
   * Eviction policy when `maxmemory` is reached.
   */
  readonly maxmemoryPolicy:
    "noeviction" | "allkeys-lru" | "volatile-lru" | "allkeys-lfu" | "volatile-lfu" | "allkeys-random" | "volatile-random" | "volatile-ttl";
  /**
   * Persist with the append-only file (`appendfsync everysec`).
   */
  readonly appendOnly: boolean;
}

/**
 * Ollama, on GPU nodes.
 */
export interface OllamaSpec {
  /**
   * Run Ollama in the stack.
   */
  readonly enabled: boolean;
  /**
   * Ollama image.
   */
  readonly image: string;
  /**
   * Models pulled into the model volume by a Job next to the serving pod; `pulumi up` waits for it, and the API and worker start after it.
   */
  readonly models: string[];
  /**
   * Size of the data volume in GiB.
   * An integer from 1 to 65536.
   */
  readonly storageGi: number;
  /**
   * StorageClass of the data volume.
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Allow a change that replaces the StatefulSet and its volume claim (size, class) and lift deletion protection. Leave false unless the data is backed up.
   */
  readonly allowVolumeReplacement: boolean;
  /**
   * Container resource requests and limits.
   */
  readonly resources: {
    /**
     * CPU request.
     */
    readonly cpuRequest: string;
    /**
     * Memory request.
     */
    readonly memoryRequest: string;
    /**
     * CPU limit, above 0.
     */
    readonly cpuLimit: string;
    /**
     * Memory limit.
     */
    readonly memoryLimit: string;
    /**
     * Ephemeral storage request: the node disk the container's logs and scratch directories may use.
     */
    readonly ephemeralStorageRequest: string;
    /**
     * Ephemeral storage limit: the pod is evicted when its logs and scratch directories use more.
     */
    readonly ephemeralStorageLimit: string;
  };
  /**
   * GPU scheduling.
   */
  readonly gpu: {
    /**
     * `nvidia.com/gpu` limit; 0 runs on CPU nodes.
     * An integer from 0 to 16.
     */
    readonly count: number;
    /**
     * Node selector of the GPU nodes.
     */
    readonly nodeSelector: Readonly<Record<string, string>>;
    /**
     * Tolerations for the GPU nodes' taints.
     */
    readonly tolerations: TolerationSpec[];
    /**
     * RuntimeClass of the NVIDIA container runtime.
     */
    readonly runtimeClassName: string;
  };
  /**
   * Allow the model-pull Job's pod HTTPS egress (any address, port 443) to download models; the serving pod never has it. With `false`, the pull needs another way out (an egress proxy or a policy of your own).
   */
  readonly allowModelDownload: boolean;
}

/**
 * Ingress and TLS.
 */
export interface IngressSpec {
  /**
   * IngressClass of the controller.
   */
  readonly className: string;
  /**
   * Namespace of the ingress controller, allowed to reach the API by NetworkPolicy.
   */
  readonly controllerNamespace: string;
  /**
   * TLS through cert-manager: a Let's Encrypt issuer created for the stack, an existing issuer, or none.
   */
  readonly tls:
    | {
        /**
         * Let's Encrypt staging, through an Issuer in the namespace.
         */
        readonly issuer: "letsencrypt-staging";
        /**
         * ACME account e-mail for expiry notices.
         */
        readonly email: string;
        /**
         * ACME challenge solver.
         */
        readonly solver:
          | {
              /**
               * HTTP-01 through the Ingress class.
               */
              readonly type: "http01";
            }
          | {
              /**
               * DNS-01 through the zone's DNS provider.
               */
              readonly type: "dns01";
              /**
               * DNS provider of the zone.
               */
              readonly provider: "route53" | "clouddns" | "azuredns";
              /**
               * DNS zone the hosts belong to, such as `example.com`.
               */
              readonly zone: string;
            };
      }
    | {
        /**
         * Let's Encrypt production, through an Issuer in the namespace.
         */
        readonly issuer: "letsencrypt-prod";
        /**
         * ACME account e-mail for expiry notices.
         */
        readonly email: string;
        /**
         * ACME challenge solver.
         */
        readonly solver:
          | {
              /**
               * HTTP-01 through the Ingress class.
               */
              readonly type: "http01";
            }
          | {
              /**
               * DNS-01 through the zone's DNS provider.
               */
              readonly type: "dns01";
              /**
               * DNS provider of the zone.
               */
              readonly provider: "route53" | "clouddns" | "azuredns";
              /**
               * DNS zone the hosts belong to, such as `example.com`.
               */
              readonly zone: string;
            };
      }
    | {
        /**
         * An Issuer or ClusterIssuer that exists.
         */
        readonly issuer: "existing";
        /**
         * Name of the existing issuer.
         */
        readonly name: string;
        /**
         * Kind of the existing issuer.
         */
        readonly kind: "Issuer" | "ClusterIssuer";
      }
    | {
        /**
         * Serve plain HTTP (local development only).
         */
        readonly issuer: "none";
      };
  /**
   * Wait for the ingress controller to publish the Ingress's address; turn off where no controller runs.
   */
  readonly waitForAddress: boolean;
}

/**
 * Credentials of the stack.
 */
export type SecretsSpec =
  | {
      /**
       * Passwords generated once and kept in state as secrets.
       */
      readonly source: "generated";
      /**
       * Length of generated passwords.
       * An integer from 16 to 128.
       */
      readonly passwordLength: number;
      /**
       * How passwords are generated: `random` with `@pulumi/random` (needs the `random` provider plugin), or `builtin` with the Node.js dynamic-resource plugin that ships with the Pulumi CLI. Either way a password is made once and never changes.
       */
      readonly passwordProvider: "random" | "builtin";
      /**
       * Extra secret environment variables of the app, set with `pulumi config set --secret --path 'tenantstack:appSecretValues.NAME'`; not the stack's own credentials (`POSTGRES_PASSWORD`, `REDIS_PASSWORD`, `APP_SECRET_KEY`).
       */
      readonly appSecretNames: string[];
    }
  | {
      /**
       * Passwords generated once, written to the cloud's secret store (AWS Secrets Manager, GCP Secret Manager, Azure Key Vault) as `<namespace>-<credential>` and read back by an `external-secrets.io/v1` ExternalSecret through the SecretStore `cloud-secrets` of the cloud integration. Needs `cloud` other than `none`.
       */
      readonly source: "cloud";
      /**
       * Length of generated passwords.
       * An integer from 16 to 128.
       */
      readonly passwordLength: number;
      /**
       * How passwords are generated: `random` with `@pulumi/random` (needs the `random` provider plugin), or `builtin` with the Node.js dynamic-resource plugin that ships with the Pulumi CLI. Either way a password is made once and never changes.
       */
      readonly passwordProvider: "random" | "builtin";
      /**
       * Extra secret environment variables of the app, set with `pulumi config set --secret --path 'tenantstack:appSecretValues.NAME'` and stored in the cloud's secret store too; not the stack's own credentials.
       */
      readonly appSecretNames: string[];
      /**
       * How often the ExternalSecret re-reads the store.
       */
      readonly refreshInterval: string;
    }
  | {
      /**
       * ExternalSecrets (`external-secrets.io/v1`) read the credentials from a secret store.
       */
      readonly source: "external";
      /**
       * Length of the per-tenant passwords, which are always generated.
       * An integer from 16 to 128.
       */
      readonly passwordLength: number;
      /**
       * How passwords are generated: `random` with `@pulumi/random` (needs the `random` provider plugin), or `builtin` with the Node.js dynamic-resource plugin that ships with the Pulumi CLI. Either way a password is made once and never changes.
       */
      readonly passwordProvider: "random" | "builtin";
      /**
       * The SecretStore or ClusterSecretStore the credentials are read from.
       */
      readonly store: {
        /**
         * Kind of the store.
         */
        readonly kind: "SecretStore" | "ClusterSecretStore";
        /**
         * Name of the store.
         */
        readonly name: string;
      };
      /**
       * How often the ExternalSecret re-reads the store.
       */
      readonly refreshInterval: string;
      /**
       * Extra secret environment variables of the app; not the stack's own credentials.
       */
      readonly appSecretNames: string[];
      /**
       * Remote key of each credential: `postgresPassword`, `redisPassword`, `appSecretKey` and every name in `appSecretNames`.
       */
      readonly remoteKeys: Readonly<Record<string, string>>;
    };

/**
 * AWS settings, required when `cloud` is `aws`.
 */
export interface AwsSpec {
  /**
   * AWS region of the cluster, its secrets and its backup bucket.
   */
  readonly region: string;
  /**
   * AWS account id of the cluster.
   */
  readonly accountId: string;
  /**
   * ARN of the cluster's IAM OIDC provider (IAM roles for service accounts); the role trust policies name its issuer.
   */
  readonly oidcProviderArn: string;
  /**
   * `create`: the stack creates the bucket named in `postgres.backup.destination`, encrypted, never public, expiring dumps after `retentionDays`; `existing`: the bucket exists and the backup job is only granted access to it.
   */
  readonly backupBucket: "create" | "existing";
  /**
   * DNS-01 on Route 53; required when `ingress.tls.solver.type` is `dns01`.
   * @default - no DNS-01 on Route 53
   */
  readonly route53?: {
    /**
     * Route 53 hosted zone of `ingress.tls.solver.zone`.
     */
    readonly hostedZoneId: string;
    /**
     * The cert-manager controller's ServiceAccount.
     */
    readonly certManager: {
      /**
       * Namespace of cert-manager.
       */
      readonly namespace: string;
      /**
       * ServiceAccount of the cert-manager controller.
       */
      readonly serviceAccount: string;
    };
  };
}

/**
 * GCP settings, required when `cloud` is `gcp`.
 */
export interface GcpSpec {
  /**
   * GCP project id of the stack's service accounts, secrets and bucket.
   */
  readonly project: string;
  /**
   * Region of the secrets' replicas and of the backup bucket.
   */
  readonly region: string;
  /**
   * Workload identity pool of the cluster.
   * @default - `<project>.svc.id.goog` (the cluster is in `project`)
   */
  readonly workloadPool?: string;
  /**
   * `create`: the stack creates the bucket named in `postgres.backup.destination`, encrypted, never public, expiring dumps after `retentionDays`; `existing`: the bucket exists and the backup job is only granted access to it.
   */
  readonly backupBucket: "create" | "existing";
  /**
   * DNS-01 on Cloud DNS; required when `ingress.tls.solver.type` is `dns01`.
   * @default - no DNS-01 on Cloud DNS
   */
  readonly cloudDns?: {
    /**
     * Cloud DNS managed zone (its name, not its DNS name) of `ingress.tls.solver.zone`.
     */
    readonly managedZone: string;
    /**
     * The cert-manager controller's ServiceAccount.
     */
    readonly certManager: {
      /**
       * Namespace of cert-manager.
       */
      readonly namespace: string;
      /**
       * ServiceAccount of the cert-manager controller.
       */
      readonly serviceAccount: string;
    };
  };
}

/**
 * Azure settings, required when `cloud` is `azure`.
 */
export interface AzureSpec {
  /**
   * Microsoft Entra tenant id.
   */
  readonly tenantId: string;
  /**
   * Subscription of the stack's identities, vault and storage account.
   */
  readonly subscriptionId: string;
  /**
   * Resource group of the stack's identities, vault and storage account.
   */
  readonly resourceGroup: string;
  /**
   * Azure location of the created resources.
   */
  readonly location: string;
  /**
   * OIDC issuer URL of the AKS cluster (`az aks show --query oidcIssuerProfile.issuerUrl`).
   */
  readonly oidcIssuerUrl: string;
  /**
   * Key Vault of the stack's secrets.
   */
  readonly keyVault: {
    /**
     * Name of the Key Vault holding the stack's secrets.
     */
    readonly name: string;
    /**
     * `create`: the stack creates the vault (RBAC authorization, purge protection); `existing`: the vault exists in `resourceGroup` and uses RBAC authorization.
     */
    readonly mode: "create" | "existing";
  };
  /**
   * `create`: the stack creates the bucket named in `postgres.backup.destination`, encrypted, never public, expiring dumps after `retentionDays`; `existing`: the bucket exists and the backup job is only granted access to it.
   */
  readonly backupBucket: "create" | "existing";
  /**
   * DNS-01 on Azure DNS (zone `ingress.tls.solver.zone`); required when `ingress.tls.solver.type` is `dns01`.
   * @default - no DNS-01 on Azure DNS
   */
  readonly dns?: {
    /**
     * Resource group of the DNS zone.
     * @default - `resourceGroup`
     */
    readonly resourceGroup?: string;
    /**
     * The cert-manager controller's ServiceAccount.
     */
    readonly certManager: {
      /**
       * Namespace of cert-manager.
       */
      readonly namespace: string;
      /**
       * ServiceAccount of the cert-manager controller.
       */
      readonly serviceAccount: string;
    };
  };
}
