/** Assertions on the InvalidArgsError a part throws before it registers anything. */
import * as assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import { InvalidArgsError } from "../../../components";
import { capture } from "./capture";

/** The problems of an InvalidArgsError as its message writes them: the path in backticks, then the reason. */
export function problemLines(error: InvalidArgsError): string[] {
  return error.errors.map((e) => `\`${e.propertyPath}\` ${e.reason}`);
}

/**
 * Asserts that `build` throws an InvalidArgsError of `component` with exactly the problems `expected`, in
 * order, and registers nothing; returns the error.
 */
export function rejectsArgs(
  component: string,
  build: (opts: pulumi.ComponentResourceOptions) => unknown,
  expected: readonly string[],
): InvalidArgsError {
  const { resources, opts } = capture();
  let thrown: unknown;
  try {
    build(opts);
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof InvalidArgsError, `an InvalidArgsError, got ${String(thrown)}`);
  assert.deepEqual(problemLines(thrown), expected);
  const count = expected.length === 1 ? "1 problem" : `${expected.length} problems`;
  assert.equal(thrown.message, `Invalid arguments of ${component} (${count}):\n${expected.map((line) => `  - ${line}`).join("\n")}`);
  assert.deepEqual(
    resources.map((r) => r.name),
    [],
    "nothing registered",
  );
  return thrown;
}
