import { tenantDatabase, tenantKeyPrefix } from "../../../schema/naming";
import type { StepJournal, StepStatus } from "../../journal/steps";
import { parseMarker } from "./marker";
import { qualified, tables } from "./postgres/catalog";
import { withDatabase } from "./postgres/connection";
import { inspectTargetDatabase, type TargetDatabase } from "./postgres/target";
import { markerKey, scanTenant, withRedis } from "./redis/connection";
import type { MigrationSettings } from "./settings";
import { STEP_DESCRIPTIONS, type StepName, STEPS } from "./steps";

/** What a migration would do and move, read without changing anything (a dry run). */
export interface MigrationPlan {
  readonly id: string;
  readonly tenant: string;
  /** The stacks touched: the source (drained, later marked for removal) and the target (routed to). */
  readonly stacks: { readonly source: string; readonly target: string };
  /** Every step, what it does, and where the journal has it (`pending` when it never started). */
  readonly steps: readonly { readonly step: StepName; readonly does: string; readonly status: StepStatus | "pending" }[];
  readonly postgres: {
    readonly database: string;
    /** `pg_database_size` of the source database. */
    readonly sizeBytes: number;
    /** Exact row count of each table. */
    readonly tables: readonly { readonly table: string; readonly rows: number }[];
    readonly sequences: number;
    readonly largeObjects: number;
    /** What the target holds under the database's name. */
    readonly target: TargetDatabase;
  };
  readonly redis: {
    readonly prefix: string;
    readonly keys: number;
    /** Keys under the prefix in the target, and the marker of the copy there. */
    readonly target: { readonly keys: number; readonly marker: string | null };
  };
}

async function countKeys(url: string, tenant: string): Promise<number> {
  return withRedis(url, async (client) => {
    let keys = 0;
    await scanTenant(client, tenant, 1000, async (batch) => {
      keys += batch.length;
    });
    return keys;
  });
}

/** The dry-run plan of a migration: steps, stacks, data sizes, and what the target already holds. */
export async function planMigration(
  settings: MigrationSettings,
  journal: StepJournal<StepName>,
  stacks: { readonly sourceStack: string; readonly targetStack: string },
): Promise<MigrationPlan> {
  const database = tenantDatabase(settings.tenant);
  const steps = await Promise.all(
    STEPS.map(async (step) => ({ step, does: STEP_DESCRIPTIONS[step], status: (await journal.get(step))?.status ?? ("pending" as const) })),
  );
  const source = await withDatabase(settings.source.postgresUrl, database, async (client) => {
    const counted: { table: string; rows: number }[] = [];
    for (const table of await tables(client)) {
      const result = await client.query<{ rows: string }>(`SELECT count(*) AS rows FROM ONLY ${qualified(table)}`);
      counted.push({ table: `${table.schema}.${table.name}`, rows: Number(result.rows[0].rows) });
    }
    const [sizes] = (
      await client.query<{ size: string; sequences: string; objects: string }>(
        "SELECT pg_database_size(current_database()) AS size, (SELECT count(*) FROM pg_sequences) AS sequences, (SELECT count(*) FROM pg_largeobject_metadata) AS objects",
      )
    ).rows;
    return { sizeBytes: Number(sizes.size), tables: counted, sequences: Number(sizes.sequences), largeObjects: Number(sizes.objects) };
  });
  const marker = await withRedis(settings.target.redisUrl, (client) => client.get(markerKey(settings.tenant)));
  return {
    id: settings.id,
    tenant: settings.tenant,
    stacks: { source: stacks.sourceStack, target: stacks.targetStack },
    steps,
    postgres: { database, ...source, target: await inspectTargetDatabase(settings.target.postgresUrl, database, settings.id) },
    redis: {
      prefix: tenantKeyPrefix(settings.tenant),
      keys: await countKeys(settings.source.redisUrl, settings.tenant),
      target: { keys: await countKeys(settings.target.redisUrl, settings.tenant), marker: parseMarker(marker) ? marker : null },
    },
  };
}
