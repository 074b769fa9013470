/**
 * Plain TypeScript types of the settings, generated from their schemas by `npm run generate` (tools/generate.ts):
 * do not edit. `...Input` is what a caller writes (a field with a default may be omitted), `...Spec` what
 * validation returns (every default applied). `test/unit/schema/types.check.ts` proves each equal to the
 * schema's own type; the published declarations use these, so they need no zod.
 */
/**
 * A tenant as given to the registry.
 */
export interface TenantInput {
  /**
   * Tenant name, a DNS-1123 label of at most 40 characters, other than `shared`.
   */
  readonly name: string;
  /**
   * Public host name of the tenant.
   */
  readonly host: string;
  /**
   * `dedicated`: a stack of its own; `shared`: a database and host in the environment's shared stack.
   */
  readonly plan: "shared" | "dedicated";
  /**
   * Environment of the tenant's stack.
   * @default "dev"
   */
  readonly environment?: "dev" | "staging" | "prod";
  /**
   * App version: the image tag of the API and worker.
   */
  readonly version: string;
  /**
   * Region of the cluster.
   * @default "local"
   */
  readonly region?: string;
  /**
   * Cluster the stack runs on, one of the driver's clusters; a stack on any cluster but `local` has its name in the stack's.
   * @default "local"
   */
  readonly cluster?: string;
  /**
   * Stack settings (`tenantstack:*` keys without `environment` and `tenancy`); the images' tags become `version`.
   * @default {}
   */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/**
 * The Kubernetes executor's settings: stack jobs as Kubernetes Jobs in runner pods.
 * The Kubernetes executor: each stack job a Kubernetes Job in a runner pod.
 */
export interface RunnerSettings {
  /**
   * The runner image: Node.js 22, this package built, the Pulumi CLI and plugins at their pinned versions (`tools/images/build.sh runner` builds one).
   */
  readonly image: string;
  /**
   * Namespace of the runner Jobs, their Secrets, ServiceAccount and ResourceQuota.
   * @default "tenantstack-runners"
   */
  readonly namespace?: string;
  /**
   * The kubeconfig of the cluster the runners run on (its current context); the driver creates Jobs and reads their logs with it.
   * @default - the workspace's kubeconfig of the `local` cluster, else `KUBECONFIG`
   */
  readonly kubeconfig?: string;
  /**
   * How the runners reach each cluster their stacks run on; a cluster not named is reached with the workspace's kubeconfig as it is.
   * @default {}
   */
  readonly clusters?: Readonly<
    Record<
      string,
      {
        /**
         * The kubeconfig the runners use for this cluster (its current context); holds credentials: reaches runners only in a Secret.
         * @default - the workspace's kubeconfig of the cluster
         */
        readonly kubeconfig?: string;
        /**
         * The API server's address as the runners see it, replacing the kubeconfig's (its certificate must name it): for the cluster the runners run on, `https://kubernetes.default.svc`.
         * @default - the kubeconfig's own
         */
        readonly server?: string;
      }
    >
  >;
  /**
   * Most runner Jobs of this driver at once; the namespace's ResourceQuota bounds all drivers' together.
   * An integer from 1 to 256.
   * @default 4
   */
  readonly concurrency?: number;
  /**
   * Requests and limits of each runner (an engine takes about 0.9 GiB).
   * @default - each field at its default
   */
  readonly resources?: {
    /**
     * CPU request.
     * @default "500m"
     */
    readonly cpuRequest?: string;
    /**
     * Memory request.
     * @default "1Gi"
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
     * @default "256Mi"
     */
    readonly ephemeralStorageRequest?: string;
    /**
     * Ephemeral storage limit: the pod is evicted when its logs and scratch directories use more.
     * @default "2Gi"
     */
    readonly ephemeralStorageLimit?: string;
  };
  /**
   * Where runner pods are scheduled: a node selector and tolerations.
   * @default - each field at its default
   */
  readonly scheduling?: {
    /**
     * Node labels the stack's CPU pods must be scheduled on, such as a node group's label; none by default.
     * @default {}
     */
    readonly nodeSelector?: Readonly<Record<string, string>>;
    /**
     * Taints of those nodes the stack's CPU pods tolerate; none by default.
     * @default []
     */
    readonly tolerations?: readonly {
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
    }[];
  };
  /**
   * Extra labels of the runner namespace, such as a team's or a cost centre's (the pod security labels are the executor's).
   * @default {}
   */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /**
   * Longest a runner may take before it is killed (the Job's active deadline too).
   * An integer from 60 to 86400.
   * @default 1800
   */
  readonly timeoutSeconds?: number;
  /**
   * How long a cancelled runner may take to stop its engine cleanly (SIGTERM, then the engine's SIGINT) before it is killed.
   * An integer from 5 to 3600.
   * @default 60
   */
  readonly cancelGraceSeconds?: number;
  /**
   * How long a finished runner Job and its Secret are kept when the driver could not delete them (`ttlSecondsAfterFinished`).
   * An integer from 0 to 604800.
   * @default 3600
   */
  readonly keepFinishedSeconds?: number;
}

/**
 * A registered tenant's own fields, validated.
 */
export interface TenantFields {
  /**
   * Tenant name, a DNS-1123 label of at most 40 characters, other than `shared`.
   */
  readonly name: string;
  /**
   * Public host name of the tenant.
   */
  readonly host: string;
  /**
   * `dedicated`: a stack of its own; `shared`: a database and host in the environment's shared stack.
   */
  readonly plan: "shared" | "dedicated";
  /**
   * Environment of the tenant's stack.
   */
  readonly environment: "dev" | "staging" | "prod";
  /**
   * App version: the image tag of the API and worker.
   */
  readonly version: string;
  /**
   * Region of the cluster.
   */
  readonly region: string;
  /**
   * Cluster the stack runs on, one of the driver's clusters; a stack on any cluster but `local` has its name in the stack's.
   */
  readonly cluster: string;
  /**
   * Stack settings (`tenantstack:*` keys without `environment` and `tenancy`); the images' tags become `version`.
   */
  readonly settings: Readonly<Record<string, unknown>>;
}

/**
 * A tenant's update: a JSON merge patch of its fields, `null` resetting one (see `Driver.updateTenant`).
 */
export interface TenantPatch {
  readonly name?: never;
  /**
   * New public host name of the tenant.
   */
  readonly host?: string;
  readonly plan?: never;
  readonly environment?: never;
  /**
   * New app version: the image tag of the API and worker.
   */
  readonly version?: string;
  /**
   * New region of the cluster; `null` resets it to `local`.
   */
  readonly region?: string | null;
  readonly cluster?: never;
  /**
   * Merged into the tenant's stack settings (JSON merge patch: a map is merged key by key, `null` removes a key).
   */
  readonly settings?: Readonly<Record<string, unknown>> | null;
}

/**
 * The Kubernetes executor's settings, validated, with their defaults.
 * The Kubernetes executor: each stack job a Kubernetes Job in a runner pod.
 */
export interface ResolvedRunnerSettings {
  /**
   * The runner image: Node.js 22, this package built, the Pulumi CLI and plugins at their pinned versions (`tools/images/build.sh runner` builds one).
   */
  readonly image: string;
  /**
   * Namespace of the runner Jobs, their Secrets, ServiceAccount and ResourceQuota.
   */
  readonly namespace: string;
  /**
   * The kubeconfig of the cluster the runners run on (its current context); the driver creates Jobs and reads their logs with it.
   * @default - the workspace's kubeconfig of the `local` cluster, else `KUBECONFIG`
   */
  readonly kubeconfig?: string;
  /**
   * How the runners reach each cluster their stacks run on; a cluster not named is reached with the workspace's kubeconfig as it is.
   */
  readonly clusters: Readonly<
    Record<
      string,
      {
        /**
         * The kubeconfig the runners use for this cluster (its current context); holds credentials: reaches runners only in a Secret.
         * @default - the workspace's kubeconfig of the cluster
         */
        readonly kubeconfig?: string;
        /**
         * The API server's address as the runners see it, replacing the kubeconfig's (its certificate must name it): for the cluster the runners run on, `https://kubernetes.default.svc`.
         * @default - the kubeconfig's own
         */
        readonly server?: string;
      }
    >
  >;
  /**
   * Most runner Jobs of this driver at once; the namespace's ResourceQuota bounds all drivers' together.
   * An integer from 1 to 256.
   */
  readonly concurrency: number;
  /**
   * Requests and limits of each runner (an engine takes about 0.9 GiB).
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
   * Where runner pods are scheduled: a node selector and tolerations.
   */
  readonly scheduling: {
    /**
     * Node labels the stack's CPU pods must be scheduled on, such as a node group's label; none by default.
     */
    readonly nodeSelector: Readonly<Record<string, string>>;
    /**
     * Taints of those nodes the stack's CPU pods tolerate; none by default.
     */
    readonly tolerations: {
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
    }[];
  };
  /**
   * Extra labels of the runner namespace, such as a team's or a cost centre's (the pod security labels are the executor's).
   */
  readonly namespaceLabels: Readonly<Record<string, string>>;
  /**
   * Longest a runner may take before it is killed (the Job's active deadline too).
   * An integer from 60 to 86400.
   */
  readonly timeoutSeconds: number;
  /**
   * How long a cancelled runner may take to stop its engine cleanly (SIGTERM, then the engine's SIGINT) before it is killed.
   * An integer from 5 to 3600.
   */
  readonly cancelGraceSeconds: number;
  /**
   * How long a finished runner Job and its Secret are kept when the driver could not delete them (`ttlSecondsAfterFinished`).
   * An integer from 0 to 604800.
   */
  readonly keepFinishedSeconds: number;
}

/**
 * Validated settings of a migration.
 */
export interface MigrationSettings {
  /**
   * Identifier of the migration, unique per attempt; marks the target's copy as this migration's.
   */
  readonly id: string;
  /**
   * The tenant moved: its database is `tenant_<name>`, its keys start with `<name>:`.
   */
  readonly tenant: string;
  /**
   * Where the tenant's data is now.
   */
  readonly source: {
    /**
     * URL of the Postgres server as its superuser (roles and databases are created with it). The database in the path is only used to connect.
     */
    readonly postgresUrl: string;
    /**
     * URL of the Redis server as its default (admin) user: the copy reads and writes every key under the tenant's prefix.
     */
    readonly redisUrl: string;
  };
  /**
   * Where the tenant's data goes.
   */
  readonly target: {
    /**
     * URL of the Postgres server as its superuser (roles and databases are created with it). The database in the path is only used to connect.
     */
    readonly postgresUrl: string;
    /**
     * URL of the Redis server as its default (admin) user: the copy reads and writes every key under the tenant's prefix.
     */
    readonly redisUrl: string;
  };
  /**
   * Directory of the dump file. Defaults to `<tmpdir>/tenantstack-migrate-<id>`.
   */
  readonly workDir?: string;
  /**
   * Keys copied per round trip; the journal's checkpoint advances once per batch.
   * An integer from 1 to 10000.
   */
  readonly redisBatchSize: number;
  /**
   * How far a key's remaining TTL may differ between source and target, and how close to expiry a key missing on one side may be.
   * An integer from 0 to 60000.
   */
  readonly ttlToleranceMs: number;
}

/**
 * A validated body of `POST /operations`.
 */
export type OperationRequest =
  | {
      readonly kind: "provision";
      readonly tenant: TenantFields;
      /**
       * Resume this operation.
       */
      readonly operationId?: string;
      /**
       * Stacks at once (default 2).
       * An integer from 1 to 16.
       */
      readonly concurrency?: number;
    }
  | {
      readonly kind: "preview";
      /**
       * The stacks serving these tenants; all when omitted.
       */
      readonly tenants?: string[];
      /**
       * Save each plan for an approved up.
       */
      readonly savePlan?: boolean;
      /**
       * Resume this operation.
       */
      readonly operationId?: string;
      /**
       * Stacks at once (default 2).
       * An integer from 1 to 16.
       */
      readonly concurrency?: number;
    }
  | {
      readonly kind: "up";
      /**
       * The stacks serving these tenants; all when omitted.
       */
      readonly tenants?: string[];
      /**
       * Apply exactly the saved plan.
       */
      readonly savedPlan?: boolean;
      /**
       * Resume this operation.
       */
      readonly operationId?: string;
      /**
       * Stacks at once (default 2).
       * An integer from 1 to 16.
       */
      readonly concurrency?: number;
    }
  | {
      readonly kind: "refresh";
      /**
       * The stacks serving these tenants; all when omitted.
       */
      readonly tenants?: string[];
      /**
       * Resume this operation.
       */
      readonly operationId?: string;
      /**
       * Stacks at once (default 2).
       * An integer from 1 to 16.
       */
      readonly concurrency?: number;
    }
  | {
      readonly kind: "outputs";
      /**
       * The stacks serving these tenants; all when omitted.
       */
      readonly tenants?: string[];
      /**
       * Resume this operation.
       */
      readonly operationId?: string;
      /**
       * Stacks at once (default 2).
       * An integer from 1 to 16.
       */
      readonly concurrency?: number;
    }
  | {
      readonly kind: "destroy";
      /**
       * The tenants whose stacks are destroyed (a shared stack only with all its tenants).
       */
      readonly tenants: string[];
      /**
       * Destroy protected data too.
       */
      readonly forceDestroyData?: boolean;
      /**
       * Resume this operation.
       */
      readonly operationId?: string;
      /**
       * Stacks at once (default 2).
       * An integer from 1 to 16.
       */
      readonly concurrency?: number;
    }
  | {
      readonly kind: "recover";
      /**
       * The stack recovered.
       */
      readonly stack: string;
      /**
       * Resume this operation.
       */
      readonly operationId?: string;
      /**
       * Stacks at once (default 2).
       * An integer from 1 to 16.
       */
      readonly concurrency?: number;
    }
  | {
      readonly kind: "fleet-upgrade";
      /**
       * The app version rolled out.
       */
      readonly version: string;
      /**
       * The stacks serving these tenants; all when omitted.
       */
      readonly tenants?: string[];
      /**
       * Stacks of the first wave (default 1).
       * An integer from 0 to 1000.
       */
      readonly canary?: number;
      /**
       * Stacks of each later wave (default 5).
       * An integer from 1 to 1000.
       */
      readonly waveSize?: number;
      /**
       * Roll a stack that fails back to its previous version.
       */
      readonly rollback?: boolean;
      /**
       * A URL that must answer 2xx once a stack's workloads are ready; `{stack}` and `{namespace}` are replaced.
       */
      readonly httpCheckUrl?: string;
      /**
       * Resume this operation.
       */
      readonly operationId?: string;
      /**
       * Stacks at once (default 2).
       * An integer from 1 to 16.
       */
      readonly concurrency?: number;
    }
  | {
      readonly kind: "migrate";
      /**
       * The tenant moved.
       */
      readonly tenant: string;
      /**
       * The plan it moves to; with `rollback`, defaults to the plan it came from.
       */
      readonly to?: "shared" | "dedicated";
      /**
       * Target cluster, one of the driver's clusters (default: the tenant's).
       */
      readonly cluster?: string;
      /**
       * Settings of a dedicated target stack.
       */
      readonly settings?: Readonly<Record<string, unknown>>;
      /**
       * Only plan: steps, stacks touched, data sizes.
       */
      readonly dryRun?: boolean;
      /**
       * Move the tenant back while its last migration's source copy is kept.
       */
      readonly rollback?: boolean;
      /**
       * Resume this operation.
       */
      readonly operationId?: string;
      /**
       * Stacks at once (default 2).
       * An integer from 1 to 16.
       */
      readonly concurrency?: number;
    }
  | {
      readonly kind: "delete-tenant";
      /**
       * The tenant deleted.
       */
      readonly tenant: string;
      /**
       * Destroy the tenant's dedicated stack (or update its shared stack without it) before deleting it, as one journaled operation; without it a tenant whose stack is live is refused.
       */
      readonly destroy?: boolean;
      /**
       * With `destroy`: destroy protected data too.
       */
      readonly forceDestroyData?: boolean;
      /**
       * Resume this operation.
       */
      readonly operationId?: string;
      /**
       * Stacks at once (default 2).
       * An integer from 1 to 16.
       */
      readonly concurrency?: number;
    }
  | {
      readonly kind: "update-tenant";
      /**
       * The tenant updated.
       */
      readonly tenant: string;
      readonly patch: TenantPatch;
      /**
       * Only preview the tenant's stack with the change; nothing is stored.
       */
      readonly dryRun?: boolean;
      /**
       * Resume this operation.
       */
      readonly operationId?: string;
      /**
       * Stacks at once (default 2).
       * An integer from 1 to 16.
       */
      readonly concurrency?: number;
    }
  | {
      readonly kind: "gc";
      /**
       * The time grace periods are compared with (default: now).
       */
      readonly now?: string;
      /**
       * Resume this operation.
       */
      readonly operationId?: string;
      /**
       * Stacks at once (default 2).
       * An integer from 1 to 16.
       */
      readonly concurrency?: number;
    };

/**
 * Which operations a listing shows (`GET /operations`, `tenantstack operation list`).
 */
export interface OperationListQuery {
  /**
   * Only operations in this state.
   */
  readonly status?: "running" | "succeeded" | "failed" | "cancelled";
  /**
   * Only operations of this kind.
   */
  readonly kind?:
    | "preview"
    | "up"
    | "refresh"
    | "outputs"
    | "destroy"
    | "recover"
    | "fleet-upgrade"
    | "migrate"
    | "migrate-plan"
    | "gc"
    | "delete-tenant"
    | "update-tenant";
  /**
   * Most operations shown (default 50).
   * An integer from 1 to 1000.
   */
  readonly limit?: number;
}
