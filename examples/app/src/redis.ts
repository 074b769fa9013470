/**
 * One Redis connection per tenant: on `<tenant>.redis-url` when the stack isolates tenants with ACL
 * users, else on the stack's Redis (`REDIS_HOST`, `REDIS_PORT`, `REDIS_PASSWORD`). Every key of a
 * tenant starts with its prefix (`<tenant>.redis-key-prefix`, `<tenant>:` by default). A changed
 * URL opens a new connection; the old one quits after the replies it still owes.
 */
import Redis, { type RedisOptions } from "ioredis";
import { errorFields, type Logger } from "./log";
import type { TenantConnection, TenantRegistry } from "./tenants";

/** The stack's Redis, for tenants without a URL of their own. */
export interface SharedRedis {
  readonly host: string;
  readonly port: number;
  readonly password?: string;
}

/** Settings of the connections. */
export interface RedisClientOptions {
  /** Connect timeout and the reply timeout of every command, in milliseconds. */
  readonly commandTimeoutMs: number;
  /** The connections' name in Redis (`CLIENT LIST`) and in logs. */
  readonly name: string;
}

/** The tenants' connections; see the module's comment. */
export class RedisClients {
  private readonly clients = new Map<string, { target: string; client: Redis }>();
  private readonly quitting = new Set<Promise<unknown>>();

  constructor(
    private readonly registry: TenantRegistry,
    private readonly shared: SharedRedis,
    private readonly options: RedisClientOptions,
    private readonly log: Logger,
  ) {
    registry.onChange((tenant, connection) => {
      const current = this.clients.get(tenant);
      if (current && current.target !== this.target(connection)) {
        this.clients.delete(tenant);
        this.log.info("Redis URL changed: closing the old connection", { tenant, connection: options.name });
        this.quit(current.client);
      }
    });
  }

  /** The tenant's connection (opened on first use). */
  client(tenant: string): Redis {
    const connection = this.registry.connection(tenant);
    const target = this.target(connection);
    const current = this.clients.get(tenant);
    if (current?.target === target) return current.client;
    const options: RedisOptions = {
      connectionName: this.options.name,
      connectTimeout: this.options.commandTimeoutMs,
      commandTimeout: this.options.commandTimeoutMs,
      maxRetriesPerRequest: 1,
      // Its INFO is refused to a tenant's ACL user (`-@dangerous`); a loading server answers LOADING, which is unavailable too.
      enableReadyCheck: false,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    };
    const client = connection.redisUrl
      ? new Redis(connection.redisUrl, options)
      : new Redis({ ...options, host: this.shared.host, port: this.shared.port, password: this.shared.password });
    let failing = false;
    client.on("error", (error) => {
      // Once per outage, not once per reconnection attempt.
      if (!failing) this.log.warn("Redis connection failed", { tenant, connection: this.options.name, ...errorFields(error) });
      failing = true;
    });
    client.on("ready", () => (failing = false));
    this.clients.set(tenant, { target, client });
    return client;
  }

  /** The tenant's key `name`: its prefix, then `name`. */
  key(tenant: string, name: string): string {
    return `${this.registry.connection(tenant).keyPrefix}${name}`;
  }

  /** Checks that the tenant's Redis answers (within the command timeout). */
  async ping(tenant: string): Promise<void> {
    await this.client(tenant).ping();
  }

  /** Closes every connection after the replies it owes. */
  async close(): Promise<void> {
    for (const { client } of this.clients.values()) this.quit(client);
    this.clients.clear();
    await Promise.all(this.quitting);
  }

  private target(connection: TenantConnection): string {
    return connection.redisUrl ?? `shared ${this.shared.host}:${this.shared.port}`;
  }

  private quit(client: Redis): void {
    const done: Promise<unknown> = client
      .quit()
      .catch(() => client.disconnect())
      .finally(() => this.quitting.delete(done));
    this.quitting.add(done);
  }
}
