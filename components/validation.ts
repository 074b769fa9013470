/**
 * How every part validates its arguments before it registers anything: each argument against the schema of
 * what it may hold, every problem at once, each named by its path in the arguments as the caller wrote them.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { type PropertyProblem, TenantstackError, ValidationError } from "../schema";
import { SchedulingSchema } from "../schema/scheduling";
import { reservedKeyProblems } from "../schema/errors";
import { propertyProblemsOf } from "../schema/issues";
import { dnsLabel, image, labelValue } from "../schema/fields";

/**
 * Invalid arguments of a tenantstack component, reported as Pulumi reports invalid inputs: every problem at
 * once, each with the path of the property as the caller wrote it (`spec.storageGi`, `tenants[0]`) in
 * `errors`, thrown before anything is registered. A {@link ValidationError} of the one family (code
 * `invalid_input`) that Pulumi takes for its own `InputPropertiesError` (`pulumi.InputPropertiesError.isInstance`
 * holds; Pulumi's SDK recognises its errors by such members, as it does across copies of the SDK, never by their
 * class): `pulumi up` and `pulumi preview` show the message alone, without a stack trace.
 */
export class InvalidArgsError extends ValidationError {
  /** Each problem with the path of the property as the caller wrote it, as `pulumi.InputPropertiesError` has them. */
  readonly errors: readonly PropertyProblem[];

  constructor(
    /** The component, such as `Postgres "db"`. */
    readonly component: string,
    problems: readonly PropertyProblem[],
  ) {
    super(`arguments of ${component}`, problems);
    this.name = "InvalidArgsError";
    this.errors = this.properties;
    // Pulumi's InputPropertiesError, and a RunError, which the Pulumi program runner reports by its message alone,
    // where any other error is an "unhandled exception" with its stack trace.
    Object.defineProperty(this, "__pulumiInputPropertiesError", { value: true });
    Object.defineProperty(this, "__pulumiRunError", { value: true });
  }

  override wireArgs(): readonly unknown[] {
    return [this.component, this.properties];
  }
}

TenantstackError.register(InvalidArgsError);

/** Whether a value is known only at deployment: an Output or a Promise. */
function knownAtDeployment(value: unknown): boolean {
  return pulumi.Output.isInstance(value) || typeof (value as { then?: unknown } | undefined)?.then === "function";
}

/**
 * An argument that may be a `pulumi.Input`: checked against `schema` when its value is known now, left as it
 * is when it is an Output or a Promise (its value exists only at deployment).
 * @internal
 */
export function input<S extends z.ZodType>(schema: S) {
  return z.unknown().superRefine((value, ctx) => {
    if (knownAtDeployment(value)) return;
    const result = schema.safeParse(value, { reportInput: true });
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue(issue as z.core.$ZodRawIssue);
  });
}

/**
 * Settings as written whose `image` may come from another resource.
 */
export type WithImageInput<S> = Omit<S, "image"> & {
  /**
   * Container image, pinned by tag or digest. It may be an Output of another resource (an image the program
   * builds): checked when it resolves, a wrong one fails the deployment with the message it would have had.
   */
  readonly image: pulumi.Input<string>;
};

/**
 * Arguments with a setting at `path` that may be an Output: `checked` are the arguments to validate, in which
 * such a value stands in as `placeholder` (valid for `schema`); `value` gives the value to use, the validated
 * one or the Output, checked against `schema` when it resolves.
 * @internal
 */
