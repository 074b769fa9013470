/** PostgreSQL by connection URL, for a provisioning service (the `pg` package). */
import { Pool, type PoolClient } from "pg";
import type { Row, SqlDatabase } from "./sqlDatabase";

/** `?` placeholders as `$1`, `$2`, ... (our statements hold no literal `?`). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

class Postgres implements SqlDatabase {
  readonly dialect = "postgres";
  // clock_timestamp(), not now(): the time of the statement, not of its transaction's start.
  readonly nowMs = "CAST(FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000) AS BIGINT)";
  readonly forUpdate = " FOR UPDATE";

  constructor(
    private readonly pool: Pool,
    private readonly client?: PoolClient,
  ) {}

  async all<T extends Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await (this.client ?? this.pool).query(numbered(sql), params as unknown[])).rows as T[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await (this.client ?? this.pool).query(numbered(sql), params as unknown[])).rowCount ?? 0;
  }

  async transaction<T>(work: (db: SqlDatabase) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(new Postgres(this.pool, client));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    } finally {
      client.release();
    }
  }

  async addColumn(table: string, column: string, type: string): Promise<void> {
    await this.run(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${column} ${type}`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Connects to PostgreSQL; fails now, not at the first query, when the server cannot be reached. */
export async function openPostgres(url: string): Promise<SqlDatabase> {
  const pool = new Pool({ connectionString: url, max: 4 });
  await pool.query("SELECT 1");
  return new Postgres(pool);
}
