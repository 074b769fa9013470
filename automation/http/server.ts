/**
 * The HTTP API of the driver (fastify): tenants, and operations as async resources — `POST
 * /operations` validates the input, starts the operation and answers 202 with its id; `GET
 * /operations/{id}` shows its progress and result; `POST /operations/{id}/cancel` stops it. Every
 * route but the OpenAPI document needs the bearer token.
 */
import { randomUUID, timingSafeEqual } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { z } from "zod";
import { problemsOf } from "../../schema/errors";
import type { Driver } from "../driver";
import { InputError, TenantstackError } from "../errors";
import type { DriverEvent } from "../operations/events";
import { openApiDocument } from "./openapi";
import { OperationRequestSchema, type OperationRequest } from "./operationRequest";

/** Options of the server. */
export interface ServeOptions {
  /** Port to listen on. */
  readonly port: number;
  /**
   * Address to listen on.
   * @default "127.0.0.1"
   */
  readonly host?: string;
  /** The bearer token clients must send; required. */
  readonly token: string | undefined;
  /**
   * Receives a line per request error.
   * @default - dropped
   */
  readonly log?: (line: string) => void;
}

/** An operation this server started. */
interface Running {
  readonly controller: AbortController;
  readonly events: DriverEvent[];
  done: boolean;
}

const STATUS: Record<string, number> = {
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  stack_locked: 409,
  plan_mismatch: 409,
  protected: 409,
  cancelled: 409,
};

function fail(reply: FastifyReply, error: unknown): FastifyReply {
  const status = error instanceof TenantstackError ? (STATUS[error.code] ?? 500) : 500;
  const body =
    error instanceof TenantstackError
      ? { code: error.code, message: error.message, ...(error instanceof InputError ? { problems: error.problems } : {}) }
      : { code: "internal", message: "internal error" };
  return reply.code(status).send({ error: body });
}

/** Parses a body with a schema, as an InputError naming each bad field. */
function parseBody<S extends z.ZodType>(schema: S, body: unknown, subject: string): z.output<S> {
  const result = schema.safeParse(body, { reportInput: true });
  if (!result.success) throw new InputError(subject, problemsOf(result.error.issues, ""));
  return result.data;
}

/** Starts the operation a request asks for. */
function start(
  driver: Driver,
  request: OperationRequest,
  options: { operationId: string; onEvent: (e: DriverEvent) => void; signal: AbortSignal },
): Promise<unknown> {
  const common = { ...options, concurrency: request.concurrency };
  switch (request.kind) {
    case "provision":
      return driver.provision(request.tenant, common);
    case "preview":
      return driver.preview({ ...common, tenants: request.tenants, plan: request.savePlan });
    case "up":
      return driver.up({ ...common, tenants: request.tenants, plan: request.savedPlan });
    case "refresh":
      return driver.refresh({ ...common, tenants: request.tenants });
    case "outputs":
      return driver.outputs({ ...common, tenants: request.tenants });
    case "destroy":
      return driver.destroy({ ...common, tenants: request.tenants, forceDestroyData: request.forceDestroyData });
    case "recover":
      return driver.recover(request.stack, common);
    case "fleet-upgrade":
      return driver.fleetUpgrade({
        ...common,
        version: request.version,
        tenants: request.tenants,
        canary: request.canary,
        waveSize: request.waveSize,
        rollback: request.rollback,
        ...(request.httpCheckUrl ? { health: { httpCheckUrl: request.httpCheckUrl } } : {}),
      });
    case "migrate":
      return driver.migrate({
        ...common,
        tenant: request.tenant,
        to: request.to,
        cluster: request.cluster,
        settings: request.settings,
        dryRun: request.dryRun,
        rollback: request.rollback,
      });
    case "gc":
      return driver.gc({ ...common, ...(request.now ? { now: new Date(request.now) } : {}) });
  }
}

