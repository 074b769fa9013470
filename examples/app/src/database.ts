/**
 * One PostgreSQL pool per tenant, on the URL of `<tenant>.database-url`. When that URL changes
 * (a rotated password, a moved database) a new pool serves the next requests and the old one is
 * drained: the requests waiting for or using its clients finish on it, then it is ended.
 */
import { Pool, type PoolClient } from "pg";
import { AppError } from "./errors";
import { errorFields, type Logger } from "./log";
import { createSchema } from "./schema";
import type { TenantRegistry } from "./tenants";

/** The longest a statement of a request may run, in milliseconds. */
const STATEMENT_TIMEOUT_MS = 20_000;

/**
 * Whether the server ended the connection under the work: an administrator's `pg_terminate_backend`
 * (SQLSTATE 57P01, as a migration's fence sends) or the connection's end. The work's transaction did
 * not commit, or (the end coming just after a commit) committed work the app makes idempotent: reads,
 * and writes by idempotency key.
 */
export function connectionEnded(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return (
    e?.code === "57P01" ||
    (typeof e?.message === "string" && /^(Connection terminated|Client has encountered a connection error)/.test(e.message))
  );
}

/** Settings of the pools. */
export interface DatabaseOptions {
  /** Connections per tenant. */
  readonly poolMax: number;
  /** Connect timeout, and the statement timeout of a readiness check, in milliseconds. */
  readonly timeoutMs: number;
  /** The `Retry-After` of a tenant without a database URL. */
  readonly retryAfterSeconds: number;
}

/** What a unit of work needs. */
export interface WorkOptions {
  /** Create the app's tables first (writes); reads never do. */
  readonly schema: boolean;
  /**
   * Whether the work may run twice with one outcome (reads; writes by idempotency key), so that it
   * is run once more when the server ends its connection under it.
   * @default false
   */
  readonly idempotent?: boolean;
}

/** The tenants' pools; see the module's comment. */
export class Databases {
  private readonly pools = new Map<string, { url: string; pool: Pool }>();
  private readonly schemas = new WeakMap<Pool, Promise<void>>();
  private readonly draining = new Set<Promise<void>>();

  constructor(
    private readonly registry: TenantRegistry,
    private readonly options: DatabaseOptions,
    private readonly log: Logger,
  ) {
    registry.onChange((tenant, connection) => {
      const current = this.pools.get(tenant);
      if (current && current.url !== connection.databaseUrl) {
        this.pools.delete(tenant);
        this.log.info("database URL changed: draining the old pool", { tenant });
        this.drain(current.pool);
      }
    });
  }

  /**
   * Runs `work` with a client of the tenant's pool (released after). With `schema`, the tables are
   * created first, once per pool. The pool is taken again after that wait, so a pool swapped
   * meanwhile is never used after its `end()`.
   */
  async run<T>(tenant: string, options: WorkOptions, work: (client: PoolClient) => Promise<T>): Promise<T> {
    for (let retried = false; ;) {
      const pool = this.pool(tenant);
      if (options.schema) await this.schemaOf(pool);
      if (this.pools.get(tenant)?.pool !== pool) continue;
      const client = await pool.connect();
      let ended: Error | undefined;
      // A connection ended between two queries is reported as an event (unheard, it would end the
      // process); the next query fails with it.
      const onError = (error: Error) => (ended = error);
      client.on("error", onError);
      try {
        return await work(client);
      } catch (error) {
        if (!connectionEnded(error)) throw error;
        // The server ended the session while it was in hand (a migration's fence ends them, as a
        // restart does): its client is dropped, and idempotent work runs once more on a new one.
        ended = error as Error;
        if (retried || !options.idempotent) throw error;
        retried = true;
      } finally {
        client.off("error", onError);
        client.release(ended);
      }
    }
  }

  /** Checks that the tenant's database answers, within the timeout. */
  async ping(tenant: string): Promise<void> {
    await this.run(tenant, { schema: false }, async (client) => {
      await client.query(`SET statement_timeout = ${Math.floor(this.options.timeoutMs)}`);
      await client.query("SELECT 1");
    });
  }

  /** Ends every pool, waiting for clients in use (and pools already draining). */
  async close(): Promise<void> {
    for (const { pool } of this.pools.values()) this.drain(pool);
    this.pools.clear();
    await Promise.all(this.draining);
  }

  private pool(tenant: string): Pool {
    const url = this.registry.connection(tenant).databaseUrl;
    if (url === undefined)
      throw new AppError("unavailable", "this tenant's database is not configured yet; retry later", {
        "Retry-After": String(this.options.retryAfterSeconds),
      });
    const current = this.pools.get(tenant);
    if (current?.url === url) return current.pool;
    const pool = new Pool({
      connectionString: url,
      max: this.options.poolMax,
      connectionTimeoutMillis: this.options.timeoutMs,
      idleTimeoutMillis: 30_000,
      application_name: "tenantstack-app",
      // A statement stuck behind a lock fails (503) before the server's 30 s request timeout.
      statement_timeout: STATEMENT_TIMEOUT_MS,
    });
    // An idle client's connection dropped (a restart of the server): the pool replaces it.
    pool.on("error", (error) => this.log.warn("idle database connection failed", { tenant, ...errorFields(error) }));
    this.pools.set(tenant, { url, pool });
    return pool;
  }

  private schemaOf(pool: Pool): Promise<void> {
    let created = this.schemas.get(pool);
    if (!created) {
      created = pool.connect().then(async (client) => {
        try {
          await createSchema(client);
        } finally {
          client.release();
        }
      });
      // A failure is retried by the next write.
      created.catch(() => this.schemas.delete(pool));
      this.schemas.set(pool, created);
    }
    return created;
  }

  /**
   * Ends `pool` once no request waits for one of its clients (`end()` would strand those: they
   * would time out), then waits for the clients in use.
   */
  private drain(pool: Pool): void {
    const ended: Promise<void> = (async () => {
      while (pool.waitingCount > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await pool.end();
    })()
      .catch((error) => this.log.warn("ending a database pool failed", errorFields(error)))
      .finally(() => this.draining.delete(ended));
    this.draining.add(ended);
  }
}
