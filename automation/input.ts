/**
 * Input checked with the driver's input models (`schema/`): every surface — library, CLI, HTTP API —
 * parses with the same schemas, and a failure is one InputError naming each bad field, what is
 * allowed and the value received.
 */
import type { z } from "zod";
import { problemText, reservedKeyProblems } from "../schema/errors";
import { propertyProblemsOf } from "../schema/issues";
import { InputError } from "./errors";

/**
 * How {@link parseInput} names fields.
 * @internal
 */
export interface ParseInputOptions {
  /**
   * Prefix of every field path (`version` for a value given on its own).
   * @default ""
   */
  readonly root?: string;
  /**
   * Renames a field path for the surface the input came from (the CLI names its flags).
   * @default - paths as the schema has them
   */
  readonly rename?: (path: string) => string;
}

/**
 * `input` parsed by `schema`, or an InputError about `subject` listing every problem. A reserved key
 * (`__proto__`, `constructor`, `prototype`) anywhere in `input` is a problem too, named by its path: a
 * schema's map would drop a `__proto__` key without a word, and a merge would make it a prototype.
 * @internal
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, subject: string, options: ParseInputOptions = {}): z.output<S> {
  const root = options.root ?? "";
  const result = schema.safeParse(input, { reportInput: true });
  const problems = result.success ? [] : propertyProblemsOf(result.error.issues, root);
  problems.push(...reservedKeyProblems(input, root, problems));
  if (result.success && problems.length === 0) return result.data;
  const rename = options.rename ?? ((p: string) => p);
  throw new InputError(
    subject,
    problems.map((p) => problemText({ ...p, propertyPath: rename(p.propertyPath) })),
  );
}

/**
 * A number given as text (a CLI flag, an HTTP query parameter) as a number when it reads as one, else
 * as given, so that the schema's message shows it.
 * @internal
 */
export function numberOrText(text: string | undefined): number | string | undefined {
  return text !== undefined && /^\s*-?[0-9]+(\.[0-9]+)?\s*$/.test(text) ? Number(text) : text;
}
