/**
 * What the API and the worker both run on: the tenant registry and the maintenance flags (both
 * polling their files), the tenants' database pools and Redis connections, and the metrics every
 * process has (`app_info`, `app_tenant_read_only`).
 */
import type { Config } from "./config";
import { Databases } from "./database";
import type { Logger } from "./log";
import { MaintenanceFlags } from "./maintenance";
import { MetricsRegistry } from "./metrics";
import { RedisClients } from "./redis";
import { TenantRegistry } from "./tenants";
import type { ReadinessChecks } from "./health";

/** The running parts; see the module's comment. */
export interface Services {
  readonly config: Config;
  readonly log: Logger;
  readonly tenants: TenantRegistry;
  readonly maintenance: MaintenanceFlags;
  readonly databases: Databases;
  readonly redis: RedisClients;
  readonly metrics: MetricsRegistry;
  /** What `/readyz` checks. */
  readonly checks: ReadinessChecks;
}

/** Starts the parts, having read the tenants' files and flags once. */
export async function startServices(config: Config, log: Logger): Promise<Services> {
  const tenants = new TenantRegistry(config.tenants, config.tenantsDir, config.watchIntervalMs, log);
  const maintenance = new MaintenanceFlags(config.tenants, config.maintenanceDir, config.watchIntervalMs, log);
  const databases = new Databases(
    tenants,
    { poolMax: config.pgPoolMax, timeoutMs: config.dependencyTimeoutMs, retryAfterSeconds: config.retryAfterSeconds },
    log,
  );
  const redis = new RedisClients(tenants, config.redis, { commandTimeoutMs: config.dependencyTimeoutMs, name: `app-${config.role}` }, log);
  const metrics = new MetricsRegistry();
  metrics.gauge("app_info", "The app's version and role.", ["version", "role"]).set({ version: config.version, role: config.role }, 1);
  metrics.gauge("app_tenant_read_only", "1 while the tenant's maintenance flag is read-only.", ["tenant"], (gauge) => {
    for (const tenant of config.tenants) gauge.set({ tenant }, maintenance.readOnly(tenant) ? 1 : 0);
  });
  await Promise.all([tenants.start(), maintenance.start()]);
  const checks = { tenants: config.tenants, databases, redis, timeoutMs: config.dependencyTimeoutMs };
  return { config, log, tenants, maintenance, databases, redis, metrics, checks };
}

/** Stops polling and closes the connections (after the work they carry). */
export async function stopServices(services: Services): Promise<void> {
  services.tenants.stop();
  services.maintenance.stop();
  await Promise.all([services.databases.close(), services.redis.close()]);
}
