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

class Sqlite implements SqlDatabase {
  readonly dialect = "sqlite";
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: Database) {}

  async all<T extends Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.db.prepare(sql).all(...(params as SQLInputValue[])) as T[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return Number(this.db.prepare(sql).run(...(params as SQLInputValue[])).changes);
  }

  /** Transactions of this connection run one after the other; `BEGIN IMMEDIATE` locks out other processes. */
  transaction<T>(work: (db: SqlDatabase) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      this.db.exec("BEGIN IMMEDIATE");
      try {
        const result = await work(this);
        this.db.exec("COMMIT");
        return result;
      } catch (error) {
        this.db.exec("ROLLBACK");
        throw error;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
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
  return new Sqlite(db);
}
