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
  /**
   * The SQL expression of the database's own clock, in whole milliseconds since the epoch: the one time
   * source of every driver sharing the database (leases expire by it, never by a driver's clock).
   */
  readonly nowMs: string;
  /** The rows of a query. */
  all<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; resolves the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs `work` in one transaction on a database that sees only that transaction. */
  transaction<T>(work: (db: SqlDatabase) => Promise<T>): Promise<T>;
  /**
   * The clause that locks the rows a `SELECT` reads until the transaction ends, where the engine needs
   * one: ` FOR UPDATE` on PostgreSQL; nothing on SQLite, whose write transactions run one at a time.
   */
  readonly forUpdate: string;
  /** Adds `column` of SQL type `type` to `table` unless it has it; safe when drivers open the database at once. */
  addColumn(table: string, column: string, type: string): Promise<void>;
  /** Closes the connection(s). */
  close(): Promise<void>;
}

/** Tables of the registry, the journal (with the progress events of the operations HTTP replicas run), the leases and the tenant migrations; idempotent. */
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
  `CREATE TABLE IF NOT EXISTS operation_events (
    operation_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (operation_id, seq))`,
  `CREATE TABLE IF NOT EXISTS stack_leases (
    stack TEXT PRIMARY KEY, holder TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, acquired_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS operation_leases (
    operation_id TEXT PRIMARY KEY, holder TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, acquired_at TEXT NOT NULL,
    identity TEXT NOT NULL, heartbeat_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS tenant_migrations (
    operation_id TEXT PRIMARY KEY, tenant TEXT NOT NULL, phase TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
    remove_after TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
];

/**
 * Columns a table gained after its first release, added where missing: rows written before read them as
 * null (a stack lease without `identity`, `heartbeat_ms` and `expires_ms` is one a driver of an earlier
 * version took: it never expires, see `journal/leases.ts`).
 */
export const ADDED_COLUMNS: readonly { readonly table: string; readonly column: string; readonly type: string }[] = [
  { table: "stack_leases", column: "identity", type: "TEXT" },
  { table: "stack_leases", column: "heartbeat_ms", type: "BIGINT" },
  { table: "stack_leases", column: "expires_ms", type: "BIGINT" },
  { table: "operations", column: "cancel_requested_at", type: "TEXT" },
];

/**
 * Opens the database at `url`: `postgres://` or `postgresql://` for PostgreSQL, else a SQLite file
 * path (`sqlite:` prefix optional). Creates the tables, and adds the columns a database of an earlier
 * version lacks.
 */
export async function openDatabase(url: string): Promise<SqlDatabase> {
  const db = /^postgres(ql)?:\/\//.test(url)
    ? await (await import("./postgres")).openPostgres(url)
    : (await import("./sqlite")).openSqlite(url.replace(/^sqlite:/, ""));
  await createTables(db);
  return db;
}

/** Creates the tables that are missing, and adds the columns a database of an earlier version lacks; idempotent. */
export async function createTables(db: SqlDatabase): Promise<void> {
  for (const statement of SCHEMA) await db.run(statement);
  for (const { table, column, type } of ADDED_COLUMNS) await db.addColumn(table, column, type);
}
