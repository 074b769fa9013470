/**
 * The app's settings, read once at start from its environment: the stack's wiring (the app
 * contract's variables) and the app's own tuning. Every problem is collected and reported at once;
 * a bad setting stops the process before it listens.
 */
import { hostname } from "node:os";
import { DEFAULT_API_PORT, DEFAULT_MAINTENANCE_DIR, DEFAULT_TENANTS_DIR, DEFAULT_WORKER_HEALTH_PORT } from "./contract";

/** Which entry point runs. */
export type Role = "api" | "worker";

/** The validated settings. */
export interface Config {
  readonly role: Role;
  /** `APP_VERSION` (set by the image), reported by `/healthz` and `app_info`. @default "dev" */
  readonly version: string;
  /** This process' name in logs and job results: `HOSTNAME` (the pod's name). @default - the machine's host name */
  readonly instance: string;
  /** `PORT` for the API, `HEALTH_PORT` for the worker's health endpoints; 0 picks a free port. @default 8080 (API), 8081 (worker) */
  readonly port: number;
  /** `LISTEN_HOST`: the address to listen on. @default - every address (IPv6 and IPv4, or IPv4 where IPv6 is off) */
  readonly listenHost?: string;
  /**
   * `TENANTS`: the tenants this stack serves (comma-separated DNS labels). Required, and empty while the
   * stack holds only a migration's copy of a tenant (a new stack before the switch): then every request is 404.
   */
  readonly tenants: readonly string[];
  /** `TENANTS_DIR`. @default "/var/run/tenantstack/tenants" */
  readonly tenantsDir: string;
  /** `MAINTENANCE_DIR`. @default "/var/run/tenantstack/maintenance" */
  readonly maintenanceDir: string;
  /** Redis for tenants without `<tenant>.redis-url`: `REDIS_HOST`, `REDIS_PORT`, `REDIS_PASSWORD`. @default redis:6379, no password */
  readonly redis: { readonly host: string; readonly port: number; readonly password?: string };
  /** `TENANT_HOSTS`: `host=tenant` pairs (comma-separated), set by the stack for the tenants it routes here. @default - none */
  readonly tenantHosts: ReadonlyMap<string, string>;
  /** Whether `TENANT_HOSTS` was set (even empty): then a host it does not list is no tenant's. */
  readonly tenantHostsKnown: boolean;
  /** `WATCH_INTERVAL_MS`: how often the files of TENANTS_DIR and MAINTENANCE_DIR are re-read. @default 1000 */
  readonly watchIntervalMs: number;
  /** `SHUTDOWN_DELAY_MS`: after SIGTERM, how long requests are still accepted (readyz 503) while endpoints converge. @default 2000 */
  readonly shutdownDelayMs: number;
  /** `SHUTDOWN_TIMEOUT_MS`: after SIGTERM, when the process exits whatever is still in flight (under the pod's 30 s grace period). @default 25000 */
  readonly shutdownTimeoutMs: number;
  /** `RETRY_AFTER_SECONDS`: the `Retry-After` of a 503. @default 5 */
  readonly retryAfterSeconds: number;
  /** `MAX_BODY_BYTES`: the largest request body accepted. @default 65536 */
  readonly maxBodyBytes: number;
  /** `PG_POOL_MAX`: connections per tenant's pool. @default 5 */
  readonly pgPoolMax: number;
  /** `DEPENDENCY_TIMEOUT_MS`: connect, command and readiness-check timeout for Postgres and Redis. @default 3000 */
  readonly dependencyTimeoutMs: number;
  /** `JOB_BLOCK_SECONDS` (worker): how long one wait for a job blocks. @default 1 */
  readonly jobBlockSeconds: number;
}

/** The settings could not be read: every problem, one a line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid settings:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** Whether `name` may be a tenant's name (a DNS-1123 label, as the stack's schema requires). */
export function isTenantName(name: string): boolean {
  return DNS_LABEL.test(name);
}

