/**
 * The app's tables in each tenant's database, created on the first write (never by a read: while
 * a tenant is read-only nothing of its database changes). Concurrent replicas creating them at
 * once are serialised by an advisory lock, since `CREATE TABLE IF NOT EXISTS` alone can race.
 */
import type { PoolClient } from "pg";

/** The advisory lock key held while the tables are created (any constant of the app's own). */
const SCHEMA_LOCK = 7_352_118_001;

/** The tables: notes (the API's resource) and the worker's job results. */
export const SCHEMA_SQL = [
  `CREATE TABLE IF NOT EXISTS notes (
    id bigserial PRIMARY KEY,
    idempotency_key text UNIQUE,
    text text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE IF NOT EXISTS job_results (
    job_id text PRIMARY KEY,
    words integer NOT NULL,
    sha256 text NOT NULL,
    enqueued_at timestamptz NOT NULL,
    completed_at timestamptz NOT NULL DEFAULT now(),
    worker text NOT NULL
  )`,
];

/** Creates the tables if missing, in one transaction under the advisory lock. */
export async function createSchema(client: PoolClient): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [SCHEMA_LOCK]);
    for (const sql of SCHEMA_SQL) await client.query(sql);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** Whether `error` is Postgres' "relation does not exist" (a read before the first write). */
export function isUndefinedTable(error: unknown): boolean {
  return (error as { code?: unknown })?.code === "42P01";
}
