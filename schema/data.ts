/**
 * The zod schemas of the stack's stores: Postgres with its backup and the backup's destination (`postgres`),
 * Redis (`redis`) and Ollama (`ollama`). Package-private, as `workloads.ts` is: no entry point exports it and
 * its declarations are not published; the plain types the schemas parse to are, in `types.ts` (generated).
 */
import { z } from "zod";
import { cronSchedule, dnsLabel, flag, image, intBetween, labels, memory, memoryMiB, omitted, oneOf, settings, stringMap } from "./fields";
import { awsRegion, blobContainerName, gcsBucketName, objectPrefix, s3BucketName, storageAccountName } from "./cloudFields";
import { TolerationSchema } from "./scheduling";
import { resourcesSchema } from "./workloads";

/** Fields every stateful store has: its volume and the opt-in to replace it. */
function volumeFields(defaultStorageGi: number) {
  return {
    storageGi: intBetween(1, 65536).default(defaultStorageGi).describe("Size of the data volume in GiB."),
    storageClass: dnsLabel(253).optional().describe("StorageClass of the data volume.").meta(omitted("the cluster's default StorageClass")),
    allowVolumeReplacement: flag()
      .default(false)
      .describe(
        "Allow a change that replaces the StatefulSet and its volume claim (size, class) and lift deletion protection. Leave false unless the data is backed up.",
      ),
  };
}

/** Fields of an object-storage destination: the dump is written to scratch space first, then uploaded. */
function uploadFields() {
  return {
    scratchGi: intBetween(1, 1024)
      .default(10)
      .describe(
        "Size limit in GiB of the scratch space (an emptyDir on the node's disk) the compressed dump is written to before upload; the backup pod is evicted if the dump outgrows it.",
      ),
  };
}

/** Where Postgres backups go. */
export const BackupDestinationSchema = z
  .discriminatedUnion(
    "type",
    [
      settings({
        type: z.literal("volume").describe("A volume in the namespace, retained on delete."),
        storageGi: intBetween(1, 65536).default(20).describe("Size of the backup volume in GiB."),
      }),
      settings({
        type: z.literal("s3").describe("An S3 bucket."),
        bucket: s3BucketName().describe("S3 bucket name."),
        region: awsRegion().describe("AWS region of the bucket; with `cloud: aws`, the stack's `aws.region`."),
        prefix: objectPrefix().default("postgres").describe("Key prefix of the dumps."),
        ...uploadFields(),
      }),
      settings({
        type: z.literal("gcs").describe("A Google Cloud Storage bucket."),
        bucket: gcsBucketName().describe("GCS bucket name."),
        prefix: objectPrefix().default("postgres").describe("Object prefix of the dumps."),
        ...uploadFields(),
      }),
      settings({
        type: z.literal("azureBlob").describe("An Azure Blob storage container."),
        storageAccount: storageAccountName().describe("Azure storage account name."),
        container: blobContainerName().describe("Blob container name."),
        prefix: objectPrefix().default("postgres").describe("Blob prefix of the dumps."),
        ...uploadFields(),
      }),
    ],
    { error: 'must be one of "volume", "s3", "gcs", "azureBlob"' },
  )
  .prefault({ type: "volume" })
  .describe("Destination of the dumps: a retained volume in the namespace, or object storage.");

/** The Postgres backup CronJob. */
export const BackupSchema = settings({
  enabled: flag().default(true).describe("Run a scheduled `pg_dumpall` backup."),
  schedule: cronSchedule().default("0 3 * * *").describe("Cron schedule of the backup (cluster time zone)."),
  retentionDays: intBetween(1, 3650).default(14).describe("Days a dump is kept."),
  startingDeadlineSeconds: intBetween(10, 86400)
    .default(3600)
    .describe(
      "A scheduled run that cannot start within this many seconds of its time (controller down, previous run still going) is skipped, and missed runs never pile up.",
    ),
  destination: BackupDestinationSchema,
})
  .prefault({})
  .describe("Scheduled logical backups.");

/** The Postgres StatefulSet. */
export const PostgresSchema = settings({
  image: image().default("postgres:16.6").describe("Postgres image."),
  ...volumeFields(20),
  resources: resourcesSchema({
    cpuRequest: "250m",
    memoryRequest: "512Mi",
    cpuLimit: "2",
    memoryLimit: "2Gi",
    ephemeralStorageRequest: "128Mi",
    ephemeralStorageLimit: "1Gi",
  }),
  parameters: stringMap(
    z.string().regex(/^[a-z][a-z0-9_.]*$/, { error: "must be a Postgres parameter name: lowercase letters, digits, '_' and '.'" }),
  )
    .default({ max_connections: "200", shared_buffers: "256MB" })
    .describe("Server parameters passed as `-c name=value`."),
  backup: BackupSchema,
})
  .prefault({})
  .describe("PostgreSQL.");

