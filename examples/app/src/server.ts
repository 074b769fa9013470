/**
 * The HTTP server of the API and of the worker's health port: routes each request, turns errors
 * into replies (one log line for an internal one), reports each reply's status, and closes
 * connections after their reply once the process is stopping (or a request body was left unread).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { toAppError } from "./errors";
import { errorReply, noRoute, type Reply, type Router, sendReply } from "./http";
import { errorFields, type Logger } from "./log";

/** What a handler knows of its request. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The tenant, once a tenant route chose it (for the request metrics). */
  tenant?: string;
}

/** How the server behaves. */
export interface ServerOptions {
  readonly router: Router<RequestContext>;
  /** Whether the process is stopping: replies then close their connection. */
  readonly stopping: () => boolean;
  readonly retryAfterSeconds: number;
  readonly log: Logger;
  /** Called with each request's context and reply status. */
  readonly onReply?: (ctx: RequestContext, status: number) => void;
}

/** An HTTP server; see the module's comment. */
export function appServer(options: ServerOptions): Server {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://app.invalid");
    const ctx: RequestContext = { req, method: req.method ?? "GET", path: url.pathname, query: url.searchParams };
    let reply: Reply;
    try {
      const route = options.router.match(ctx.method, ctx.path);
      if (!("handler" in route)) throw noRoute(ctx.method, ctx.path, route.allow);
      reply = await route.handler(ctx, route.params);
    } catch (error) {
      const appError = toAppError(error, options.retryAfterSeconds);
      if (appError.code === "internal")
        options.log.error("request failed", { method: ctx.method, path: ctx.path, tenant: ctx.tenant, ...errorFields(error) });
      reply = errorReply(appError);
    }
    options.onReply?.(ctx, reply.status);
    sendReply(res, reply, options.stopping() || !req.complete);
  });
  // Longer than the idle timeout of a proxy's upstream connections (nginx: 60 s), so that the proxy,
  // not the app, closes an idle connection and never sends a request on one the app is closing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  return server;
}

/** Listens on `host:port` (no host: every address); resolves the port (a free one for 0). */
export function listen(server: Server, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

/** Stops accepting connections and resolves once those open finished their requests and closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
