/**
 * The one error family: {@link TenantstackError} is the root of every error a user of the package can see,
 * each with a stable code (`stack_locked`, `invalid_input`), `retryable`, and a wire form ({@link WireError})
 * that crosses process and HTTP boundaries and is revived as the same class ({@link fromWire}). It lives in the
 * lowest layer, so that the schema's, the components' and the driver's errors all extend it; the driver maps
 * each code once to an exit code and an HTTP status (`automation/errorCodes.ts`).
 */
import { isReservedKey, RESERVED_KEYS_TEXT } from "./keys";
import { redact, redactDeep } from "./redact";

/**
 * A text in the words of each surface it is shown on: `cli` names the `tenantstack` CLI's commands
 * and flags; `api` names the fields and operations of the library and the HTTP API, which share one
 * input model (`forceDestroyData`, `{ "kind": "recover" }`), and never a CLI flag.
 */
export interface SurfaceText {
  readonly cli: string;
  readonly api: string;
}

/** Where a message is shown. */
export type Surface = keyof SurfaceText;

/**
 * A text whose parts name options or commands in each surface's words:
 * `` bySurface`destroy with ${{ cli: "`--force-destroy-data`", api: "`forceDestroyData: true`" }}` ``.
 */
export function bySurface(strings: TemplateStringsArray, ...parts: readonly (string | number | SurfaceText)[]): SurfaceText {
  const render = (surface: Surface) =>
    strings.reduce((text, piece, i) => {
      const part = parts[i - 1];
      return `${text}${typeof part === "object" ? part[surface] : String(part)}${piece}`;
    });
  return { cli: render("cli"), api: render("api") };
}

/** A text as `surface` says it. */
export function textOn(text: string | SurfaceText, surface: Surface): string {
  return typeof text === "string" ? text : text[surface];
}

/** The CLI's words of each error whose message differs there (`message` is the API's). */
const cliMessages = new WeakMap<Error, string>();

/** The code of every error outside the family (a bug, or a failure nothing recognised): exit 70, HTTP 500. */
export const INTERNAL_ERROR_CODE = "internal";

/** An error as it crosses a process or HTTP boundary: plain JSON that {@link fromWire} revives as the same class. */
export interface WireError {
  /** The class's name (`StackLockedError`): which class {@link fromWire} revives. */
  readonly name: string;
  /** The stable code (`stack_locked`); `internal` for an error outside the family. */
  readonly code: string;
  /** The message, redacted. */
  readonly message: string;
  /** Whether running the same request again, unchanged, may succeed. */
  readonly retryable: boolean;
  /** The arguments of the class's constructor that rebuild the error, redacted (empty outside the family). */
  readonly args: readonly unknown[];
}

/** Options of a {@link TenantstackError}. */
export interface TenantstackErrorOptions {
  /**
   * Whether running the same request again, unchanged, may succeed: a lock another operation holds, a dropped
   * connection, a killed process.
   * @default false
   */
  readonly retryable?: boolean;
}

/** A class of the family that {@link fromWire} revives: its constructor takes the error's {@link WireError.args}. */
type Revivable = new (...args: never[]) => TenantstackError;

/** The classes {@link fromWire} revives, by name. */
const revivable = new Map<string, Revivable>();

/** The wire arguments of errors revived without their class, passed on unchanged when they cross a boundary again. */
const unrevivedArgs = new WeakMap<TenantstackError, readonly unknown[]>();

/**
 * The root of every error tenantstack throws on purpose: a stable machine-readable `code` (also what the
 * driver maps to CLI exit codes and HTTP statuses), `retryable`, and a message that says what to do next,
 * redacted by the one rule (`redact.ts`). Each subclass sets its `name` to its class's name and lists its
 * constructor's arguments in {@link TenantstackError.wireArgs}, so that {@link TenantstackError.register}
 * lets {@link fromWire} rebuild it on the other side of a boundary.
 */
export class TenantstackError extends Error {
  /** A stable machine-readable code (`stack_locked`): the same on every surface and across versions. */
  readonly code: string;
  /** Whether running the same request again, unchanged, may succeed. */
  readonly retryable: boolean;

  /**
   * @param message in the API's words, or in each surface's ({@link bySurface}): `message` is the API's (the
   * library's and the HTTP API's, naming fields, never a CLI flag), {@link messageOn} gives the CLI's
   */
  constructor(code: string, message: string | SurfaceText, options: TenantstackErrorOptions = {}) {
    super(redact(textOn(message, "api")));
    this.name = "TenantstackError";
    this.code = code;
    this.retryable = options.retryable ?? false;
    if (typeof message !== "string") this.sayOnCli(message.cli);
  }

