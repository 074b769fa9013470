/**
 * The reference app (examples/app) against real servers: one PostgreSQL and one Redis from
 * Debian's packages (tools/dataservers.sh, started on loopback by the migration tests' servers.ts),
 * tenants provisioned as the stack does it (a role and a database `tenant_<name>` owned by it; with
 * `acl`, a Redis ACL user confined to `<name>:*`), and the files of `TENANTS_DIR` and
 * `MAINTENANCE_DIR` in a temporary directory of the run. `DEBUG_APP=1` shows the app's logs.
 */
import { request as httpRequest } from "node:http";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadConfig, type Config, type Role } from "../../examples/app/src/config";
import { consoleLogger, type Logger, silentLogger } from "../../examples/app/src/log";
import { PostgresServer, RedisServer, useDataServerBinaries } from "../e2e/migration/data/servers";
import { readBody } from "../support/httpBody";
import { testDir } from "../support/testRun";

/** A tenant of the fixture: its database and, with an ACL user, its Redis URL. */
export interface FixtureTenant {
  readonly name: string;
  readonly database: string;
  readonly databaseUrl: string;
  readonly redisUrl?: string;
}

/** A reply as the tests read it. */
export interface HttpReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: any;
}

/** The logger of an app started by a test: silent unless `DEBUG_APP` is set. */
export function appLogger(role: Role): Logger {
  return process.env.DEBUG_APP ? consoleLogger(role) : silentLogger;
}

/** One HTTP request to 127.0.0.1:`port`, with the given Host and headers; never rejects on a status. */
export function http(
  port: number,
  method: string,
  pathname: string,
  options: { host?: string; headers?: Record<string, string>; body?: string | Buffer; json?: unknown } = {},
): Promise<HttpReply> {
  const body = options.json !== undefined ? JSON.stringify(options.json) : options.body;
  const headers: Record<string, string> = {
    ...(options.json !== undefined ? { "content-type": "application/json" } : {}),
    ...options.headers,
    ...(options.host ? { host: options.host } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method, path: pathname, headers, agent: false }, (res) => {
      readBody(res).then(({ text, json }) => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json }), reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Resolves once `check` resolves truthy (polling every 25 ms); rejects after `timeoutMs` with what it saw last. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 10_000,
): Promise<Exclude<T, false | null | undefined>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Exclude<T, false | null | undefined>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The servers, the tenants and the app's directories of a test file. */
export class AppFixture {
  readonly tenantsDir: string;
  readonly maintenanceDir: string;
  readonly tenants = new Map<string, FixtureTenant>();

  private constructor(
    readonly postgres: PostgresServer,
    readonly redis: RedisServer,
    private readonly dir: string,
  ) {
    this.tenantsDir = path.join(dir, "tenants");
    this.maintenanceDir = path.join(dir, "maintenance");
    mkdirSync(this.tenantsDir);
    mkdirSync(this.maintenanceDir);
  }

  /** Starts the servers and provisions `tenants` (`acl`: with a Redis ACL user and `<name>.redis-url`). */
  static async start(tenants: readonly { name: string; acl?: boolean }[]): Promise<AppFixture> {
    useDataServerBinaries();
    const [postgres, redis] = await Promise.all([PostgresServer.start("app"), RedisServer.start("app")]);
    const fixture = new AppFixture(postgres, redis, testDir("app"));
    for (const tenant of tenants) await fixture.provision(tenant.name, tenant.acl ?? false);
    return fixture;
  }

  /** The stack's provisioning of a tenant: role, database, key prefix, and with `acl` its Redis user. */
  async provision(name: string, acl: boolean): Promise<FixtureTenant> {
    const database = `tenant_${name.replace(/-/g, "_")}`;
    const password = `pw-${name}`;
    await this.postgres.query("postgres", `CREATE ROLE ${database} LOGIN PASSWORD '${password}'`);
    await this.postgres.query("postgres", `CREATE DATABASE ${database} OWNER ${database}`);
    const databaseUrl = this.postgres.urlOf(database, password).replace(/\/postgres$/, `/${database}`);
    let redisUrl: string | undefined;
    if (acl) {
      const user = `tenant-${name}`;
      await this.redis.with((client) =>
        client.call("ACL", "SETUSER", user, "on", `>${password}`, `~${name}:*`, `&${name}:*`, "+@all", "-@admin", "-@dangerous"),
      );
      const url = new URL(this.redis.url);
      redisUrl = `redis://${user}:${password}@${url.host}/0`;
    }
    const tenant: FixtureTenant = { name, database, databaseUrl, ...(redisUrl ? { redisUrl } : {}) };
    this.writeTenantFiles(tenant);
    this.tenants.set(name, tenant);
    return tenant;
  }

  /** Writes the tenant's files as the Secret `tenant-credentials` holds them, with other URLs if given. */
  writeTenantFiles(tenant: FixtureTenant, urls: { databaseUrl?: string; redisUrl?: string } = {}): void {
    const redisUrl = urls.redisUrl ?? tenant.redisUrl;
    writeFileSync(path.join(this.tenantsDir, `${tenant.name}.database-url`), urls.databaseUrl ?? tenant.databaseUrl);
    writeFileSync(path.join(this.tenantsDir, `${tenant.name}.redis-key-prefix`), `${tenant.name}:`);
    if (redisUrl) writeFileSync(path.join(this.tenantsDir, `${tenant.name}.redis-url`), redisUrl);
  }

  /** Sets or clears the tenant's maintenance flag (`read-only`), as the drain's ConfigMap does. */
  setReadOnly(tenant: string, readOnly: boolean): void {
    const file = path.join(this.maintenanceDir, tenant);
    if (readOnly) writeFileSync(file, "read-only");
    else rmSync(file, { force: true });
  }

  /** The app's environment as the stack sets it, with the test's ports and intervals. */
  env(role: Role, extra: Record<string, string> = {}): Record<string, string> {
    const redis = new URL(this.redis.url);
    return {
      TENANCY_MODE: this.tenants.size > 1 ? "shared" : "dedicated",
      TENANTS: [...this.tenants.keys()].join(","),
      TENANTS_DIR: this.tenantsDir,
      MAINTENANCE_DIR: this.maintenanceDir,
      REDIS_HOST: redis.hostname,
      REDIS_PORT: redis.port,
      REDIS_PASSWORD: decodeURIComponent(redis.password),
      [role === "api" ? "PORT" : "HEALTH_PORT"]: "0",
      LISTEN_HOST: "127.0.0.1",
      WATCH_INTERVAL_MS: "50",
      SHUTDOWN_DELAY_MS: "0",
      HOSTNAME: `test-${role}`,
      APP_VERSION: "test",
      ...extra,
    };
  }

  /** The app's settings from {@link env}. */
  config(role: Role, extra: Record<string, string> = {}): Config {
    return loadConfig(role, this.env(role, extra));
  }

  /** Rows of `sql` in the tenant's database, read as the superuser. */
  rows<R extends Record<string, any> = any>(tenant: string, sql: string, params: unknown[] = []): Promise<R[]> {
    return this.postgres.query<R>(this.tenants.get(tenant)!.database, sql, params);
  }

  async stop(): Promise<void> {
    await Promise.all([this.postgres.stop(), this.redis.stop()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
