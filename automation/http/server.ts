/**
 * The HTTP API of the driver (fastify): tenants, and operations as async resources — `POST
 * /operations` validates the input, starts the operation and answers 202 with its id; `GET
 * /operations` lists the journal's; `GET /operations/{id}` shows its progress and result; `POST
 * /operations/{id}/cancel` stops it (on whichever replica sharing the journal runs it) and `POST
 * /operations/{id}/resume` resumes it with its journaled parameters. A tenant's deletion with `?destroy=true` and an update with `?dryRun=true` touch a
 * stack, and so are started the same way. Every route but the OpenAPI document needs the bearer
 * token. Messages name the JSON fields, never a CLI flag (`errors.ts`, `messageOn`).
 */
import { randomUUID, timingSafeEqual } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { ServeSettingsSchema } from "../../schema/driverOptions";
import { problemText, reservedKeyProblems } from "../../schema/errors";
import { jsonErrorPosition } from "../../schema/redact";
import type { Driver } from "../driver";
import { httpStatusOf } from "../errorCodes";
import {
  ConflictError,
  InputError,
  OperationNotFoundError,
  PayloadTooLargeError,
  TenantstackError,
  toWire,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
  type WireError,
} from "../errors";
import { numberOrText, parseInput } from "../input";
import type { DriverEvent } from "../operations/events";
import { resumeRequest, runRequest } from "../requests";
import { redact, redactDeep, rememberSecret } from "../redact";
import { checkTenantSettings, parseTenantInput } from "../registry/tenant";
import { type Accepted, openApiDocument } from "./openapi";
import { OperationListQuerySchema, OperationRequestSchema, ResumeOptionsSchema } from "../../schema/operations";
import type { OperationRequest } from "../types";

/** The largest request body the API takes, in bytes. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Options of the server. */
export interface ServeOptions {
  /** Port to listen on, 1 to 65535. */
  readonly port: number;
  /**
   * Address to listen on: an IP address or a host name.
   * @default "127.0.0.1"
   */
  readonly host?: string;
  /** The bearer token clients must send; required. */
  readonly token: string | undefined;
  /**
   * Receives a line per request error (redacted).
   * @default - dropped
   */
  readonly log?: (line: string) => void;
}

/** An operation this server started. */
interface Running {
  readonly controller: AbortController;
  /** Its progress events recorded in the journal so far, one after the other. */
  recorded: Promise<void>;
  done: boolean;
}

/**
 * The error body every failure gets, with the status of its code (`../errorCodes.ts`): `{ error }`, the error's
 * wire form (`name`, `code`, `message`, `retryable`, `args`: `fromWire` revives the same class), with `problems`
 * for invalid input; redacted, never a stack trace. An error outside the family is `internal error` alone.
 */
function errorBody(error: unknown): { error: WireError & { problems?: readonly string[] } } {
  if (!(error instanceof TenantstackError)) return { error: toWire(new Error("internal error")) };
  return { error: { ...error.toJSON(), ...(error instanceof ValidationError ? { problems: error.problems } : {}) } };
}

/** Replies with the error body and status of `error`. */
function fail(reply: FastifyReply, error: unknown): FastifyReply {
  return reply.code(httpStatusOf(error)).send(errorBody(error));
}

/** The error a failure of fastify itself (body size, content type, body parsing) stands for. */
function requestError(error: unknown, contentType: string | undefined): unknown {
  if (error instanceof TenantstackError) return error;
  const status = (error as { statusCode?: number }).statusCode;
  if (status === 413) return new PayloadTooLargeError(BODY_LIMIT_BYTES);
  if (status === 415) return new UnsupportedMediaTypeError(contentType ?? "none");
  if (status !== undefined && status >= 400 && status < 500) return new InputError("request", [(error as Error).message]);
  return error;
}

/**
 * A JSON body parsed, or an InputError saying where it stops being JSON (never quoting it); a reserved key
 * (`__proto__`, `constructor`, `prototype`) at any depth is refused, named by its path.
 */
function parseJsonBody(body: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new InputError("request body", [`the body must be valid JSON: it is not, at ${jsonErrorPosition(body, error)}`]);
  }
  const reserved = reservedKeyProblems(parsed, "");
  if (reserved.length > 0) throw new InputError("request body", reserved.map(problemText));
  return parsed;
}

/** Query parameters a tenant route does not take: its method, path and body give them. */
const NOT_QUERY = ["kind", "tenant", "patch"];

/**
 * The request a tenant route stands for: its kind, the tenant of its path, and its query parameters
 * (`destroy=true`, `dryRun=true`, `operationId=...`), `true` and `false` as booleans; any other value
 * is passed as given, for the request's schema to name.
 */
function tenantRequest(kind: "delete-tenant" | "update-tenant", tenant: string, query: Record<string, unknown>): Record<string, unknown> {
  const reserved = Object.keys(query).filter((key) => NOT_QUERY.includes(key));
  if (reserved.length > 0)
    throw new InputError(
      "request",
      reserved.map((key) => `\`${key}\` is not a query parameter of this route: the method, path and body give it`),
    );
  const flags = Object.entries(query).map(([key, value]) => [key, value === "true" ? true : value === "false" ? false : value]);
  return { ...Object.fromEntries(flags), kind, tenant };
}