  /** Sets the CLI's words of this error's message, where they differ from the API's. */
  protected sayOnCli(message: string): void {
    const said = redact(message);
    if (said !== this.message) cliMessages.set(this, said);
  }

  /**
   * Registers classes of the family for {@link fromWire}, by their names: each instance's `name` must be its
   * class's name, and its {@link TenantstackError.wireArgs} its constructor's arguments.
   */
  static register(...types: Revivable[]): void {
    for (const type of types) revivable.set(type.name, type);
  }

  /** Revives an error from its wire form: see {@link fromWire}. */
  static fromJSON(wire: WireError): Error {
    const type = revivable.get(wire.name);
    if (type) {
      try {
        // JSON turns an argument left undefined into null.
        return new type(...(wire.args ?? []).map((arg) => (arg === null ? undefined : arg) as never));
      } catch {
        // Arguments that no longer fit the class (a wire form of another version): revived by code below.
      }
    }
    // A wire form written before codes were part of it has none.
    const code = (wire as Partial<WireError>).code ?? INTERNAL_ERROR_CODE;
    if (code === INTERNAL_ERROR_CODE) return Object.assign(new Error(wire.message), { name: wire.name });
    const error = new TenantstackError(code, wire.message, { retryable: wire.retryable === true });
    error.name = wire.name;
    if (wire.name !== "TenantstackError") unrevivedArgs.set(error, wire.args ?? []);
    return error;
  }

  /**
   * The arguments of this class's constructor that rebuild this error; each subclass lists its own. (An error
   * revived without its class, not registered in this process, keeps those of its wire form.)
   */
  wireArgs(): readonly unknown[] {
    return unrevivedArgs.get(this) ?? [this.code, this.message, { retryable: this.retryable }];
  }

  /** The wire form: `JSON.stringify(error)` writes it. */
  toJSON(): WireError {
    return {
      name: this.name,
      code: this.code,
      message: redact(this.message),
      retryable: this.retryable,
      args: redactDeep([...this.wireArgs()]),
    };
  }
}

/**
 * The message of `error` as `surface` shows it: the CLI's names its commands and flags, the API's
 * (the library's and the HTTP API's, the `message` itself) names fields and never a CLI flag.
 */
export function messageOn(error: unknown, surface: Surface): string {
  if (!(error instanceof Error)) return String(error);
  return (surface === "cli" ? cliMessages.get(error) : undefined) ?? error.message;
}

/**
 * Any error in its wire form, redacted: an error outside the family is `internal`, its message alone. The
 * message is in the words of `surface`; the arguments rebuild the error with every surface's words.
 */
export function toWire(error: unknown, surface: Surface = "api"): WireError {
  if (error instanceof TenantstackError) return { ...error.toJSON(), message: redact(messageOn(error, surface)) };
  const err = error instanceof Error ? error : new Error(String(error));
  return { name: err.name, code: INTERNAL_ERROR_CODE, message: redact(err.message), retryable: false, args: [] };
}

/** The message of an error in its wire form (an operation's result, a journal row) as `surface` shows it. */
export function wireMessageOn(wire: WireError, surface: Surface): string {
  return surface === "api" ? wire.message : messageOn(fromWire(wire), surface);
}

/**
 * The error back from its wire form: the same class when it is registered ({@link TenantstackError.register}),
 * else a TenantstackError of the same name, code and `retryable`; an `internal` one is a plain Error with its
 * name and message.
 */
export function fromWire(wire: WireError): Error {
  return TenantstackError.fromJSON(wire);
}

/** The stable code of any error: its own in the family, `internal` outside it. */
export function errorCode(error: unknown): string {
  return error instanceof TenantstackError ? error.code : INTERNAL_ERROR_CODE;
}

/** One problem with a setting: where it is, as the caller wrote it, and what is wrong. */
export interface PropertyProblem {
  /**
   * Path of the setting: keys joined by `.`, list indexes in brackets (`spec.storageGi`, `tenants[0]`); empty for a
   * problem whose reason names its fields itself (a line of an `InputError`).
   */
  readonly propertyPath: string;
  /** What is wrong and what is allowed, then the value received: `must be an integer between 1 and 65536 (got 0)`. */
  readonly reason: string;
}

/** A problem as one line of a message: the path in backticks, then the reason (the reason alone without a path). */
export function problemText(problem: PropertyProblem): string {
  return problem.propertyPath === "" ? problem.reason : `\`${problem.propertyPath}\` ${problem.reason}`;
}

