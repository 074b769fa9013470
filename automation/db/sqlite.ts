/** The embedded SQLite database (Node's built-in `node:sqlite`, no native module). */
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import type { DatabaseSync as Database, SQLInputValue } from "node:sqlite";
import type { Row, SqlDatabase } from "./sqlDatabase";

/** Loads `node:sqlite` without its one-time experimental warning in CLI output. */
function loadSqlite(): typeof import("node:sqlite") {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes("SQLite")) return;
    (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return process.getBuiltinModule("node:sqlite");
  } finally {
    process.emitWarning = emit;
  }
}

/**
 * Writes of one file, in order, per process. `node:sqlite` is synchronous: a connection that starts a
 * write while another connection of the same process holds the write lock would block the thread,
 * and so the holder, until the busy timeout. Other processes just wait for the lock.
 */
const writeQueues = new Map<string, Promise<unknown>>();

function serialized<T>(file: string, work: () => Promise<T>): Promise<T> {
  const next = (writeQueues.get(file) ?? Promise.resolve()).then(work);
  writeQueues.set(
    file,
    next.catch(() => undefined),
  );
  return next;
}

class Sqlite implements SqlDatabase {
  readonly dialect = "sqlite";
  // julianday('now') has millisecond precision; 2440587.5 is the Julian day of the epoch.
  readonly nowMs = "CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER)";
  readonly forUpdate = "";

  constructor(
    private readonly db: Database,
    private readonly file: string,
    private readonly inTransaction = false,
  ) {}

  async all<T extends Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.db.prepare(sql).all(...(params as SQLInputValue[])) as T[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    const write = async () => Number(this.db.prepare(sql).run(...(params as SQLInputValue[])).changes);
    return this.inTransaction ? write() : serialized(this.file, write);
  }

  /** `BEGIN IMMEDIATE` takes the write lock at once, so other processes wait rather than conflict. */
  transaction<T>(work: (db: SqlDatabase) => Promise<T>): Promise<T> {
    return serialized(this.file, async () => {
      this.db.exec("BEGIN IMMEDIATE");
      try {
        const result = await work(new Sqlite(this.db, this.file, true));
        this.db.exec("COMMIT");
        return result;
      } catch (error) {
        this.db.exec("ROLLBACK");
        throw error;
      }
    });
  }

  /** Looked up and added in one write transaction, so that two processes opening the file do not both add it. */
  async addColumn(table: string, column: string, type: string): Promise<void> {
    await this.transaction(async (tx) => {
      const columns = await tx.all("SELECT name FROM pragma_table_info(?)", [table]);
      if (!columns.some((c) => c.name === column)) await tx.run(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    });
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** Opens (creating) a SQLite file, in WAL mode, waiting up to 10 s for another process's lock. */
export function openSqlite(file: string): SqlDatabase {
  if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new (loadSqlite().DatabaseSync)(file);
  db.exec("PRAGMA busy_timeout = 10000");
  db.exec("PRAGMA journal_mode = WAL");
  return new Sqlite(db, path.resolve(file));
}
