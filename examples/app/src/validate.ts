/**
 * Checks of request input: each failure is a 400 whose message names the field, what was
 * received (its type or a shortened value) and what is allowed.
 */
import { AppError } from "./errors";

const bad = (message: string) => new AppError("bad_request", message);

/** What a value is, for a message: its JSON type, or a shortened rendering of a string. */
function described(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  return `a ${typeof value}`;
}

/** The body as an object with only the `allowed` fields. */
export function jsonObject(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw bad(`the request body must be a JSON object (got ${described(body)})`);
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length)
    throw bad(`unknown field ${JSON.stringify(unknown[0])}: allowed fields are ${allowed.map((f) => `"${f}"`).join(", ")}`);
  return body as Record<string, unknown>;
}

/** `object[field]`, a string of `min` to `max` characters. */
export function stringField(object: Record<string, unknown>, field: string, min: number, max: number): string {
  const value = object[field];
  if (typeof value !== "string" || value.length < min || value.length > max)
    throw bad(
      `\`${field}\` must be a string of ${min} to ${max} characters (got ${typeof value === "string" ? `${value.length} characters` : described(value)})`,
    );
  return value;
}

/** An idempotency key: 1 to 200 visible ASCII characters (absent: none). */
export function idempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header) || !/^[\x21-\x7e]{1,200}$/.test(header))
    throw bad(`the Idempotency-Key header must be 1 to 200 visible ASCII characters (got ${described(header)})`);
  return header;
}

/** A positive integer of a path or query parameter. */
export function positiveInt(value: string, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^[1-9]\d{0,15}$/.test(value) || Number(value) > max)
    throw bad(`\`${name}\` must be an integer between 1 and ${max} (got ${described(value)})`);
  return Number(value);
}

/** A query parameter that is an integer between `min` and `max`, or `fallback` when absent. */
export function intQuery(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const value = query.get(name);
  if (value === null) return fallback;
  if (!/^\d{1,16}$/.test(value) || Number(value) < min || Number(value) > max)
    throw bad(`query parameter \`${name}\` must be an integer between ${min} and ${max} (got ${described(value)})`);
  return Number(value);
}
