/**
 * The API: notes, a counter and jobs per tenant, the tenant chosen by the request's host
 * (`hosts.ts`). Writes (`POST`) of a tenant whose maintenance flag is read-only get 503 with
 * `Retry-After`; its reads are served. Stopping: `/readyz` turns 503 at once, requests are still
 * accepted for `SHUTDOWN_DELAY_MS` (while the endpoints drop the pod), then the server stops
 * accepting, the requests in flight finish, and the pools close.
 */
import type { Config } from "./config";
import { incrementCounter, readCounter } from "./counter";
import { AppError } from "./errors";
import { addHealthRoutes, HEALTH_PATHS } from "./health";
import { chooseTenant, type TenantRouting } from "./hosts";
import { type Reply, readJsonBody, Router } from "./http";
import { enqueueJob, getJobResult, MAX_JOB_CHARS } from "./jobs";
import type { Logger } from "./log";
import type { MetricsRegistry } from "./metrics";
import { createNote, getNote, listNotes, MAX_NOTE_CHARS } from "./notes";
import { appServer, closeServer, listen, type RequestContext } from "./server";
import { type Services, startServices, stopServices } from "./services";
import { sleep } from "./shutdown";
import { idempotencyKey, intQuery, jsonObject, positiveInt, stringField } from "./validate";

/** A running API. */
export interface RunningApi {
  /** The port it listens on. */
  readonly port: number;
  readonly metrics: MetricsRegistry;
  /** Runs the stop sequence (see the module's comment); resolves once everything is closed. */
  stop(): Promise<void>;
}

/** The largest page of `GET /notes`. */
const MAX_PAGE = 1000;

/** The routes of the tenants' resources. */
export function apiRoutes(services: Services, router: Router<RequestContext>): void {
  const { config, databases, redis, maintenance } = services;
  const routing: TenantRouting = { tenants: config.tenants, hosts: config.tenantHosts, hostsKnown: config.tenantHostsKnown };
  type TenantHandler = (tenant: string, ctx: RequestContext, params: Readonly<Record<string, string>>) => Promise<Reply>;

  /** A handler of one tenant's request: chooses the tenant; a write is refused while the tenant is read-only. */
  const tenantRoute =
    (access: "read" | "write", handler: TenantHandler) =>
    (ctx: RequestContext, params: Readonly<Record<string, string>>): Promise<Reply> => {
      const xTenant = ctx.req.headers["x-tenant"];
      const choice = chooseTenant({ host: ctx.req.headers.host, xTenant: Array.isArray(xTenant) ? xTenant[0] : xTenant }, routing);
      if ("problem" in choice) throw new AppError("not_found", choice.problem);
      ctx.tenant = choice.tenant;
      if (access === "write" && maintenance.readOnly(choice.tenant))
        throw new AppError("read_only", `tenant ${choice.tenant} is read-only during maintenance: its writes are refused; retry later`, {
          "Retry-After": String(config.retryAfterSeconds),
        });
      return handler(choice.tenant, ctx, params);
    };
  const body = (ctx: RequestContext) => readJsonBody(ctx.req, config.maxBodyBytes);
  const write = { schema: true };
  const read = { schema: false, idempotent: true };

  router
    .add(
      "POST",
      "/notes",
      tenantRoute("write", async (tenant, ctx) => {
        const key = idempotencyKey(ctx.req.headers["idempotency-key"]);
        const text = stringField(jsonObject(await body(ctx), ["text"]), "text", 1, MAX_NOTE_CHARS);
        const { note, created } = await databases.run(tenant, { ...write, idempotent: key !== null }, (client) =>
          createNote(client, text, key),
        );
        return { status: created ? 201 : 200, json: { note } };
      }),
    )
    .add(
      "GET",
      "/notes",
      tenantRoute("read", async (tenant, ctx) => {
        const after = intQuery(ctx.query, "after", 0, 0, Number.MAX_SAFE_INTEGER);
        const limit = intQuery(ctx.query, "limit", 100, 1, MAX_PAGE);
        const notes = await databases.run(tenant, read, (client) => listNotes(client, after, limit));
        return { status: 200, json: { notes, next: notes.length === limit ? notes[notes.length - 1].id : null } };
      }),
    )
    .add(
      "GET",
      "/notes/:id",
      tenantRoute("read", async (tenant, _ctx, params) => {
        const id = positiveInt(params.id, "id");
        const note = await databases.run(tenant, read, (client) => getNote(client, id));
        if (!note) throw new AppError("not_found", `no note ${id}`);
        return { status: 200, json: { note } };
      }),
    )
    .add(
      "POST",
      "/counter",
      tenantRoute("write", async (tenant) => ({ status: 200, json: { value: await incrementCounter(redis, tenant) } })),
    )
    .add(
      "GET",
      "/counter",
      tenantRoute("read", async (tenant) => ({ status: 200, json: { value: await readCounter(redis, tenant) } })),
    )
    .add(
      "POST",
      "/jobs",
      tenantRoute("write", async (tenant, ctx) => {
        const key = idempotencyKey(ctx.req.headers["idempotency-key"]);
        const text = stringField(jsonObject(await body(ctx), ["text"]), "text", 1, MAX_JOB_CHARS);
        const { id, enqueued } = await enqueueJob(redis, tenant, text, key);
        return { status: enqueued ? 202 : 200, json: { job: { id, enqueued } } };
      }),
    )
    .add(
      "GET",
      "/jobs/:id",
      tenantRoute("read", async (tenant, _ctx, params) => {
        const result = await databases.run(tenant, read, (client) => getJobResult(client, params.id));
        if (!result)
          throw new AppError("not_found", `job ${JSON.stringify(params.id.slice(0, 200))} has no result yet (queued, or unknown)`);
        return { status: 200, json: { job: result } };
      }),
    );
}

/** Starts the API on `config.port`; see the module's comment. */
export async function startApi(config: Config, log: Logger): Promise<RunningApi> {
  const services = await startServices(config, log);
  let stopping = false;
  const requests = services.metrics.counter("app_http_requests_total", "HTTP requests by tenant (empty: none chosen) and status.", [
    "tenant",
    "status",
  ]);
  const uncounted: readonly string[] = Object.values(HEALTH_PATHS);
  const router = new Router<RequestContext>();
  addHealthRoutes(router, { version: config.version, stopping: () => stopping, checks: services.checks, metrics: services.metrics });
  apiRoutes(services, router);
  const server = appServer({
    router,
    stopping: () => stopping,
    retryAfterSeconds: config.retryAfterSeconds,
    log,
    onReply: (ctx, status) => {
      if (!uncounted.includes(ctx.path)) requests.inc({ tenant: ctx.tenant ?? "", status: String(status) });
    },
  });
  let port: number;
  try {
    port = await listen(server, config.port, config.listenHost);
  } catch (error) {
    await stopServices(services);
    throw error;
  }
  log.info("API listening", { port, tenants: config.tenants.join(","), version: config.version });
  return {
    port,
    metrics: services.metrics,
    async stop() {
      stopping = true;
      await sleep(config.shutdownDelayMs);
      await closeServer(server);
      await stopServices(services);
    },
  };
}
