import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PostgresSpec, ResourcesSpec, SchedulingSpec } from "../schema";
import { BackupSchema } from "../schema/data";
import { SchedulingSchema } from "../schema/scheduling";
import { image, labels as labelMap, labelValue } from "../schema/fields";
import { recommendedLabels } from "./labels";
import { postgresClientEnv, POSTGRES_UID, waitForPostgres } from "./postgresClient";
import { afterCredentials, credentialsArg, type StackCredentials } from "./secrets";
import { containerResources, STEP_RESOURCES } from "./resources";
import { podPlacement } from "./scheduling";
import { RESTRICTED_CONTAINER, restrictedPodSecurity } from "./podSecurity";
import { scratchDirectories, SMALL_SCRATCH } from "./security";
import { namespaceArg, parseArgs } from "./validation";

/** Type token of {@link PostgresBackup}. */
export const POSTGRES_BACKUP_TYPE = "tenantstack:data:PostgresBackup";

type BackupSpec = PostgresSpec["backup"];
type Destination = BackupSpec["destination"];

/** Arguments of {@link PostgresBackup}. */
export interface PostgresBackupArgs {
  /** Namespace of the stack. */
  readonly namespace: pulumi.Input<string>;
  /**
   * `app.kubernetes.io/instance` label of every object, by which the stack's `NetworkPolicies` select
   * its pods: the `instance` of every part of the stack.
   */
  readonly instance: string;
  /** Where the Postgres superuser password is read from: the stack's `Secrets`, or the names of its Secrets. */
  readonly credentials: StackCredentials;
  /** Postgres image, whose `pg_dumpall` matches the server. */
  readonly image: string;
  /** Validated backup settings. */
  readonly backup: BackupSpec;
  /**
   * Validated node selector and tolerations of the backup pods.
   * @default - no node selector or tolerations
   */
  readonly scheduling?: SchedulingSpec;
  /**
   * Annotations of the backup ServiceAccount (cloud workload identity).
   * @default {}
   */
  readonly serviceAccountAnnotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Extra labels of the backup pods (Azure workload identity needs one).
   * @default {}
   */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/** Name of the backup's CronJob and ServiceAccount (a cloud identity trusts exactly this ServiceAccount). */
export const BACKUP_SERVICE_ACCOUNT = "postgres-backup";

/** Where dumps are written before upload, and their file name. */
const WORK = "/work";
const DUMP = 'dump="postgres-$(date -u +%Y%m%dT%H%M%SZ).sql.gz"';

/** An environment variable of a container. */
type EnvVar = k8s.types.input.core.v1.EnvVar;

/**
 * How each object store receives a dump: the uploader image, its script and the environment the script reads
 * its destination from (retention is the bucket's lifecycle). No setting is ever part of the shell source.
 */
function uploader(destination: Exclude<Destination, { type: "volume" }>): { image: string; script: string; env: EnvVar[] } {
  const latest = `file="$(cat ${WORK}/latest)"`;
  const prefix = { name: "BACKUP_PREFIX", value: destination.prefix };
  switch (destination.type) {
    case "s3":
      return {
        image: "amazon/aws-cli:2.22.35",
        script: `${latest}; aws s3 cp "${WORK}/$file" "s3://$BACKUP_BUCKET/$BACKUP_PREFIX/$file" --region "$BACKUP_REGION" --sse AES256`,
        env: [{ name: "BACKUP_BUCKET", value: destination.bucket }, prefix, { name: "BACKUP_REGION", value: destination.region }],
      };
    case "gcs":
      return {
        image: "google/cloud-sdk:502.0.0-slim",
        script: `${latest}; gcloud storage cp "${WORK}/$file" "gs://$BACKUP_BUCKET/$BACKUP_PREFIX/$file"`,
        env: [{ name: "BACKUP_BUCKET", value: destination.bucket }, prefix],
      };
    case "azureBlob":
      return {
        image: "mcr.microsoft.com/azure-cli:2.67.0",
        script:
          `${latest}; az login --service-principal -u "$AZURE_CLIENT_ID" -t "$AZURE_TENANT_ID" --federated-token "$(cat "$AZURE_FEDERATED_TOKEN_FILE")" >/dev/null && ` +
          `az storage blob upload --auth-mode login --account-name "$BACKUP_STORAGE_ACCOUNT" --container-name "$BACKUP_CONTAINER" --name "$BACKUP_PREFIX/$file" --file "${WORK}/$file"`,
        env: [
          { name: "BACKUP_STORAGE_ACCOUNT", value: destination.storageAccount },
          { name: "BACKUP_CONTAINER", value: destination.container },
          prefix,
        ],
      };
  }
}

/**
 * A CronJob dumping every database with `pg_dumpall`, gzip-compressed: to a retained volume in the
 * namespace (pruned after `retentionDays`), or to S3, GCS or Azure Blob storage.
 */
export class PostgresBackup extends pulumi.ComponentResource {
  /** Name of the CronJob. */
  public readonly cronJobName: pulumi.Output<string>;

