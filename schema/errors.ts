import type { z } from "zod";

/** One problem with a setting: where it is, as the caller wrote it, and what is wrong. */
export interface PropertyProblem {
  /** Path of the setting: keys joined by `.`, list indexes in brackets (`spec.storageGi`, `tenants[0]`). */
  readonly propertyPath: string;
  /** What is wrong and what is allowed, then the value received: `must be an integer between 1 and 65536 (got 0)`. */
  readonly reason: string;
}

/** A problem as one line of a message: the path in backticks, then the reason. */
export function problemText(problem: PropertyProblem): string {
  return `\`${problem.propertyPath}\` ${problem.reason}`;
}

/** The message listing every problem of `subject`, one line each. */
export function problemsMessage(subject: string, problems: readonly PropertyProblem[]): string {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  return `Invalid ${subject} (${count}):\n${problems.map((p) => `  - ${problemText(p)}`).join("\n")}`;
}

/** Every problem found in a stack's settings, reported at once. */
export class ValidationError extends Error {
  /** One line per problem: the field path, what is wrong, and the value received. */
  readonly problems: readonly string[];
  /** The same problems, each with its path apart. */
  readonly properties: readonly PropertyProblem[];

  constructor(subject: string, problems: readonly PropertyProblem[]) {
    super(problemsMessage(subject, problems));
    this.name = "ValidationError";
    this.problems = problems.map(problemText);
    this.properties = problems;
  }
}

/** A field path: `root` then `.key` and `[index]` segments (`(root)` when empty). */
export function propertyPath(root: string, segments: readonly PropertyKey[]): string {
  let path = root;
  for (const segment of segments) {
    if (typeof segment === "number") path += `[${segment}]`;
    else path += path === "" || path.endsWith(":") ? String(segment) : `.${String(segment)}`;
  }
  return path === "" ? "(root)" : path;
}

/** Renders a received value briefly: scalars as JSON, objects and lists by their shape. */
function received(value: unknown): string {
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value !== null && typeof value === "object") return "an object";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** What a message says in place of a value that was set as a secret. */
export const SECRET_NOT_SHOWN = "(the value is secret and not shown)";

/**
 * Turns zod issues into problems rooted at `root` (such as `tenantstack:` or `spec`). Where `secret` says a
 * path lies in a value set as a secret, the value received is not quoted, and the names of unknown keys
 * (part of that value) are not either.
 * @internal
 */
export function propertyProblemsOf(
  issues: readonly z.core.$ZodIssue[],
  root: string,
  secret: (segments: readonly PropertyKey[]) => boolean = () => false,
): PropertyProblem[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      // `settings()` writes one message line per unknown key.
      const lines = issue.message.split("\n");
      if (secret(issue.path)) {
        const allowed = lines[0].slice(lines[0].lastIndexOf("allowed: "));
        const count = issue.keys.length === 1 ? "a key" : `${issue.keys.length} keys`;
        return [
          {
            propertyPath: propertyPath(root, issue.path),
            reason: `holds ${count} that is not a known setting; ${allowed} ${SECRET_NOT_SHOWN}`,
          },
        ];
      }
      return issue.keys.map((key, i) => ({ propertyPath: propertyPath(root, [...issue.path, key]), reason: lines[i] ?? lines[0] }));
    }
    let input: unknown = (issue as { input?: unknown }).input;
    if (issue.code === "invalid_union" && "discriminator" in issue && issue.discriminator) {
      input = (input as Record<string, unknown> | undefined)?.[issue.discriminator as string];
    }
    if (secret(issue.path)) return secretProblem(root, issue.path, issue.message, input);
    return problem(root, issue.path, issue.message, input);
  });
}

/** One problem with a value set as a secret: like {@link problem}, without the value. */
export function secretProblem(root: string, segments: readonly PropertyKey[], message: string, input: unknown): PropertyProblem {
  const path = propertyPath(root, segments);
  return { propertyPath: path, reason: input === undefined ? `is required: it ${message}` : `${message} ${SECRET_NOT_SHOWN}` };
}

/**
 * Turns zod issues into problem lines rooted at `root`.
 * @internal
 */
export function problemsOf(issues: readonly z.core.$ZodIssue[], root: string): string[] {
  return propertyProblemsOf(issues, root).map(problemText);
}

/** One problem: the field path under `root`, what is wrong, and the value received (`undefined`: missing). */
export function problem(root: string, segments: readonly PropertyKey[], message: string, input: unknown): PropertyProblem {
  const path = propertyPath(root, segments);
  return { propertyPath: path, reason: input === undefined ? `is required: it ${message}` : `${message} (got ${received(input)})` };
}

/**
 * Problems for every own `__proto__` key in plain objects of `input` (JSON.parse makes them): zod drops such a
 * key from a map without a word, and copying one into an object replaces its prototype. Paths already in
 * `reported` (an object's unknown key) are left out.
 * @internal
 */
export function prototypeKeyProblems(input: unknown, root: string, reported: readonly PropertyProblem[] = []): PropertyProblem[] {
  const problems: PropertyProblem[] = [];
  const visit = (value: unknown, segments: PropertyKey[], depth: number) => {
    if (depth > 32 || value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, [...segments, index], depth + 1));
      return;
    }
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) return;
    for (const key of Object.keys(value)) {
      const path = propertyPath(root, [...segments, key]);
      if (key === "__proto__" && !reported.some((p) => p.propertyPath === path)) {
        problems.push({ propertyPath: path, reason: 'is not allowed: no key may be named "__proto__"' });
      }
      visit((value as Record<string, unknown>)[key], [...segments, key], depth + 1);
    }
  };
  visit(input, [], 0);
  return problems;
}