export function deferredSetting<A extends object>(
  component: string,
  args: A,
  path: readonly string[],
  schema: z.ZodType,
  placeholder: string,
): { checked: A; value: (validated: string) => pulumi.Input<string> } {
  const parents: Record<string, unknown>[] = [];
  let node: unknown = args;
  for (const key of path) {
    if (node === null || typeof node !== "object") return { checked: args, value: (validated) => validated };
    parents.push(node as Record<string, unknown>);
    node = (node as Record<string, unknown>)[key];
  }
  if (!knownAtDeployment(node)) return { checked: args, value: (validated) => validated };
  // The arguments again, with the placeholder at `path` (copied along it, the caller's objects untouched).
  let checked: unknown = placeholder;
  for (let i = path.length - 1; i >= 0; i--) checked = { ...parents[i], [path[i]]: checked };
  const given = node as pulumi.Input<string>;
  return { checked: checked as A, value: () => checkedAtDeployment(component, path.join("."), schema, given) };
}

/**
 * Arguments whose `spec.image` may be an Output (see {@link deferredSetting}).
 * @internal
 */
export function deferredImage<A extends object>(component: string, args: A) {
  return deferredSetting(component, args, ["spec", "image"], image(), "deferred.invalid/image:deferred");
}

/**
 * The namespace of a part's objects, a DNS-1123 label (or an Output of one).
 * @internal
 */
export const namespaceArg = () => input(dnsLabel());

/**
 * The arguments of a part whose pods the stack's scheduling places: its namespace, `instance` label, settings
 * (`spec`, against `schema`) and scheduling.
 * @internal
 */
export function placedPartShape<S extends z.ZodType>(schema: S) {
  return { namespace: namespaceArg(), instance: labelValue().optional(), spec: schema, scheduling: SchedulingSchema };
}

/**
 * Validates the arguments of `component` named in `shape` (the others are not read), naming each problem by
 * its path in `args`; `more` adds the problems that span arguments. Throws one {@link InvalidArgsError}.
 * @internal
 */
export function parseArgs<S extends z.ZodRawShape>(
  component: string,
  shape: S,
  args: object,
  more?: (parsed: z.output<z.ZodObject<S>>) => PropertyProblem[],
): z.output<z.ZodObject<S>> {
  const values = args as Record<string, unknown>;
  const given = Object.fromEntries(Object.keys(shape).map((key) => [key, values[key]]));
  const result = z.object(shape).safeParse(given, { reportInput: true });
  const problems = result.success ? (more?.(result.data) ?? []) : propertyProblemsOf(result.error.issues, "");
  problems.push(...reservedKeyProblems(given, "", problems));
  if (problems.length > 0 || !result.success) throw new InvalidArgsError(component, problems);
  return result.data;
}

/**
 * An argument that may be known only at deployment (an Output or a Promise), checked there against `schema`
 * when it resolves: a value that would have been refused before registration fails the deployment with the
 * same {@link InvalidArgsError} (a value known now was checked with the other arguments, and passes again).
 * @param propertyPath its path in the arguments, such as `hosts[0]`
 * @internal
 */
export function checkedAtDeployment<T>(
  component: string,
  propertyPath: string,
  schema: z.ZodType,
  value: pulumi.Input<T>,
): pulumi.Output<T> {
  return pulumi.output(value).apply((resolved) => {
    const problems = argProblems(propertyPath, schema, resolved);
    if (problems.length > 0) throw new InvalidArgsError(component, problems);
    return resolved;
  }) as pulumi.Output<T>;
}

/**
 * The problems of the argument `key` against `schema`, none when it holds.
 * @internal
 */
export function argProblems(key: string, schema: z.ZodType, value: unknown): PropertyProblem[] {
  const result = schema.safeParse(value, { reportInput: true });
  return result.success ? [] : propertyProblemsOf(result.error.issues, key);
}

/**
 * Validates a part's arguments with the stack's own rules (`validate` throws a ValidationError of the stack's
 * schema), reporting them, and the problems `more` of its other arguments, as its invalid arguments.
 * @internal
 */
export function asArgs<T>(component: string, validate: () => T, more: readonly PropertyProblem[] = []): T {
  let value: T | undefined;
  const problems: PropertyProblem[] = [];
  try {
    value = validate();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(...error.properties);
  }
  problems.push(...more);
  if (problems.length > 0) throw new InvalidArgsError(component, problems);
  return value as T;
}
