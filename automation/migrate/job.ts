import { RESTRICTED_CONTAINER, restrictedPodSecurity } from "../../components/podSecurity";
import type { DataStep } from "./dataSteps";

/** A key of a Kubernetes Secret. */
export interface SecretKeyRef {
  /** Name of the Secret, in the Job's namespace. */
  readonly name: string;
  /** Key in the Secret. */
  readonly key: string;
}

/** Arguments of {@link migrationJob}. */
export interface MigrationJobArgs {
  /** Namespace the Job runs in (where the Secrets are). */
  readonly namespace: string;
  /** Migration identifier (`MigrationSettings.id`). */
  readonly id: string;
  /** The tenant moved. */
  readonly tenant: string;
  /** The data step the Job runs. */
  readonly step: DataStep;
  /**
   * Image with Node.js 22, this package built (`dist/`), and `pg_dump`/`pg_restore` at least as new
   * as the source and target servers, such as one built `FROM postgres:16.6` with Node.js added.
   */
  readonly image: string;
  /** Secret keys holding the four connection URLs (they carry passwords, so they never appear in the spec). */
  readonly urls: {
    readonly sourcePostgres: SecretKeyRef;
    readonly sourceRedis: SecretKeyRef;
    readonly targetPostgres: SecretKeyRef;
    readonly targetRedis: SecretKeyRef;
  };
  /**
   * Command that runs `automation/migrate/run.ts` built to JavaScript.
   * @default ["node", "/app/dist/automation/migrate/run.js"]
   */
  readonly command?: readonly string[];
  /**
   * User the container runs as (non-root).
   * @default 999 (the official Postgres image's `postgres` user)
   */
  readonly uid?: number;
  /**
   * Size limit of the scratch volume holding the dump, in GiB.
   * @default 20
   */
  readonly scratchGi?: number;
  /**
   * Seconds the Job may run, across retries.
   * @default 21600 (6 hours)
   */
  readonly activeDeadlineSeconds?: number;
}

/** Exit code of `run.ts` for a failure a retry may fix (EX_TEMPFAIL); any other failure ends the Job. */
export const RETRYABLE_EXIT_CODE = 75;

/** Name of a migration Job: `migrate-<step>-<id>`, cut to 63 characters. */
export function migrationJobName(id: string, step: DataStep): string {
  return `migrate-${step.toLowerCase()}-${id}`.slice(0, 63).replace(/-+$/, "");
}

/**
 * A `batch/v1` Job that runs one data step in-cluster, next to the data, with the same code the tests
 * run locally (`run.ts`): URLs from Secrets, a restricted security context and read-only root, the
 * dump and journal on a scratch volume, and a pod failure policy that retries (in a new pod, which
 * restarts the step: steps are idempotent) only failures a rerun can fix.
 */
export function migrationJob(args: MigrationJobArgs) {
  const uid = args.uid ?? 999;
  const labels = {
    "app.kubernetes.io/name": "tenantstack",
    "app.kubernetes.io/component": "migration",
    "app.kubernetes.io/managed-by": "tenantstack",
    "tenantstack.io/tenant": args.tenant,
    "tenantstack.io/migration": args.id,
  };
  const fromSecret = (name: string, ref: SecretKeyRef) => ({ name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } });
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: migrationJobName(args.id, args.step), namespace: args.namespace, labels },
    spec: {
      backoffLimit: 3,
      activeDeadlineSeconds: args.activeDeadlineSeconds ?? 21_600,
      podFailurePolicy: {
        rules: [
          { action: "Count", onExitCodes: { operator: "In", values: [RETRYABLE_EXIT_CODE] } },
          { action: "FailJob", onExitCodes: { operator: "NotIn", values: [0, RETRYABLE_EXIT_CODE] } },
          { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget" }] },
        ],
      },
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: restrictedPodSecurity(uid),
          containers: [
            {
              name: "migrate",
              image: args.image,
              command: [...(args.command ?? ["node", "/app/dist/automation/migrate/run.js"]), args.step],
              env: [
                { name: "MIGRATION_ID", value: args.id },
                { name: "MIGRATION_TENANT", value: args.tenant },
                { name: "MIGRATION_WORK_DIR", value: "/work" },
                { name: "MIGRATION_JOURNAL", value: "/work/journal.json" },
                fromSecret("SOURCE_POSTGRES_URL", args.urls.sourcePostgres),
                fromSecret("SOURCE_REDIS_URL", args.urls.sourceRedis),
                fromSecret("TARGET_POSTGRES_URL", args.urls.targetPostgres),
                fromSecret("TARGET_REDIS_URL", args.urls.targetRedis),
              ],
              resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "2", memory: "1Gi" } },
              securityContext: RESTRICTED_CONTAINER,
              volumeMounts: [
                { name: "work", mountPath: "/work" },
                { name: "tmp", mountPath: "/tmp" },
              ],
            },
          ],
          volumes: [
            { name: "work", emptyDir: { sizeLimit: `${args.scratchGi ?? 20}Gi` } },
            { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
          ],
        },
      },
    },
  };
}
