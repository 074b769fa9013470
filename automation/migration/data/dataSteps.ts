import { VerificationError } from "./errors";
import type { StepHandler } from "../../journal/runStep";
import { copyPostgres } from "./postgres/copy";
import { comparePostgres } from "./postgres/verify";
import { copyRedis } from "./redis/copy";
import { compareRedis } from "./redis/verify";
import type { MigrationSettings } from "./settings";
import type { Log } from "./steps";

/** The steps that move and check data: they need only the data servers, so they also run in a Job. */
export const DATA_STEPS = ["copyPostgres", "copyRedis", "verify"] as const;
/** A data step. */
export type DataStep = (typeof DATA_STEPS)[number];

/** The handler of each data step for `settings`. */
export function dataStepHandlers(settings: MigrationSettings, log: Log): Record<DataStep, StepHandler> {
  return {
    copyPostgres: (_previous, _save, attempt) => copyPostgres(settings, log, attempt),
    copyRedis: (previous, save) => copyRedis(settings, previous, save, log),
    verify: async () => {
      const postgres = await comparePostgres(settings);
      const redis = await compareRedis(settings);
      const differences = [...postgres.differences, ...redis.differences];
      if (differences.length > 0) throw new VerificationError(differences);
      const summary = { tables: postgres.tables, rows: postgres.rows, checked: postgres.checked, keys: redis.sourceKeys };
      log(`verify: ${summary.tables} tables (${summary.rows} rows), ${summary.checked} catalog lines and ${summary.keys} keys equal`);
      return summary;
    },
  };
}
