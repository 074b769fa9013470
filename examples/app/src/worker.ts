/**
 * The worker: one loop per tenant takes the tenant's jobs (`queue.ts`), writes each result to the
 * tenant's database and only then removes the job from its processing list. While the tenant is
 * read-only it takes none, and a job taken just before the flag appeared is given back unwritten.
 * Its health port serves `/healthz`, `/readyz` and `/metrics`. Stopping: `/readyz` turns 503, each
 * loop finishes the job in hand (a wait for a job lasts at most `JOB_BLOCK_SECONDS`), then the
 * connections close.
 */
import type { Config } from "./config";
import { isReadOnlyDatabase } from "./errors";
import { addHealthRoutes } from "./health";
import { Router } from "./http";
import { parseJob, saveJobResult } from "./jobs";
import { errorFields, type Logger } from "./log";
import type { Counter, MetricsRegistry } from "./metrics";
import { TenantQueue } from "./queue";
import { RedisClients } from "./redis";
import { appServer, closeServer, listen, type RequestContext } from "./server";
import { type Services, startServices, stopServices } from "./services";
import { sleep } from "./shutdown";

/** A running worker. */
export interface RunningWorker {
  /** The health port. */
  readonly port: number;
  readonly metrics: MetricsRegistry;
  /** Runs the stop sequence (see the module's comment); resolves once everything is closed. */
  stop(): Promise<void>;
}

/** How often a worker refreshes its liveness key and looks for dead workers' jobs, in milliseconds. */
const HEARTBEAT_MS = 10_000;
const RECOVERY_MS = 30_000;
/** The pause after a failed round (Redis or Postgres unreachable), in milliseconds. */
const RETRY_MS = 1000;

/** Takes and runs one tenant's jobs until `stopping()`. */
async function tenantLoop(services: Services, queue: TenantQueue, tenant: string, jobs: Counter, stopping: () => boolean): Promise<void> {
  const { config, log, maintenance, databases } = services;
  let nextHeartbeat = 0;
  let nextRecovery = 0;
  while (!stopping()) {
    if (maintenance.readOnly(tenant)) {
      await sleep(config.watchIntervalMs);
      continue;
    }
    try {
      if (Date.now() >= nextHeartbeat) {
        await queue.heartbeat();
        nextHeartbeat = Date.now() + HEARTBEAT_MS;
      }
      if (Date.now() >= nextRecovery) {
        // No job is in hand here, so this worker's own processing list is a leftover too.
        const moved = await queue.recover(true);
        if (moved) log.info("jobs of stopped workers put back on the queue", { tenant, jobs: moved });
        nextRecovery = Date.now() + RECOVERY_MS;
      }
      const raw = await queue.take(config.jobBlockSeconds);
      if (raw === null) continue;
      const job = parseJob(raw);
      if (!job) {
        log.warn("dropped a queue entry that is not a job", { tenant, bytes: raw.length });
        await queue.done(raw);
        jobs.inc({ tenant, outcome: "invalid" });
      } else if (maintenance.readOnly(tenant)) {
        await queue.giveBack(raw);
        jobs.inc({ tenant, outcome: "returned" });
      } else {
        let written: boolean;
        try {
          // A job's result is written once, whatever runs it twice.
          written = await databases.run(tenant, { schema: true, idempotent: true }, (client) =>
            saveJobResult(client, job, config.instance),
          );
        } catch (error) {
          await queue.giveBack(raw).catch(() => undefined);
          jobs.inc({ tenant, outcome: "returned" });
          throw error;
        }
        await queue.done(raw);
        jobs.inc({ tenant, outcome: written ? "done" : "duplicate" });
      }
    } catch (error) {
      // A fenced tenant (its data read-only before the maintenance flag arrives) waits like a flagged one.
      if (isReadOnlyDatabase(error)) await sleep(config.watchIntervalMs);
      else {
        log.warn("job round failed; retrying", { tenant, ...errorFields(error) });
        await sleep(RETRY_MS);
      }
    }
  }
}

/** Starts the worker and its health port; see the module's comment. */
export async function startWorker(config: Config, log: Logger): Promise<RunningWorker> {
  const services = await startServices(config, log);
  const blocking = new RedisClients(
    services.tenants,
    config.redis,
    { commandTimeoutMs: config.dependencyTimeoutMs + config.jobBlockSeconds * 1000, name: "app-worker-blocking" },
    log,
  );
  const jobs = services.metrics.counter(
    "app_jobs_total",
    "Jobs taken, by tenant and outcome: done, duplicate (its result existed), invalid (dropped), returned (given back unwritten).",
    ["tenant", "outcome"],
  );
  let stopping = false;
  const router = new Router<RequestContext>();
  addHealthRoutes(router, { version: config.version, stopping: () => stopping, checks: services.checks, metrics: services.metrics });
  const server = appServer({ router, stopping: () => stopping, retryAfterSeconds: config.retryAfterSeconds, log });
  const close = async () => {
    await Promise.all([stopServices(services), blocking.close()]);
  };
  let port: number;
  try {
    port = await listen(server, config.port, config.listenHost);
  } catch (error) {
    await close();
    throw error;
  }
  const loops = config.tenants.map((tenant) =>
    tenantLoop(services, new TenantQueue(services.redis, blocking, tenant, config.instance), tenant, jobs, () => stopping),
  );
  log.info("worker running", { port, tenants: config.tenants.join(","), version: config.version });
  return {
    port,
    metrics: services.metrics,
    async stop() {
      stopping = true;
      await Promise.all(loops);
      await closeServer(server);
      await close();
    },
  };
}
