import type { z } from "zod";

/** Every problem found in a stack's settings, reported at once. */
export class ValidationError extends Error {
  /** One line per problem: the field path, what is wrong, and the value received. */
  readonly problems: readonly string[];

  constructor(subject: string, problems: readonly string[]) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`Invalid ${subject} (${count}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ValidationError";
    this.problems = problems;
  }
}

/** Renders a field path: `root` then `.key` and `[index]` segments, in backticks. */
export function fieldPath(root: string, segments: readonly PropertyKey[]): string {
  let path = root;
  for (const segment of segments) {
    if (typeof segment === "number") path += `[${segment}]`;
    else path += path === "" || path.endsWith(":") ? String(segment) : `.${String(segment)}`;
  }
  return `\`${path === "" ? "(root)" : path}\``;
}

/** Renders a received value briefly: scalars as JSON, objects and lists by their shape. */
function received(value: unknown): string {
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value !== null && typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Turns zod issues into problem lines rooted at `root` (such as `tenantstack:` or `postgres`).
 * @internal
 */
export function problemsOf(issues: readonly z.core.$ZodIssue[], root: string): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      // `settings()` writes one message line per unknown key.
      const lines = issue.message.split("\n");
      return issue.keys.map((key, i) => `${fieldPath(root, [...issue.path, key])} ${lines[i] ?? lines[0]}`);
    }
    let input: unknown = (issue as { input?: unknown }).input;
    if (issue.code === "invalid_union" && "discriminator" in issue && issue.discriminator) {
      input = (input as Record<string, unknown> | undefined)?.[issue.discriminator as string];
    }
    return problemLine(root, issue.path, issue.message, input);
  });
}

/** One problem line: the field path under `root`, what is wrong, and the value received (`undefined`: missing). */
export function problemLine(root: string, segments: readonly PropertyKey[], message: string, input: unknown): string {
  const path = fieldPath(root, segments);
  if (input === undefined) return `${path} is required: it ${message}`;
  return `${path} ${message} (got ${received(input)})`;
}

/**
 * Parses `input` with `schema`, throwing one ValidationError that lists every problem.
 * @internal
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, subject: string, root: string): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (!result.success) throw new ValidationError(subject, problemsOf(result.error.issues, root));
  return result.data;
}
