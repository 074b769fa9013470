/**
 * The HTTP plumbing of the API and the worker's health port: a router of `METHOD /path/:param`
 * patterns, bounded JSON bodies, and replies (JSON, text, or an {@link AppError}'s
 * `{ error: { code, message } }` with its status and headers).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError } from "./errors";

/** A reply: a JSON body, or text with its content type. */
export interface Reply {
  readonly status: number;
  readonly json?: unknown;
  readonly text?: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A matched request. */
export interface Route<C> {
  readonly handler: (ctx: C, params: Readonly<Record<string, string>>) => Promise<Reply> | Reply;
  readonly params: Readonly<Record<string, string>>;
}

/** Routes by method and path pattern (`/notes/:id`: `:id` matches one non-empty segment). */
export class Router<C> {
  private readonly routes: { method: string; segments: string[]; handler: Route<C>["handler"] }[] = [];

  add(method: string, pattern: string, handler: Route<C>["handler"]): this {
    this.routes.push({ method, segments: pattern.split("/").slice(1), handler });
    return this;
  }

  /** The route of `method` and `path`, or the methods `path` has (empty: no such path). */
  match(method: string, path: string): Route<C> | { readonly allow: readonly string[] } {
    const segments = path.split("/").slice(1);
    const allow: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (route.method === method) return { handler: route.handler, params };
      allow.push(route.method);
    }
    return { allow };
  }
}

function matchSegments(pattern: readonly string[], path: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== path.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    if (part.startsWith(":")) {
      if (path[i] === "") return undefined;
      try {
        params[part.slice(1)] = decodeURIComponent(path[i]);
      } catch {
        return undefined;
      }
    } else if (part !== path[i]) return undefined;
  }
  return params;
}

/** The "no route" error of a {@link Router.match} without a handler. */
export function noRoute(method: string, path: string, allow: readonly string[]): AppError {
  if (allow.length === 0) return new AppError("not_found", `no such path: ${JSON.stringify(path.slice(0, 200))}`);
  return new AppError("method_not_allowed", `${method} is not allowed on ${path.slice(0, 200)}; allowed: ${allow.join(", ")}`, {
    Allow: allow.join(", "),
  });
}

/**
 * Reads a JSON request body of at most `maxBytes`: 415 unless its content type is
 * `application/json`, 413 when larger (by `Content-Length` or as read), 400 when empty, not UTF-8
 * or not JSON (with the parser's message).
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json")
    throw new AppError(
      "unsupported_media_type",
      `the request body must be JSON, with Content-Type: application/json (got ${JSON.stringify(type || "none")})`,
    );
  const tooLarge = () => new AppError("payload_too_large", `the request body must be at most ${maxBytes} bytes`);
  if (Number(req.headers["content-length"] ?? 0) > maxBytes) throw tooLarge();
  const body = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      // The rest is read and dropped, not destroyed with the connection: the client gets the 413.
      req.off("data", onData);
      req.resume();
      reject(tooLarge());
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
  if (body.length === 0) throw new AppError("bad_request", "the request body is empty: send a JSON object");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    throw new AppError("bad_request", "the request body is not valid UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError("bad_request", `the request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** The reply of an error. */
export function errorReply(error: AppError): Reply {
  return { status: error.status, json: { error: { code: error.code, message: error.message } }, headers: error.headers };
}

/** Writes `reply`; with `close`, the connection closes after it (shutting down, or a body left unread). */
export function sendReply(res: ServerResponse, reply: Reply, close = false): void {
  const body = reply.text ?? `${JSON.stringify(reply.json ?? null)}\n`;
  res.statusCode = reply.status;
  res.setHeader("Content-Type", reply.text !== undefined ? (reply.contentType ?? "text/plain; charset=utf-8") : "application/json");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.setHeader("Cache-Control", "no-store");
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (close) res.setHeader("Connection", "close");
  res.end(body);
}