/** The Redis StatefulSet. */
export const RedisSchema = settings({
  image: image().default("redis:7.4.2").describe("Redis image."),
  ...volumeFields(8),
  resources: resourcesSchema({
    cpuRequest: "100m",
    memoryRequest: "256Mi",
    cpuLimit: "1",
    memoryLimit: "1Gi",
    ephemeralStorageRequest: "64Mi",
    ephemeralStorageLimit: "512Mi",
  }),
  maxmemoryMb: intBetween(16, 1048576).default(256).describe("`maxmemory` in MiB; keep it below the memory limit."),
  maxmemoryPolicy: oneOf([
    "noeviction",
    "allkeys-lru",
    "volatile-lru",
    "allkeys-lfu",
    "volatile-lfu",
    "allkeys-random",
    "volatile-random",
    "volatile-ttl",
  ])
    .default("noeviction")
    .describe("Eviction policy when `maxmemory` is reached."),
  appendOnly: flag().default(true).describe("Persist with the append-only file (`appendfsync everysec`)."),
})
  .prefault({})
  .superRefine((redis, ctx) => {
    // A malformed limit has its problem already.
    if (!memory().safeParse(redis.resources.memoryLimit).success) return;
    if (redis.maxmemoryMb >= memoryMiB(redis.resources.memoryLimit)) {
      ctx.addIssue({
        code: "custom",
        path: ["maxmemoryMb"],
        input: redis.maxmemoryMb,
        message: `must be below \`resources.memoryLimit\` (${redis.resources.memoryLimit}), or Redis is killed before it evicts`,
      });
    }
  })
  .describe("Redis.");

const GPU_TOLERATION = { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" } as const;

/** GPU scheduling of Ollama. */
const GpuSchema = settings({
  count: intBetween(0, 16).default(1).describe("`nvidia.com/gpu` limit; 0 runs on CPU nodes."),
  nodeSelector: labels().default({ "nvidia.com/gpu.present": "true" }).describe("Node selector of the GPU nodes."),
  tolerations: z.array(TolerationSchema).default([GPU_TOLERATION]).describe("Tolerations for the GPU nodes' taints."),
  runtimeClassName: dnsLabel(253).default("nvidia").describe("RuntimeClass of the NVIDIA container runtime."),
})
  .prefault({})
  .superRefine((gpu, ctx) => {
    if (gpu.count === 0) return;
    if (Object.keys(gpu.nodeSelector).length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["nodeSelector"],
        input: gpu.nodeSelector,
        message: "must select the GPU nodes when `count` is above 0",
      });
    }
    if (gpu.tolerations.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["tolerations"],
        input: gpu.tolerations,
        message: "must tolerate the GPU nodes' taint when `count` is above 0",
      });
    }
  })
  .describe("GPU scheduling.");

/** The Ollama StatefulSet. */
export const OllamaSchema = settings({
  enabled: flag().default(true).describe("Run Ollama in the stack."),
  image: image().default("ollama/ollama:0.6.5").describe("Ollama image."),
  models: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9._\-/]*(:[A-Za-z0-9._-]+)?$/, { error: 'must be an Ollama model name such as "llama3.2:1b"' }))
    .default(["llama3.2:1b"])
    .describe(
      "Models pulled into the model volume by a Job next to the serving pod; `pulumi up` waits for it, and the API and worker start after it.",
    ),
  ...volumeFields(50),
  resources: resourcesSchema({
    cpuRequest: "1",
    memoryRequest: "4Gi",
    cpuLimit: "4",
    memoryLimit: "16Gi",
    ephemeralStorageRequest: "256Mi",
    ephemeralStorageLimit: "4Gi",
  }),
  gpu: GpuSchema,
  allowModelDownload: flag()
    .default(true)
    .describe(
      "Allow the model-pull Job's pod HTTPS egress (any address, port 443) to download models; the serving pod never has it. With `false`, the pull needs another way out (an egress proxy or a policy of your own).",
    ),
})
  .prefault({})
  .describe("Ollama, on GPU nodes.");