/** Builds the server (not listening). */
export function buildServer(driver: Driver, options: Pick<ServeOptions, "token" | "log">): FastifyInstance {
  if (!options.token || options.token.length < 16)
    throw new InputError("server options", ["`token` (TENANTSTACK_API_TOKEN) is required, at least 16 characters"]);
  const expected = Buffer.from(`Bearer ${options.token}`);
  const app = Fastify({ logger: false });
  const running = new Map<string, Running>();

  app.addHook("onRequest", async (request, reply) => {
    if (request.url === "/openapi.json") return;
    const given = Buffer.from(request.headers.authorization ?? "");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      await reply
        .code(401)
        .header("WWW-Authenticate", "Bearer")
        .send({ error: { code: "unauthorized", message: "a valid bearer token is required" } });
    }
  });
  app.setErrorHandler((error, _request, reply) => {
    options.log?.(`request failed: ${(error as Error).message}`);
    if ((error as { statusCode?: number }).statusCode === 400)
      return reply.code(400).send({ error: { code: "invalid_input", message: (error as Error).message } });
    return fail(reply, error);
  });

  app.get("/openapi.json", async () => openApiDocument());
  app.get("/tenants", async () => ({ tenants: await driver.registry.list() }));
  app.get<{ Params: { name: string } }>("/tenants/:name", async (request, reply) =>
    driver.registry.show(request.params.name).catch((e) => fail(reply, e)),
  );
  app.post("/tenants", async (request, reply) =>
    driver.registry.create(request.body as never).then(
      (tenant) => reply.code(201).send(tenant),
      (e) => fail(reply, e),
    ),
  );
  app.delete<{ Params: { name: string } }>("/tenants/:name", async (request, reply) =>
    driver.registry.delete(request.params.name).then(
      () => reply.code(204).send(),
      (e) => fail(reply, e),
    ),
  );

  app.post("/operations", async (request, reply) => {
    let body: OperationRequest;
    try {
      body = parseBody(OperationRequestSchema, request.body, "operation request");
    } catch (error) {
      return fail(reply, error);
    }
    const operationId = body.operationId ?? randomUUID();
    if (running.get(operationId)?.done === false)
      return fail(reply, new InputError("operation request", [`\`operationId\` "${operationId}" is running already`]));
    const entry: Running = { controller: new AbortController(), events: [], done: false };
    // The operation validates everything before it touches a stack; its first event says it started.
    let started!: () => void;
    const begun = new Promise<void>((resolve) => (started = resolve));
    const onEvent = (event: DriverEvent) => {
      if (event.type === "operation" && (event.status === "started" || event.status === "resumed")) started();
      if (event.type !== "step") entry.events.push(event);
    };
    const work = start(driver, body, { operationId, onEvent, signal: entry.controller.signal }).finally(() => (entry.done = true));
    const early = await Promise.race([
      begun.then(() => undefined),
      work.then(
        () => undefined,
        (error: unknown) => error,
      ),
    ]);
    if (early !== undefined) return fail(reply, early);
    running.set(operationId, entry);
    // Finished operations stay in the journal; only the most recent keep their live events here.
    for (const [id, old] of running) if (old.done && running.size > 100) running.delete(id);
    work.catch((error: unknown) => options.log?.(`operation ${operationId} failed: ${(error as Error).message}`));
    return reply
      .code(202)
      .header("Location", `/operations/${operationId}`)
      .send({ id: operationId, status: "running", href: `/operations/${operationId}` });
  });

  app.get<{ Params: { id: string } }>("/operations/:id", async (request, reply) => {
    const operation = await driver.journal.get(request.params.id);
    if (!operation)
      return reply.code(404).send({ error: { code: "not_found", message: `operation ${request.params.id} is not in the journal` } });
    const live = running.get(request.params.id);
    return { ...operation, steps: await driver.journal.steps(operation.id), events: live?.events.slice(-200) ?? [] };
  });

  app.post<{ Params: { id: string } }>("/operations/:id/cancel", async (request, reply) => {
    const live = running.get(request.params.id);
    if (!live || live.done)
      return reply.code(409).send({ error: { code: "conflict", message: `operation ${request.params.id} is not running here` } });
    live.controller.abort();
    return reply.code(202).send({ id: request.params.id, status: "cancelling" });
  });

  app.addHook("onClose", async () => {
    for (const live of running.values()) live.controller.abort();
  });
  return app;
}

/** Builds the server and listens. */
export async function serve(driver: Driver, options: ServeOptions): Promise<FastifyInstance> {
  const app = buildServer(driver, options);
  await app.listen({ port: options.port, host: options.host ?? "127.0.0.1" });
  options.log?.(`tenantstack API listening on http://${options.host ?? "127.0.0.1"}:${options.port}`);
  return app;
}
