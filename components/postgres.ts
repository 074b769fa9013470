import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type PostgresInput, type SchedulingInput, type SchedulingSpec, tenantDatabase } from "../schema";
import { PostgresSchema } from "../schema/data";
import { credentialKey, PORTS, SERVICES, tenantKeys } from "./contract";
import { postgresClientEnv, POSTGRES_UID, waitForPostgres } from "./postgresClient";
import { afterCredentials, credentialsArg, type StackCredentials } from "./secrets";
import { recommendedLabels } from "./labels";
import { PostgresBackup } from "./postgresBackup";
import { containerResources, STEP_RESOURCES } from "./resources";
import { podPlacement } from "./scheduling";
import { RESTRICTED_CONTAINER } from "./podSecurity";
import { scratchDirectories, SMALL_SCRATCH } from "./security";
import { stepJob } from "./stepJob";
import { DATA_VOLUME, statefulStore } from "./statefulStore";
import { checksum } from "./checksum";
import { parseArgs, placedPartShape } from "./validation";
import { labels, tenantNames } from "../schema/fields";

/** Type token of {@link Postgres}. */
export const POSTGRES_TYPE = "tenantstack:data:Postgres";

/** Arguments of {@link Postgres}. */
export interface PostgresArgs {
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
  /** Postgres settings, as in a stack's `postgres`; an omitted field takes its default. */
  readonly spec: PostgresInput;
  /**
   * Node selector and tolerations of the server's and jobs' pods (a stack's `scheduling`).
   * @default - no node selector or tolerations
   */
  readonly scheduling?: SchedulingInput;
  /**
   * Tenants (distinct DNS-1123 labels of at most 40 characters) whose database and role are created
   * (idempotently) by a provisioning Job.
   * @default []
   */
  readonly tenants?: readonly string[];
  /**
   * Annotations of the backup job's ServiceAccount (cloud workload identity).
   * @default {}
   */
  readonly backupServiceAccountAnnotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Extra labels of the backup job's pods (cloud workload identity).
   * @default {}
   */
  readonly backupPodLabels?: Readonly<Record<string, string>>;
}

/**
 * The SQL that creates a tenant's role and database when missing and sets the role's password.
 * Run by `psql` with the variables `role` and `password`; safe to run again.
 * @internal
 */
export const PROVISION_TENANT_SQL = [
  "SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role')\\gexec",
  "SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'role', :'password')\\gexec",
  "SELECT format('CREATE DATABASE %I OWNER %I', :'role', :'role') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'role')\\gexec",
  "SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'role')\\gexec",
].join("\n");

/**
 * The provisioning Job's script for `count` tenants: tenant `i`'s role and password come from the environment
 * variables `TENANT_<i>_ROLE` and `TENANT_<i>_PASSWORD`, so no value is ever part of the shell source.
 * @internal
 */
export function provisionTenantsScript(count: number): string {
  return [
    "set -eu",
    waitForPostgres(600),
    ...Array.from(
      { length: count },
      (_, index) =>
        `psql -v ON_ERROR_STOP=1 -v role="$TENANT_${index}_ROLE" -v password="$TENANT_${index}_PASSWORD" -d postgres <<'SQL'\n${PROVISION_TENANT_SQL}\nSQL`,
    ),
  ].join("\n");
}

/**
 * PostgreSQL: a protected StatefulSet with its headless Service, a Job that provisions each tenant's
 * database and role, and a backup CronJob.
 */
export class Postgres extends pulumi.ComponentResource {
  /** Name of the Service, port 5432. */
  public readonly serviceName: pulumi.Output<string>;
  /** Name of the StatefulSet. */
  public readonly statefulSetName: pulumi.Output<string>;

  constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    const { spec, scheduling } = parseArgs(
      `Postgres "${name}"`,
      {
        ...placedPartShape(PostgresSchema),
        credentials: credentialsArg(),
        tenants: tenantNames().optional(),
        backupPodLabels: labels().optional(),
      },
      args,
    );
    super(POSTGRES_TYPE, name, {}, afterCredentials(args.credentials, opts));
    const instance = args.instance ?? name;
    const scratch = scratchDirectories({ run: "/var/run/postgresql", tmp: "/tmp" }, SMALL_SCRATCH);
    const ready = ["pg_isready", "-U", "postgres", "-h", "127.0.0.1"];
    // Alive means the postmaster listens (it does through crash recovery and under load); only readiness asks
    // whether it accepts connections, so a slow or recovering server leaves the Service instead of restarting.
    // Through initdb nothing listens on TCP, hence the startup probe's long grace.
    const alive = { tcpSocket: { port: "postgres" } };