  constructor(name: string, args: PostgresBackupArgs, opts?: pulumi.ComponentResourceOptions) {
    const { backup, scheduling } = parseArgs(
      `PostgresBackup "${name}"`,
      {
        namespace: namespaceArg(),
        instance: labelValue(),
        image: image(),
        backup: BackupSchema,
        scheduling: SchedulingSchema,
        podLabels: labelMap().optional(),
        credentials: credentialsArg(),
      },
      args,
    );
    super(POSTGRES_BACKUP_TYPE, name, {}, afterCredentials(args.credentials, opts));
    const labels = recommendedLabels(args.instance, "postgres-backup");
    const metadata = { name: BACKUP_SERVICE_ACCOUNT, namespace: args.namespace, labels };
    const destination = backup.destination;

    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-service-account`,
      { metadata: { ...metadata, annotations: args.serviceAccountAnnotations }, automountServiceAccountToken: false },
      { parent: this },
    );

    // With an upload, the dump waits in a scratch directory on the node's disk: the containers' ephemeral
    // storage covers it (the pod is evicted when the dump outgrows `scratchGi`, never the node's disk filled).
    const scratchMiB = destination.type === "volume" ? 0 : destination.scratchGi * 1024;
    const resources: ResourcesSpec = {
      ...STEP_RESOURCES.transfer,
      ephemeralStorageRequest: `${scratchMiB + 64}Mi`,
      ephemeralStorageLimit: `${scratchMiB + 256}Mi`,
    };
    const container = (
      containerName: string,
      image: string,
      script: string,
      mounts: k8s.types.input.core.v1.VolumeMount[],
      env: EnvVar[] = [],
    ) => ({
      name: containerName,
      image,
      command: ["bash", "-c", `set -euo pipefail; ${script}`],
      env: [...postgresClientEnv(args.credentials.credentialsSecretName), { name: "HOME", value: "/tmp" }, ...env],
      resources: containerResources(resources),
      securityContext: RESTRICTED_CONTAINER,
      volumeMounts: [{ name: "work", mountPath: WORK }, ...mounts],
    });
    const scratch = scratchDirectories({ tmp: "/tmp" }, SMALL_SCRATCH);
    const dump = `${waitForPostgres(120)}; ${DUMP}; pg_dumpall | gzip > "${WORK}/$dump.partial"; mv "${WORK}/$dump.partial" "${WORK}/$dump"; echo "$dump" > ${WORK}/latest`;

    let work: k8s.types.input.core.v1.Volume;
    let containers: k8s.types.input.core.v1.Container[];
    let initContainers: k8s.types.input.core.v1.Container[] = [];
    if (destination.type === "volume") {
      const claim = new k8s.core.v1.PersistentVolumeClaim(
        `${name}-volume`,
        {
          metadata,
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${destination.storageGi}Gi` } } },
        },
        { parent: this, protect: true, retainOnDelete: true },
      );
      work = { name: "work", persistentVolumeClaim: { claimName: claim.metadata.name } };
      const prune = `find ${WORK} -name 'postgres-*.sql.gz' -mtime +"$BACKUP_RETENTION_DAYS" -delete`;
      const retention = { name: "BACKUP_RETENTION_DAYS", value: String(backup.retentionDays) };
      containers = [container("backup", args.image, `${dump}; ${prune}`, scratch.volumeMounts, [retention])];
    } else {
      const upload = uploader(destination);
      work = { name: "work", emptyDir: { sizeLimit: `${destination.scratchGi}Gi` } };
      initContainers = [container("dump", args.image, dump, scratch.volumeMounts)];
      containers = [container("upload", upload.image, upload.script, scratch.volumeMounts, upload.env)];
    }

    const cronJob = new k8s.batch.v1.CronJob(
      `${name}-cronjob`,
      {
        metadata,
        spec: {
          schedule: backup.schedule,
          concurrencyPolicy: "Forbid",
          startingDeadlineSeconds: backup.startingDeadlineSeconds,
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            spec: {
              backoffLimit: 2,
              template: {
                metadata: { labels: { ...args.podLabels, ...labels } },
                spec: {
                  restartPolicy: "Never",
                  serviceAccountName: serviceAccount.metadata.name,
                  automountServiceAccountToken: false,
                  enableServiceLinks: false,
                  securityContext: restrictedPodSecurity(POSTGRES_UID),
                  ...podPlacement(scheduling),
                  initContainers,
                  containers,
                  volumes: [work, ...scratch.volumes],
                },
              },
            },
          },
        },
      },
      { parent: this },
    );

    this.cronJobName = cronJob.metadata.name;
    this.registerOutputs({ cronJobName: this.cronJobName });
  }
}
