/**
 * The table of the bad-input suites (issue 17): each case names the problems it must produce, each by its field
 * path, a fragment of what is allowed, and the value the message must quote, or that it must not quote.
 */
import * as assert from "node:assert/strict";

/** A string planted in bad inputs that no message may contain. */
export const PLANTED_SECRET = "sk-planted-7f3a9c1e5b2d4f60";

/** What a message says in place of a secret value. */
export const NOT_SHOWN = "(the value is secret and not shown)";

/** One problem a bad input must produce. */
export interface Expected {
  /** The field path, exactly. */
  readonly path: string;
  /** A fragment of the reason: what is wrong or allowed. */
  readonly says: string;
  /**
   * The value the reason ends by quoting (`(got <JSON>)`), `NOT_SHOWN` when the value is secret and the
   * reason must say so instead, or `undefined` when the reason quotes no value.
   */
  readonly got?: unknown;
}

/** Expects the value quoted as `(got <JSON of value>)`. */
export function got(path: string, says: string, value: unknown): Expected {
  return { path, says, got: value };
}

/** Expects the value not shown, the reason saying it is secret. */
export function secret(path: string, says: string): Expected {
  return { path, says, got: NOT_SHOWN };
}

/** Expects a reason that quotes no value. */
export function plain(path: string, says: string): Expected {
  return { path, says };
}

/** The problem lines of an error as `\`path\` reason`, with their paths and reasons apart. */
export interface Problem {
  readonly propertyPath: string;
  readonly reason: string;
}

/** How a received value is quoted in a reason (as schema/errors.ts renders it). */
function quoted(value: unknown): string {
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value !== null && typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Asserts that `problems` are exactly `expected`, in order: each path equal, each reason holding its
 * fragment and quoting its value (or saying it is secret), and that `message` (the whole error message) never
 * contains the planted secret.
 */
export function assertProblems(problems: readonly Problem[], message: string, expected: readonly Expected[]): void {
  const lines = problems.map((p) => `\`${p.propertyPath}\` ${p.reason}`).join("\n");
  assert.deepEqual(
    problems.map((p) => p.propertyPath),
    expected.map((e) => e.path),
    `the fields named:\n${lines}`,
  );
  problems.forEach((p, i) => {
    const e = expected[i];
    assert.ok(p.reason.includes(e.says), `\`${p.propertyPath}\` says "${e.says}": ${p.reason}`);
    if (e.got === NOT_SHOWN) {
      assert.ok(p.reason.endsWith(NOT_SHOWN), `\`${p.propertyPath}\` says its value is secret: ${p.reason}`);
      assert.doesNotMatch(p.reason, /\(got /, `\`${p.propertyPath}\` quotes no value`);
    } else if (e.got !== undefined) {
      assert.ok(p.reason.endsWith(` (got ${quoted(e.got)})`), `\`${p.propertyPath}\` quotes ${quoted(e.got)}: ${p.reason}`);
    } else {
      assert.doesNotMatch(p.reason, /\(got /, `\`${p.propertyPath}\` quotes no value: ${p.reason}`);
    }
  });
  assert.ok(!message.includes(PLANTED_SECRET), `the planted secret never appears:\n${message}`);
  assert.ok(!message.includes("    at "), `no stack trace in the message:\n${message}`);
}