    const store = statefulStore(this, name, {
      namespace: args.namespace,
      instance,
      role: "postgres",
      serviceName: SERVICES.postgres,
      port: { name: "postgres", port: PORTS.postgres },
      volume: { ...spec, field: "postgres" },
      uid: POSTGRES_UID,
      pod: {
        terminationGracePeriodSeconds: 60,
        ...podPlacement(scheduling),
        containers: [
          {
            name: "postgres",
            image: spec.image,
            args: Object.entries(spec.parameters).flatMap(([key, value]) => ["-c", `${key}=${value}`]),
            env: [
              { name: "POSTGRES_USER", value: "postgres" },
              {
                name: "POSTGRES_PASSWORD",
                valueFrom: { secretKeyRef: { name: args.credentials.credentialsSecretName, key: credentialKey("postgresPassword") } },
              },
              { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
            ],
            ports: [{ name: "postgres", containerPort: PORTS.postgres }],
            resources: containerResources(spec.resources),
            securityContext: RESTRICTED_CONTAINER,
            startupProbe: { ...alive, periodSeconds: 2, failureThreshold: 90 },
            readinessProbe: { exec: { command: ready }, periodSeconds: 5 },
            livenessProbe: { ...alive, periodSeconds: 15, failureThreshold: 4 },
            volumeMounts: [{ name: DATA_VOLUME, mountPath: "/var/lib/postgresql/data" }, ...scratch.volumeMounts],
          },
        ],
        volumes: scratch.volumes,
      },
    });

    const tenants = args.tenants ?? [];
    if (tenants.length > 0) {
      this.provisionTenants(name, { ...args, instance, image: spec.image, tenants, scheduling }, store.statefulSet);
    }

    if (spec.backup.enabled) {
      new PostgresBackup(
        `${name}-backup`,
        {
          namespace: args.namespace,
          instance,
          credentials: args.credentials,
          image: spec.image,
          backup: spec.backup,
          scheduling,
          serviceAccountAnnotations: args.backupServiceAccountAnnotations,
          podLabels: args.backupPodLabels,
        },
        { parent: this, dependsOn: [store.statefulSet] },
      );
    }

    this.serviceName = store.service.metadata.name;
    this.statefulSetName = store.statefulSet.metadata.name;
    this.registerOutputs({ serviceName: this.serviceName, statefulSetName: this.statefulSetName });
  }

  /** A Job, named for the tenant list, that creates each tenant's role and database. */
  private provisionTenants(
    name: string,
    job: {
      readonly namespace: pulumi.Input<string>;
      readonly instance: string;
      readonly credentials: StackCredentials;
      readonly image: string;
      readonly tenants: readonly string[];
      readonly scheduling: SchedulingSpec;
    },
    statefulSet: k8s.apps.v1.StatefulSet,
  ) {
    const { namespace, instance, image, tenants, scheduling } = job;
    const digest = checksum({ tenants, sql: PROVISION_TENANT_SQL }).slice(0, 10);
    const labels = recommendedLabels(instance, "postgres-provision");
    const script = provisionTenantsScript(tenants.length);
    const scratch = scratchDirectories({ tmp: "/tmp" }, SMALL_SCRATCH);

    stepJob(
      this,
      `${name}-provision-tenants`,
      {
        namespace,
        jobName: `postgres-provision-${digest}`,
        labels,
        uid: POSTGRES_UID,
        pod: {
          ...podPlacement(scheduling),
          containers: [
            {
              name: "provision",
              image,
              command: ["bash", "-c", script],
              env: [
                ...postgresClientEnv(job.credentials.credentialsSecretName),
                ...tenants.flatMap((tenant, index) => [
                  { name: `TENANT_${index}_ROLE`, value: tenantDatabase(tenant) },
                  {
                    name: `TENANT_${index}_PASSWORD`,
                    valueFrom: {
                      secretKeyRef: { name: job.credentials.tenantCredentialsSecretName, key: tenantKeys(tenant).databasePassword },
                    },
                  },
                ]),
              ],
              resources: containerResources(STEP_RESOURCES.small),
              securityContext: RESTRICTED_CONTAINER,
              volumeMounts: scratch.volumeMounts,
            },
          ],
          volumes: scratch.volumes,
        },
      },
      [statefulSet],
    );
  }
}
