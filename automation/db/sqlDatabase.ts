/**
 * The driver's database: the tenant registry, the operation journal and the stack leases, in an
 * embedded SQLite file by default or PostgreSQL for a service. Queries are written once, with `?`
 * placeholders, and run on either.
 */

/** A row of a query result. */
export type Row = Record<string, unknown>;

/** The few things the registry and the journal ask of a SQL database. */
export interface SqlDatabase {
  /** Which engine this is. */
  readonly dialect: "sqlite" | "postgres";
  /** The rows of a query. */
  all<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; resolves the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs `work` in one transaction on a database that sees only that transaction. */
  transaction<T>(work: (db: SqlDatabase) => Promise<T>): Promise<T>;
  /** Closes the connection(s). */
  close(): Promise<void>;
}

/** Tables of the registry, the journal, the leases and the tenant migrations; idempotent. */
export const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS tenants (
    name TEXT PRIMARY KEY, plan TEXT NOT NULL, environment TEXT NOT NULL, host TEXT NOT NULL, version TEXT NOT NULL,
    region TEXT NOT NULL, cluster TEXT NOT NULL, settings TEXT NOT NULL, created_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS operations (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, params TEXT NOT NULL, status TEXT NOT NULL, result TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS operation_steps (
    operation_id TEXT NOT NULL, step TEXT NOT NULL, status TEXT NOT NULL, detail TEXT, attempts INTEGER NOT NULL,
    started_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (operation_id, step))`,
  `CREATE TABLE IF NOT EXISTS stack_leases (
    stack TEXT PRIMARY KEY, holder TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, acquired_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS tenant_migrations (
    operation_id TEXT PRIMARY KEY, tenant TEXT NOT NULL, phase TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
    remove_after TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
];

/**
 * Opens the database at `url`: `postgres://` or `postgresql://` for PostgreSQL, else a SQLite file
 * path (`sqlite:` prefix optional). Creates the tables.
 */
export async function openDatabase(url: string): Promise<SqlDatabase> {
  const db = /^postgres(ql)?:\/\//.test(url)
    ? await (await import("./postgres")).openPostgres(url)
    : (await import("./sqlite")).openSqlite(url.replace(/^sqlite:/, ""));
  for (const statement of SCHEMA) await db.run(statement);
  return db;
}
