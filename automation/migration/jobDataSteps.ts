/**
 * The data steps of a migration as Kubernetes Jobs next to the data (`migrationJob()`, running
 * `automation/migration/data/run.ts`), for a driver whose process cannot reach the stacks' servers: the
 * four URLs go to a Secret of the Jobs' namespace (never into a Job's spec), each step is one Job,
 * and the driver waits for it. One Job per step and migration (its name is theirs), running one pod at
 * a time (with a pod failure policy, a pod is replaced only once it has terminated): a re-run after a
 * killed driver waits for the Job the killed attempt started, and a Job that failed is replaced by a
 * new one only once it and its pods are gone (foreground deletion), so two attempts never run at once.
 */
import type { DataStep } from "./data/dataSteps";
import { MigrationError } from "./data/errors";
import { migrationJob, migrationJobName } from "./data/job";
import type { StepHandler } from "../journal/runStep";
import type { KubeApi } from "./data/kubeDrain";
import type { MigrationSettings } from "./data/settings";

/** Running the data steps as Jobs. */
export interface MigrationJobs {
  /** Namespace the Jobs and their URL Secret go in (one that reaches both stacks' servers by NetworkPolicy). */
  readonly namespace: string;
  /** The Jobs' image: Node.js 22, this package built, `pg_dump`/`pg_restore` (see `MigrationJobArgs.image`). */
  readonly image: string;
  /**
   * How long to wait for one Job, in milliseconds.
   * @default 21600000 (6 hours, the Job's own deadline)
   */
  readonly timeoutMs?: number;
  /**
   * How often the Job's status is read, in milliseconds.
   * @default 2000
   */
  readonly pollMs?: number;
}

/** Keys of the URL Secret, as `run.ts` reads them from its environment. */
const URL_KEYS = {
  sourcePostgres: "SOURCE_POSTGRES_URL",
  sourceRedis: "SOURCE_REDIS_URL",
  targetPostgres: "TARGET_POSTGRES_URL",
  targetRedis: "TARGET_REDIS_URL",
} as const;

const MANAGER = "tenantstack-migrate";

interface JobStatus {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** The name of a migration's URL Secret. */
export function urlSecretName(id: string): string {
  return `migrate-urls-${id}`.slice(0, 253);
}

/** The handlers of the data steps, each running its step as a Job in `jobs.namespace`. */
export function jobDataSteps(kube: KubeApi, jobs: MigrationJobs, settings: MigrationSettings): Record<DataStep, StepHandler> {
  const { namespace } = jobs;
  const secret = urlSecretName(settings.id);
  const apply = (path: string, body: object) =>
    kube.request("PATCH", `${path}?fieldManager=${MANAGER}&force=true`, body, "application/apply-patch+yaml");
  const jobPath = (name: string) => `/apis/batch/v1/namespaces/${namespace}/jobs/${name}`;

  async function run(step: DataStep): Promise<{ job: string }> {
    const values = {
      [URL_KEYS.sourcePostgres]: settings.source.postgresUrl,
      [URL_KEYS.sourceRedis]: settings.source.redisUrl,
      [URL_KEYS.targetPostgres]: settings.target.postgresUrl,
      [URL_KEYS.targetRedis]: settings.target.redisUrl,
    };
    await apply(`/api/v1/namespaces/${namespace}/secrets/${secret}`, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: secret, namespace, labels: { "tenantstack.io/migration": settings.id } },
      type: "Opaque",
      data: Object.fromEntries(Object.entries(values).map(([key, value]) => [key, Buffer.from(value).toString("base64")])),
    });
    const name = migrationJobName(settings.id, step);
    const failed = (job: JobStatus | undefined) => job?.status?.conditions?.find((c) => c.type === "Failed" && c.status === "True");
    const complete = (job: JobStatus | undefined) => job?.status?.conditions?.some((c) => c.type === "Complete" && c.status === "True");
    const existing = await kube.request<JobStatus>("GET", jobPath(name)).catch(() => undefined);
    if (complete(existing)) return { job: name };
    if (failed(existing)) {
      // Foreground: the Job stays until its pods are gone, so the wait below outlasts them.
      await kube.request("DELETE", `${jobPath(name)}?propagationPolicy=Foreground`);
      while (await kube.request("GET", jobPath(name)).catch(() => undefined)) await sleep(jobs.pollMs ?? 2000);
    }
    const ref = (key: string) => ({ name: secret, key });
    const spec = migrationJob({
      namespace,
      id: settings.id,
      tenant: settings.tenant,
      step,
      image: jobs.image,
      urls: {
        sourcePostgres: ref(URL_KEYS.sourcePostgres),
        sourceRedis: ref(URL_KEYS.sourceRedis),
        targetPostgres: ref(URL_KEYS.targetPostgres),
        targetRedis: ref(URL_KEYS.targetRedis),
      },
    });
    if (!existing || failed(existing)) await kube.request("POST", `/apis/batch/v1/namespaces/${namespace}/jobs`, spec);
    const deadline = Date.now() + (jobs.timeoutMs ?? 21_600_000);
    for (;;) {
      const job = await kube.request<JobStatus>("GET", jobPath(name));
      if (complete(job)) return { job: name };
      const failure = failed(job);
      // The pod failure policy ends the Job at once for a failure a rerun cannot fix.
      if (failure)
        throw new MigrationError(
          `Job ${namespace}/${name} failed (${failure.reason ?? "unknown"}): ${failure.message ?? ""}; its pods' logs say why`,
          failure.reason !== "PodFailurePolicy",
        );
      if (Date.now() > deadline) throw new MigrationError(`Job ${namespace}/${name} did not finish in ${jobs.timeoutMs} ms`, true);
      await sleep(jobs.pollMs ?? 2000);
    }
  }

  return { copyPostgres: () => run("copyPostgres"), copyRedis: () => run("copyRedis"), verify: () => run("verify") };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
