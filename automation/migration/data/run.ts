/**
 * Runs one data step of a migration, or prints its plan, with the connection URLs from the
 * environment: the entry point of the in-cluster Job (`job.ts`) and of local runs.
 *
 *   node run.js copyPostgres|copyRedis|verify|plan
 *
 * Environment: MIGRATION_ID, MIGRATION_TENANT, SOURCE_POSTGRES_URL, SOURCE_REDIS_URL,
 * TARGET_POSTGRES_URL, TARGET_REDIS_URL; optional MIGRATION_WORK_DIR, MIGRATION_JOURNAL (a JSON
 * file journal; without it the journal lives in memory), MIGRATION_REDIS_BATCH.
 * Prints the step's checkpoint (or the plan) as JSON on stdout and progress on stderr. Exits 0 on
 * success, 75 when a rerun may succeed, 1 otherwise, and 2 on bad usage.
 */
import { DATA_STEPS, type DataStep, dataStepHandlers } from "./dataSteps";
import { TenantstackError } from "../../errors";
import { FileJournal, MemoryJournal } from "../../journal/stepJournals";
import type { StepJournal } from "../../journal/steps";
import { RETRYABLE_EXIT_CODE } from "./job";
import { planMigration } from "./plan";
import { redact } from "../../redact";
import { parseMigrationSettings } from "./settings";
import { runMigrationStep, type StepName } from "./steps";

/** The migration settings given by environment variables. */
function settingsFromEnv(env: NodeJS.ProcessEnv): unknown {
  return {
    id: env.MIGRATION_ID,
    tenant: env.MIGRATION_TENANT,
    source: { postgresUrl: env.SOURCE_POSTGRES_URL, redisUrl: env.SOURCE_REDIS_URL },
    target: { postgresUrl: env.TARGET_POSTGRES_URL, redisUrl: env.TARGET_REDIS_URL },
    ...(env.MIGRATION_WORK_DIR ? { workDir: env.MIGRATION_WORK_DIR } : {}),
    ...(env.MIGRATION_REDIS_BATCH ? { redisBatchSize: Number(env.MIGRATION_REDIS_BATCH) } : {}),
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const step = argv[0];
  if (argv.length !== 1 || (step !== "plan" && !DATA_STEPS.includes(step as DataStep))) {
    process.stderr.write(`usage: run.ts ${[...DATA_STEPS, "plan"].join("|")} (got ${JSON.stringify(argv.join(" "))})\n`);
    return 2;
  }
  const settings = parseMigrationSettings(settingsFromEnv(process.env));
  const journal: StepJournal<StepName> = process.env.MIGRATION_JOURNAL
    ? new FileJournal(process.env.MIGRATION_JOURNAL)
    : new MemoryJournal();
  const log = (message: string) => process.stderr.write(`${redact(message)}\n`);
  const result =
    step === "plan"
      ? await planMigration(settings, journal, { sourceStack: "(source)", targetStack: "(target)" })
      : await runMigrationStep(journal, step as DataStep, dataStepHandlers(settings, log)[step as DataStep]);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${redact(error instanceof Error ? `${error.name}: ${error.message}` : String(error))}\n`);
    process.exitCode = exitCode(error);
  },
);

/** 75 when a rerun may succeed (an error of the family that says so, a dropped or refused connection), 1 otherwise. */
function exitCode(error: unknown): number {
  if (error instanceof TenantstackError) return error.retryable ? RETRYABLE_EXIT_CODE : 1;
  const code = (error as { code?: string }).code ?? "";
  const transient =
    /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|57P0[123]|08\w{3})$/.test(code) ||
    /Connection is closed|Connection terminated/i.test(String(error));
  return transient ? RETRYABLE_EXIT_CODE : 1;
}
