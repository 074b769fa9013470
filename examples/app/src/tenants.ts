/**
 * The tenants this process serves (`TENANTS`) and how each one's data is reached: the files of
 * `TENANTS_DIR` (`<tenant>.database-url`, `<tenant>.redis-url`, `<tenant>.redis-key-prefix`),
 * re-read when they change. Listeners hear of a tenant whose connection changed, and open new
 * connections for it.
 */
import * as path from "node:path";
import { defaultKeyPrefix, tenantFiles } from "./contract";
import { FilePoller } from "./filePoller";
import type { Logger } from "./log";

/** How one tenant's data is reached. */
export interface TenantConnection {
  /** The tenant's PostgreSQL URL. @default - absent until the file exists: the tenant's database requests get 503 */
  readonly databaseUrl?: string;
  /** The tenant's own Redis URL (Redis ACL isolation). @default - the stack's Redis with `REDIS_PASSWORD` */
  readonly redisUrl?: string;
  /** The prefix of the tenant's Redis keys. @default "<tenant>:" */
  readonly keyPrefix: string;
}

/** Called when a tenant's connection changed, with the new one. */
export type TenantListener = (tenant: string, connection: TenantConnection) => void;

/** The tenants and their connections; see the module's comment. */
export class TenantRegistry {
  private readonly poller: FilePoller;
  private readonly connections = new Map<string, TenantConnection>();
  private readonly listeners: TenantListener[] = [];

  constructor(
    /** The tenants served (`TENANTS`). */
    readonly tenants: readonly string[],
    private readonly dir: string,
    intervalMs: number,
    log: Logger,
  ) {
    const paths = tenants.flatMap((tenant) => Object.values(tenantFiles(tenant)).map((file) => path.join(dir, file)));
    this.poller = new FilePoller(paths, intervalMs, log);
    for (const tenant of tenants) this.connections.set(tenant, { keyPrefix: defaultKeyPrefix(tenant) });
    this.poller.onChange((changes) => {
      const changed = new Set([...changes.keys()].map((file) => this.tenantOf(file)));
      for (const tenant of changed) this.refresh(tenant);
    });
  }

  /** Whether `tenant` is served here. */
  has(tenant: string): boolean {
    return this.connections.has(tenant);
  }

  /** The tenant's connection as last read; throws for a tenant not served here. */
  connection(tenant: string): TenantConnection {
    const connection = this.connections.get(tenant);
    if (!connection) throw new Error(`tenant ${JSON.stringify(tenant)} is not served here`);
    return connection;
  }

  /** Adds a listener of connection changes. */
  onChange(listener: TenantListener): void {
    this.listeners.push(listener);
  }

  /** Reads the files now and polls them until {@link stop}. */
  start(): Promise<void> {
    return this.poller.start();
  }

  /** Reads the files once now (tests, and anyone who cannot wait for the next poll). */
  poll(): Promise<void> {
    return this.poller.poll();
  }

  stop(): void {
    this.poller.stop();
  }

  private tenantOf(file: string): string {
    const name = path.basename(file);
    return this.tenants.find((tenant) => (Object.values(tenantFiles(tenant)) as string[]).includes(name))!;
  }

  private refresh(tenant: string): void {
    const files = tenantFiles(tenant);
    const read = (file: string) => {
      const value = this.poller.current(path.join(this.dir, file))?.trim();
      return value === "" ? undefined : value;
    };
    const databaseUrl = read(files.databaseUrl);
    const redisUrl = read(files.redisUrl);
    const next: TenantConnection = {
      ...(databaseUrl !== undefined ? { databaseUrl } : {}),
      ...(redisUrl !== undefined ? { redisUrl } : {}),
      keyPrefix: read(files.redisKeyPrefix) ?? defaultKeyPrefix(tenant),
    };
    const previous = this.connections.get(tenant)!;
    if (previous.databaseUrl === next.databaseUrl && previous.redisUrl === next.redisUrl && previous.keyPrefix === next.keyPrefix) return;
    this.connections.set(tenant, next);
    for (const listener of this.listeners) listener(tenant, next);
  }
}