/** Checks the bearer token clients must send (never shown). */
export function checkToken(token: string | undefined): string {
  if (!token || token.length < 16)
    throw new InputError("server options", [
      "`token` (TENANTSTACK_API_TOKEN) is required, at least 16 characters (the value given is not shown)",
    ]);
  rememberSecret(token);
  return token;
}

/** Builds the server (not listening). */
export function buildServer(driver: Driver, options: Pick<ServeOptions, "token" | "log">): FastifyInstance {
  const token = checkToken(options.token);
  const log = (line: string) => options.log?.(redact(line));
  const expected = Buffer.from(`Bearer ${token}`);
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES });
  // JSON only: any other content type is refused with 415.
  app.removeAllContentTypeParsers();
  // A JSON merge patch (`PATCH /tenants/{name}`) may say so by its own media type.
  app.addContentTypeParser(["application/json", "application/merge-patch+json"], { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  const running = new Map<string, Running>();

  app.addHook("onRequest", async (request, reply) => {
    if (request.url === "/openapi.json") return;
    const given = Buffer.from(request.headers.authorization ?? "");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      await fail(reply.header("WWW-Authenticate", "Bearer"), new UnauthorizedError());
    }
  });
  app.setErrorHandler((error, request, reply) => {
    const reported = requestError(error, request.headers["content-type"]);
    log(`request failed: ${reported instanceof Error ? reported.message : String(reported)}`);
    return fail(reply, reported);
  });

  app.get("/openapi.json", async () => openApiDocument());
  app.get("/tenants", async () => ({ tenants: await driver.registry.list() }));
  app.get<{ Params: { name: string } }>("/tenants/:name", async (request, reply) =>
    driver.registry.show(request.params.name).catch((e) => fail(reply, e)),
  );
  app.post("/tenants", async (request, reply) => {
    try {
      const input = parseTenantInput(request.body);
      checkTenantSettings(input);
      const tenant = await driver.registry.create(input);
      return reply.code(201).send(tenant);
    } catch (error) {
      return fail(reply, error);
    }
  });
  app.delete<{ Params: { name: string }; Querystring: Record<string, unknown> }>("/tenants/:name", async (request, reply) => {
    let body: OperationRequest;
    try {
      body = parseInput(OperationRequestSchema, tenantRequest("delete-tenant", request.params.name, request.query), "request");
    } catch (error) {
      return fail(reply, error);
    }
    // Destroying a stack takes minutes: an operation to follow. Without it, a refusal or a registry change.
    if (body.kind === "delete-tenant" && body.destroy) return start(reply, body);
    return runRequest(driver, body).then(
      () => reply.code(204).send(),
      (e) => fail(reply, e),
    );
  });
  app.patch<{ Params: { name: string }; Querystring: Record<string, unknown> }>("/tenants/:name", async (request, reply) => {
    let body: OperationRequest;
    try {
      body = parseInput(
        OperationRequestSchema,
        { ...tenantRequest("update-tenant", request.params.name, request.query), patch: request.body },
        "request",
        // The body is the patch: its fields are named as in `POST /tenants`.
        { rename: (path) => (path === "patch" ? "request body" : path.replace(/^patch\./, "")) },
      );
    } catch (error) {
      return fail(reply, error);
    }
    // A dry run previews a stack: an operation to follow. Without it, the registry change and its result.
    if (body.kind === "update-tenant" && body.dryRun) return start(reply, body);
    return runRequest(driver, body).then(
      (outcome) => reply.code(200).send(redactDeep(outcome.result)),
      (e) => fail(reply, e),
    );
  });

  /**
   * Starts a validated request as an operation of this server: `202` with `{ id, status, href }` once it
   * began (every check of the operation passed), else its refusal.
   */
  async function start(reply: FastifyReply, body: OperationRequest): Promise<FastifyReply> {
    const operationId = body.operationId ?? randomUUID();
    if (running.get(operationId)?.done === false)
      return fail(reply, new InputError("operation request", [`\`operationId\` "${operationId}" is running already`]));
    const entry: Running = { controller: new AbortController(), recorded: Promise.resolve(), done: false };
    // The operation validates everything before it touches a stack; its first event says it started.
    let started!: () => void;
    const begun = new Promise<void>((resolve) => (started = resolve));
    const onEvent = (event: DriverEvent) => {
      if (event.type === "operation" && (event.status === "started" || event.status === "resumed")) started();
      // Recorded in the journal, where every replica reads them; resource steps are too many to keep.
      if (event.type !== "step")
        entry.recorded = entry.recorded
          .then(() => driver.journal.appendEvent(operationId, redactDeep(event)))
          .catch((error: unknown) => log(`operation ${operationId}: an event was not recorded: ${(error as Error).message}`));
    };
    const work = runRequest(driver, body, { operationId, onEvent, signal: entry.controller.signal }).finally(async () => {
      await entry.recorded;
      entry.done = true;
    });
    const early = await Promise.race([
      begun.then(() => undefined),
      work.then(
        () => undefined,
        (error: unknown) => error,
      ),
    ]);
    if (early !== undefined) return fail(reply, early);
    running.set(operationId, entry);
    for (const [id, old] of running) if (old.done) running.delete(id);
    work.catch((error: unknown) => log(`operation ${operationId} failed: ${(error as Error).message}`));
    const accepted: Accepted = { id: operationId, status: "running", href: `/operations/${operationId}` };
    return reply.code(202).header("Location", accepted.href).send(accepted);
  }

  app.post("/operations", async (request, reply) => {
    let body: OperationRequest;
    try {
      body = parseInput(OperationRequestSchema, request.body, "operation request");
      if (body.kind === "provision") checkTenantSettings(body.tenant);
    } catch (error) {
      return fail(reply, error);
    }
    return start(reply, body);
  });

  app.get<{ Querystring: Record<string, string | undefined> }>("/operations", async (request, reply) => {
    try {
      const { limit, ...rest } = request.query;
      const query = parseInput(
        OperationListQuerySchema,
        { ...rest, ...(limit !== undefined ? { limit: numberOrText(limit) } : {}) },
        "query",
      );
      const operations = await driver.journal.list(query);
      return { operations: operations.map((o) => ({ ...o, href: `/operations/${o.id}` })) };
    } catch (error) {
      return fail(reply, error);
    }
  });

  app.get<{ Params: { id: string } }>("/operations/:id", async (request, reply) => {
    const operation = await driver.journal.get(request.params.id);
    if (!operation) return fail(reply, new OperationNotFoundError(request.params.id));
    // Here, every event said so far; from another replica, those its replica has recorded (a write behind).
    await running.get(operation.id)?.recorded;
    const shown = { ...operation, steps: await driver.journal.steps(operation.id), events: await driver.journal.events(operation.id) };
    // Step details and progress lines hold what the engine and data steps said: redacted like every message.
    return redactDeep(shown);
  });

  // Several replicas behind one address share the journal: a cancel reaching a replica that does not run the
  // operation is recorded there, and the driver that runs it reads it within a second (`Driver`'s `owning`).
  app.post<{ Params: { id: string } }>("/operations/:id/cancel", async (request, reply) => {
    const { id } = request.params;
    const cancelling = { id, status: "cancelling" as const };
    const live = running.get(id);
    if (live && !live.done) {
      live.controller.abort();
      return reply.code(202).send(cancelling);
    }
    const journaled = await driver.journal.get(id);
    if (!journaled) return fail(reply, new OperationNotFoundError(id));
    if (journaled.status !== "running")
      return fail(reply, new ConflictError(`operation ${id} is not running (it is ${journaled.status}): nothing to cancel`));
    const lease = (await driver.operationLeases.list()).find((held) => held.operationId === id);
    const runs = lease !== undefined && (lease.expiresAt === undefined || Date.parse(lease.expiresAt) > Date.now());
    if (runs && (await driver.journal.requestCancel(id))) return reply.code(202).send(cancelling);
    return fail(
      reply,
      new ConflictError(
        `operation ${id} is not running in any driver (the one that ran it stopped before it finished): nothing to cancel; resume it or leave it`,
      ),
    );
  });

  app.post<{ Params: { id: string } }>("/operations/:id/resume", async (request, reply) => {
    const { id } = request.params;
    let body: OperationRequest;
    try {
      const { concurrency } = parseInput(ResumeOptionsSchema, request.body ?? {}, "resume request");
      const journaled = await resumeRequest(driver, id);
      body = parseInput(OperationRequestSchema, { ...journaled, operationId: id, concurrency }, `operation "${id}"`);
    } catch (error) {
      return fail(reply, error);
    }
    return start(reply, body);
  });

  app.addHook("onClose", async () => {
    for (const live of running.values()) live.controller.abort();
  });
  return app;
}

/** Builds the server and listens; a bad or unusable port or address is an InputError naming it. */
export async function serve(driver: Driver, options: ServeOptions): Promise<FastifyInstance> {
  const { port, host = "127.0.0.1" } = parseInput(ServeSettingsSchema, { port: options.port, host: options.host }, "server options");
  const app = buildServer(driver, options);
  try {
    await app.listen({ port, host });
  } catch (error) {
    await app.close();
    const code = (error as NodeJS.ErrnoException).code;
    const what =
      code === "EADDRINUSE" ? "`port` is in use" : code === "EACCES" ? "`port` needs privileges" : "`host` cannot be listened on";
    throw new InputError("server options", [`${what} (${code ?? "unknown error"}; got ${host}:${port}): choose another`]);
  }
  options.log?.(`tenantstack API listening on http://${host}:${port}`);
  return app;
}