/** Reads the settings of `role` from `env`; throws a {@link ConfigError} naming every bad variable. */
export function loadConfig(role: Role, env: Readonly<Record<string, string | undefined>>): Config {
  const problems: string[] = [];
  const shown = (value: string) => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  const text = (name: string, fallback: string) => {
    const value = env[name];
    return value === undefined || value === "" ? fallback : value;
  };
  const int = (name: string, fallback: number, min: number, max: number) => {
    const value = env[name];
    if (value === undefined || value === "") return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      problems.push(`\`${name}\` must be an integer between ${min} and ${max} (got ${shown(value)})`);
      return fallback;
    }
    return Number(value);
  };

  const tenants = (env.TENANTS ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  if (env.TENANTS === undefined) problems.push("`TENANTS` must be set (comma-separated tenant names, as the stack sets it)");
  for (const [index, tenant] of tenants.entries()) {
    if (!isTenantName(tenant))
      problems.push(`\`TENANTS\` entry ${index} must be a DNS label of lowercase letters, digits and "-" (got ${shown(tenant)})`);
    else if (tenants.indexOf(tenant) < index) problems.push(`\`TENANTS\` names ${shown(tenant)} twice`);
  }

  const tenantHosts = new Map<string, string>();
  for (const pair of (env.TENANT_HOSTS ?? "").split(",").filter((p) => p.trim() !== "")) {
    const [host, tenant, ...rest] = pair.split("=").map((s) => s.trim().toLowerCase());
    if (rest.length || !host || !tenant || !HOST_NAME.test(host)) {
      problems.push(`\`TENANT_HOSTS\` entries must be host=tenant with a DNS host name (got ${shown(pair)})`);
    } else if (!tenants.includes(tenant)) {
      problems.push(`\`TENANT_HOSTS\` maps ${shown(host)} to ${shown(tenant)}, which is not one of \`TENANTS\``);
    } else tenantHosts.set(host, tenant);
  }

  const config: Config = {
    role,
    version: text("APP_VERSION", "dev"),
    instance: text("HOSTNAME", hostname()),
    port: role === "api" ? int("PORT", DEFAULT_API_PORT, 0, 65535) : int("HEALTH_PORT", DEFAULT_WORKER_HEALTH_PORT, 0, 65535),
    ...(env.LISTEN_HOST ? { listenHost: env.LISTEN_HOST } : {}),
    tenants,
    tenantsDir: text("TENANTS_DIR", DEFAULT_TENANTS_DIR),
    maintenanceDir: text("MAINTENANCE_DIR", DEFAULT_MAINTENANCE_DIR),
    redis: {
      host: text("REDIS_HOST", "redis"),
      port: int("REDIS_PORT", 6379, 1, 65535),
      ...(env.REDIS_PASSWORD ? { password: env.REDIS_PASSWORD } : {}),
    },
    tenantHosts,
    tenantHostsKnown: env.TENANT_HOSTS !== undefined,
    watchIntervalMs: int("WATCH_INTERVAL_MS", 1000, 50, 60_000),
    shutdownDelayMs: int("SHUTDOWN_DELAY_MS", 2000, 0, 600_000),
    shutdownTimeoutMs: int("SHUTDOWN_TIMEOUT_MS", 25_000, 100, 3_600_000),
    retryAfterSeconds: int("RETRY_AFTER_SECONDS", 5, 1, 3600),
    maxBodyBytes: int("MAX_BODY_BYTES", 65_536, 1024, 16 * 1024 * 1024),
    pgPoolMax: int("PG_POOL_MAX", 5, 1, 100),
    dependencyTimeoutMs: int("DEPENDENCY_TIMEOUT_MS", 3000, 100, 60_000),
    jobBlockSeconds: int("JOB_BLOCK_SECONDS", 1, 1, 10),
  };
  if (config.shutdownDelayMs >= config.shutdownTimeoutMs)
    problems.push(
      `\`SHUTDOWN_DELAY_MS\` (${config.shutdownDelayMs}) must be less than \`SHUTDOWN_TIMEOUT_MS\` (${config.shutdownTimeoutMs}): in-flight requests need time to finish`,
    );
  if (problems.length) throw new ConfigError(problems);
  return config;
}