/** A line of a message as a problem: a leading path in backticks apart, else the line as the reason. */
function problemOfLine(line: string): PropertyProblem {
  const match = /^`([^`]+)` ([\s\S]*)$/.exec(line);
  return match ? { propertyPath: match[1], reason: match[2] } : { propertyPath: "", reason: line };
}

/** The message listing every problem of `subject`, one line each. */
export function problemsMessage(subject: string, problems: readonly PropertyProblem[]): string {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  return `Invalid ${subject} (${count}):\n${problems.map((p) => `  - ${problemText(p)}`).join("\n")}`;
}

/** The code of invalid input, on every surface: exit 2, HTTP 400. */
export const INVALID_INPUT = "invalid_input";

/**
 * Invalid input, every problem reported at once (code `invalid_input`: CLI exit 2, HTTP 400, wherever it is
 * thrown): a stack's settings refused by the schema, or, as its subclasses, the driver's input (`InputError`)
 * and a component's arguments (`InvalidArgsError`).
 */
export class ValidationError extends TenantstackError {
  /** What was invalid, such as `tenantstack stack settings` or `tenant`. */
  readonly subject: string;
  /** One line per problem: the field path, what is wrong, and the value received. */
  readonly problems: readonly string[];
  /** The same problems, each with its path apart. */
  readonly properties: readonly PropertyProblem[];

  /** @param problems each a problem with its path, or a line naming its fields itself (`` `--tenant` is required ``) */
  constructor(subject: string, problems: readonly (PropertyProblem | string)[]) {
    const properties = problems.map((p) => {
      const problem = typeof p === "string" ? problemOfLine(p) : p;
      return { propertyPath: problem.propertyPath, reason: redact(problem.reason) };
    });
    super(INVALID_INPUT, problemsMessage(subject, properties));
    this.name = "ValidationError";
    this.subject = subject;
    this.problems = properties.map(problemText);
    this.properties = properties;
  }

  override wireArgs(): readonly unknown[] {
    return [this.subject, this.properties];
  }
}

TenantstackError.register(TenantstackError, ValidationError);

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

/** One problem with a value set as a secret: like {@link problem}, without the value. */
export function secretProblem(root: string, segments: readonly PropertyKey[], message: string, input: unknown): PropertyProblem {
  const path = propertyPath(root, segments);
  return { propertyPath: path, reason: input === undefined ? `is required: it ${message}` : `${message} ${SECRET_NOT_SHOWN}` };
}

/** One problem: the field path under `root`, what is wrong, and the value received (`undefined`: missing). */
export function problem(root: string, segments: readonly PropertyKey[], message: string, input: unknown): PropertyProblem {
  const path = propertyPath(root, segments);
  return { propertyPath: path, reason: input === undefined ? `is required: it ${message}` : `${message} (got ${received(input)})` };
}

/** Deepest nesting {@link reservedKeyProblems} looks into. */
const MAX_DEPTH = 32;

/**
 * A problem for every own reserved key (`__proto__`, `constructor`, `prototype`: see `keys.ts`) of the plain
 * objects in `input`, at any depth, named by its path under `root`. JSON.parse makes a `__proto__` key an own
 * key, which zod drops from a map without a word, and copying one into an object replaces its prototype; so
 * `input` is the value as given, before any schema copied it. Paths already in `reported` (an object's unknown
 * key) are left out. Objects of other classes (an Output, a Date, an AbortSignal) are not looked into. Every
 * surface runs it beside its schema: a stack's settings, a component's arguments, the driver's input.
 * @param input the value as given
 * @param root the path the problems are named under (`spec`, or `""` for none)
 * @param reported problems already found, whose paths are not reported again (default: none)
 */
export function reservedKeyProblems(input: unknown, root: string, reported: readonly PropertyProblem[] = []): PropertyProblem[] {
  const problems: PropertyProblem[] = [];
  const visit = (value: unknown, segments: PropertyKey[], depth: number) => {
    if (depth > MAX_DEPTH || value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, [...segments, index], depth + 1));
      return;
    }
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) return;
    for (const key of Object.keys(value)) {
      const path = propertyPath(root, [...segments, key]);
      if (isReservedKey(key) && !reported.some((p) => p.propertyPath === path)) {
        problems.push({ propertyPath: path, reason: `is not allowed: no key may be named ${RESERVED_KEYS_TEXT}` });
      }
      visit((value as Record<string, unknown>)[key], [...segments, key], depth + 1);
    }
  };
  visit(input, [], 0);
  return problems;
}
