/**
 * The app's one error family: each error has a stable code, and each code one HTTP status, mapped
 * here and nowhere else. Failures of Postgres or Redis themselves (refused, reset, timed out,
 * shutting down) become `unavailable` (503 with `Retry-After`): the client may retry; anything else
 * is `internal` (500).
 */

/** HTTP status of each error code. */
export const STATUS = {
  bad_request: 400,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal: 500,
  read_only: 503,
  unavailable: 503,
  shutting_down: 503,
} as const;

/** An error code. */
export type ErrorCode = keyof typeof STATUS;

/** An error the API answers with its status and `{ error: { code, message } }`. */
export class AppError extends Error {
  /** The HTTP status of {@link code}. */
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra response headers (`Retry-After`, `Allow`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "AppError";
    this.status = STATUS[code];
  }
}

/** Network errors of a dependency's connection. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** Messages of pg and ioredis when a connection is gone, not yet there or too slow. */
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Connection is closed|Command timed out|Stream isn't writeable|Reached the max retries per request|Cannot use a pool after calling end|Client has encountered a connection error/;

/**
 * Whether `error` says that Postgres or Redis cannot be reached right now: a network error, pg's
 * SQLSTATE classes 08 (connection exception) and 57P (operator intervention, such as a shutdown),
 * 53300 (too many connections), 57014 (the statement timeout), 28P01/28000 (the credentials being
 * rotated), or a client's own
 * connection failure.
 */
export function isUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; name?: unknown };
  const code = typeof e?.code === "string" ? e.code : "";
  if (NETWORK_CODES.has(code) || code.startsWith("08") || code.startsWith("57P") || ["53300", "57014", "28P01", "28000"].includes(code))
    return true;
  if (e?.name === "MaxRetriesPerRequestError") return true;
  const message = typeof e?.message === "string" ? e.message : "";
  return UNAVAILABLE_MESSAGES.test(message) || /^(NOAUTH|WRONGPASS|LOADING)/.test(message);
}

/**
 * Whether a write was refused because the tenant's data is fenced read-only, whether or not this
 * process has seen the maintenance flag yet: a migration fences the tenant's source database
 * (Postgres answers SQLSTATE 25006) and takes write commands from its Redis user (Redis answers
 * `NOPERM`: with ACL isolation, the tenant's user is only ever refused a command by the fence, its
 * other limits being admin and dangerous commands, which the app never sends).
 */
export function isReadOnlyDatabase(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return e?.code === "25006" || (typeof e?.message === "string" && e.message.startsWith("NOPERM"));
}

/** `error` as an {@link AppError}: itself, `unavailable` for a dependency's failure, else `internal`. */
export function toAppError(error: unknown, retryAfterSeconds: number): AppError {
  if (error instanceof AppError) return error;
  if (isReadOnlyDatabase(error))
    return new AppError("read_only", "this tenant's database is read-only during maintenance: its writes are refused; retry later", {
      "Retry-After": String(retryAfterSeconds),
    });
  if (isUnavailable(error))
    return new AppError("unavailable", "this tenant's database or Redis is unreachable or too slow; retry later", {
      "Retry-After": String(retryAfterSeconds),
    });
  return new AppError("internal", "internal error");
}
