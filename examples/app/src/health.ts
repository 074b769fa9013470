/**
 * Health endpoints, the same on the API and the worker: `/healthz` answers while the process runs;
 * `/readyz` is 503 while it shuts down or while the Postgres or Redis of any tenant does not answer
 * (each checked within the dependency timeout); `/metrics` renders the process' metrics.
 */
import type { Databases } from "./database";
import type { Reply, Router } from "./http";
import { errorFields } from "./log";
import { METRICS_CONTENT_TYPE, type MetricsRegistry } from "./metrics";
import type { RedisClients } from "./redis";

/** The paths of the health endpoints (the stack's `api.healthPath`, `readyPath` and `metricsPath` defaults). */
export const HEALTH_PATHS = { health: "/healthz", ready: "/readyz", metrics: "/metrics" } as const;

/** What readiness checks. */
export interface ReadinessChecks {
  readonly tenants: readonly string[];
  readonly databases: Databases;
  readonly redis: RedisClients;
  readonly timeoutMs: number;
}

/** Rejects after `ms` unless `promise` settled. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Why the process is not ready: `<tenant>: postgres: <reason>` or `<tenant>: redis: <reason>`, none when ready. */
export async function dependencyProblems(checks: ReadinessChecks): Promise<string[]> {
  const check = async (tenant: string, name: string, ping: () => Promise<void>) => {
    try {
      await within(ping(), checks.timeoutMs);
      return [];
    } catch (error) {
      const { errorCode, error: message } = errorFields(error);
      return [`${tenant}: ${name}: ${errorCode ?? String(message).split(". ")[0]}`];
    }
  };
  const problems = await Promise.all(
    checks.tenants.flatMap((tenant) => [
      check(tenant, "postgres", () => checks.databases.ping(tenant)),
      check(tenant, "redis", () => checks.redis.ping(tenant)),
    ]),
  );
  return problems.flat();
}

/** Adds `/healthz`, `/readyz` and `/metrics` to `router`. */
export function addHealthRoutes<C>(
  router: Router<C>,
  options: { version: string; stopping: () => boolean; checks: ReadinessChecks; metrics: MetricsRegistry },
): void {
  router
    .add("GET", HEALTH_PATHS.health, (): Reply => ({ status: 200, json: { status: "ok", version: options.version } }))
    .add("GET", HEALTH_PATHS.ready, async (): Promise<Reply> => {
      if (options.stopping()) return { status: 503, json: { status: "stopping", problems: ["shutting down"] } };
      const problems = await dependencyProblems(options.checks);
      return problems.length ? { status: 503, json: { status: "not ready", problems } } : { status: 200, json: { status: "ready" } };
    })
    .add("GET", HEALTH_PATHS.metrics, (): Reply => ({ status: 200, text: options.metrics.render(), contentType: METRICS_CONTENT_TYPE }));
}
