/**
 * The driver's typed errors. Each message says what went wrong and what to do next; none ever holds a
 * secret value: every message and problem passes the one redaction rule (`redact.ts`).
 */
import { ValidationError } from "../schema/errors";
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
function textOn(text: string | SurfaceText, surface: Surface): string {
  return typeof text === "string" ? text : text[surface];
}

/** How to resume operation `id`, as each surface says it. */
export function resumeAdvice(id: string): SurfaceText {
  return {
    cli: `\`tenantstack operation resume ${id}\``,
    api: `a re-run with \`operationId\` "${id}" (HTTP: \`POST /operations/${id}/resume\`)`,
  };
}

/** How to recover `stack`, as each surface says it. */
export function recoverAdvice(stack: string): SurfaceText {
  return {
    cli: `\`tenantstack recover ${stack}\``,
    api: `a \`recover\` operation (\`{ "kind": "recover", "stack": "${stack}" }\`, the library's \`driver.recover("${stack}")\`)`,
  };
}

/** The CLI's words of each error whose message differs there (`message` is the API's). */
const cliMessages = new WeakMap<Error, string>();

/** The base of every error the driver throws on purpose. */
export class TenantstackError extends Error {
  /** A stable machine-readable code, also used for CLI exit codes and HTTP statuses. */
  readonly code: string;

  /** `message` names fields and operations as the library and the HTTP API take them; the CLI has its own words ({@link messageOn}). */
  constructor(code: string, message: string | SurfaceText) {
    super(redact(textOn(message, "api")));
    this.name = "TenantstackError";
    this.code = code;
    if (typeof message !== "string" && message.cli !== message.api) cliMessages.set(this, redact(message.cli));
  }
}

/**
 * The message of `error` as `surface` shows it: the CLI's names its commands and flags, the API's
 * (the library's and the HTTP API's, the `message` itself) names fields and never a CLI flag.
 */
export function messageOn(error: unknown, surface: Surface): string {
  const reported = asReported(error);
  if (!(reported instanceof Error)) return String(reported);
  return (surface === "cli" ? cliMessages.get(reported) : undefined) ?? reported.message;
}

/** The message of an error in its wire form (an operation's result, a journal row) as `surface` shows it. */
export function wireMessageOn(wire: WireError, surface: Surface): string {
  return surface === "api" ? wire.message : messageOn(fromWire(wire), surface);
}

/** The CLI's words of each InputError's problems. */
const cliProblems = new WeakMap<Error, readonly string[]>();

/** Input the driver refuses before touching any stack: a bad backend URL, a missing passphrase, a bad tenant. */
export class InputError extends TenantstackError {
  /** One line per problem, naming the field, the value and what is allowed (in the API's words). */
  readonly problems: readonly string[];

  constructor(
    /** What was invalid, such as `tenant`. */
    readonly subject: string,
    problems: readonly (string | SurfaceText)[],
  ) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    const text = (surface: Surface) => `Invalid ${subject} (${count}):\n${problems.map((p) => `  - ${textOn(p, surface)}`).join("\n")}`;
    super("invalid_input", { cli: text("cli"), api: text("api") });
    this.name = "InputError";
    this.problems = problems.map((p) => redact(textOn(p, "api")));
    cliProblems.set(
      this,
      problems.map((p) => redact(textOn(p, "cli"))),
    );
  }
}

/** The problems of an InputError as `surface` says them. */
export function problemsOn(error: InputError, surface: Surface): readonly string[] {
  return (surface === "cli" ? cliProblems.get(error) : undefined) ?? error.problems;
}

/** An HTTP request body larger than the API takes. */
export class PayloadTooLargeError extends TenantstackError {
  constructor(readonly limitBytes: number) {
    super("payload_too_large", `The request body must be at most ${limitBytes} bytes; send a smaller one.`);
    this.name = "PayloadTooLargeError";
  }
}

/** An HTTP request body that is not JSON. */
export class UnsupportedMediaTypeError extends TenantstackError {
  constructor(readonly contentType: string) {
    super(
      "unsupported_media_type",
      `The request body must be JSON sent as \`Content-Type: application/json\` (got "${contentType.slice(0, 100)}").`,
    );
    this.name = "UnsupportedMediaTypeError";
  }
}

/** A tenant that the registry does not hold. */
export class TenantNotFoundError extends TenantstackError {
  constructor(readonly tenant: string) {
    super(
      "not_found",
      bySurface`Tenant "${tenant}" is not registered; list tenants with ${{
        cli: "`tenantstack tenant list`",
        api: "`GET /tenants` (the library's `driver.registry.list()`)",
      }}.`,
    );
    this.name = "TenantNotFoundError";
  }
}

/** An operation id that the journal does not hold. */
export class OperationNotFoundError extends TenantstackError {
  constructor(readonly operation: string) {
    super(
      "not_found",
      bySurface`Operation "${operation}" is not in the journal; list operations with ${{
        cli: "`tenantstack operation list`",
        api: "`GET /operations` (the library's `driver.journal.list()`)",
      }}.`,
    );
    this.name = "OperationNotFoundError";
  }
}

/**
 * A passphrase that does not unlock a stack's secrets: the stack was created with another one (its
 * salt, in `Pulumi.<stack>.yaml` of its work directory, belongs to that one). Nothing was changed.
 */
export class PassphraseIncorrectError extends TenantstackError {
  constructor(readonly stack: string) {
    super(
      "passphrase_incorrect",
      bySurface`The passphrase does not unlock the secrets of stack "${stack}": it was created with another one, and nothing was changed. Set ${{
        cli: "TENANTSTACK_PASSPHRASE",
        api: "`workspace.passphrase` (or TENANTSTACK_PASSPHRASE)",
      }} to the passphrase the stack was created with; a lost passphrase cannot be recovered (the stack's secrets must then be set again).`,
    );
    this.name = "PassphraseIncorrectError";
  }
}

/** A tenant name that the registry holds already. */
export class TenantExistsError extends TenantstackError {
  constructor(readonly tenant: string) {
    super("conflict", `Tenant "${tenant}" is registered already; choose another name, or delete it first.`);
    this.name = "TenantExistsError";
  }
}

/**
 * A tenant whose stack is live (it holds resources), refused by a delete without the `destroy` option:
 * deleting only its registration would strand the stack (no operation could reach it any more).
 */
export class TenantStackLiveError extends TenantstackError {
  constructor(
    readonly tenant: string,
    /** The stack serving it. */
    readonly stack: string,
    /** The resources the stack holds, as `pulumi stack ls` counts them. */
    readonly resources: number,
    /** Whether it is a shared stack (of other tenants too). */
    readonly shared: boolean,
  ) {
    const what = shared ? `is in the shared stack "${stack}"` : `has a stack of its own, "${stack}"`;
    const withDestroy = { cli: "`--destroy`", api: `\`destroy: true\` (HTTP \`DELETE /tenants/${tenant}?destroy=true\`)` };
    const optIn = shared
      ? bySurface`delete it with ${withDestroy}: the shared stack is updated without it (or destroyed, were it the last tenant), then it is deleted, in one journaled operation`
      : bySurface`destroy the stack first (${{
          cli: `\`tenantstack destroy --tenant ${tenant}\``,
          api: `a \`destroy\` operation: \`{ "kind": "destroy", "tenants": ["${tenant}"] }\``,
        }}), or delete it with ${withDestroy}, which destroys the stack, then deletes it, in one journaled operation`;
    super(
      "stack_live",
      bySurface`Tenant "${tenant}" ${what}, which is live (${resources} resource${resources === 1 ? "" : "s"}); nothing was deleted. To delete it, ${optIn}. A stack holding protected data (Postgres, Redis) is destroyed only with ${{
        cli: "`--force-destroy-data`",
        api: "`forceDestroyData: true`",
      }} as well.`,
    );
    this.name = "TenantStackLiveError";
  }
}

/**
 * A stack that another operation is updating: another driver holds its lease, or the engine reports a
 * concurrent update. A lock left by a crashed driver is recovered automatically once its holder is
 * known dead; otherwise wait, or recover by hand: `tenantstack recover <stack>` cancels the engine's
 * lock, clears pending operations and refreshes the stack.
 */
export class StackLockedError extends TenantstackError {
  constructor(
    readonly stack: string,
    readonly holder: string,
  ) {
    super(
      "stack_locked",
      bySurface`Stack "${stack}" is being updated by ${holder}. Wait for it to finish; if that driver is gone, run ${recoverAdvice(stack)} (cancels the lock, clears pending operations, refreshes).`,
    );
    this.name = "StackLockedError";
  }
}

/** A stack whose state lists operations that a crashed update left pending. */
export class PendingOperationsError extends TenantstackError {
  constructor(readonly stack: string) {
    super(
      "pending_operations",
      bySurface`Stack "${stack}" has pending operations left by an interrupted update. Run ${recoverAdvice(stack)} (refresh with pending creates cleared) and retry.`,
    );
    this.name = "PendingOperationsError";
  }
}

/** A saved plan that no longer matches the program and config: nothing was applied. */
export class PlanMismatchError extends TenantstackError {
  constructor(
    readonly stack: string,
    /** The resources that left the plan and the names of what changed, never their values. */
    readonly detail: string,
    /** How many resources the update had changed, as planned, before it stopped at the deviation. */
    readonly applied = 0,
  ) {
    super(
      "plan_mismatch",
      `Stack "${stack}" no longer matches the previewed plan: the update stopped at the first deviation, ` +
        (applied === 0
          ? "nothing had been changed. "
          : `after ${applied} resource${applied === 1 ? "" : "s"} had been changed as planned. `) +
        `Preview again and approve the new plan.\n${detail}`,
    );
    this.name = "PlanMismatchError";
  }
}

/** A destroy refused because the stack holds protected data. */
export class ProtectedResourcesError extends TenantstackError {
  constructor(
    readonly stack: string,
    readonly resources: readonly string[],
  ) {
    super(
      "protected",
      bySurface`Stack "${stack}" holds protected data (${resources.join(", ")}); nothing was destroyed. Back the data up, then destroy with ${{
        cli: "`--force-destroy-data`",
        api: "`forceDestroyData: true`",
      }}.`,
    );
    this.name = "ProtectedResourcesError";
  }
}

/** An engine operation that failed; `detail` is the engine's output with secrets redacted by the engine. */
export class StackOperationError extends TenantstackError {
  constructor(
    readonly stack: string,
    readonly operation: string,
    readonly detail: string,
  ) {
    super("operation_failed", `${operation} of stack "${stack}" failed:\n${detail}`);
    this.name = "StackOperationError";
  }
}

/** An operation stopped by cancellation (SIGINT or the API). */
export class CancelledError extends TenantstackError {
  constructor(readonly operation: string) {
    // The CLI prints the exact command that resumes it after the message.
    super("cancelled", {
      cli: `Operation ${operation} was cancelled.`,
      api: `Operation ${operation} was cancelled; resume it with ${resumeAdvice(operation).api}.`,
    });
    this.name = "CancelledError";
  }
}

/** A worker process that died (crash, kill, timeout) before finishing its stack job; its stack needs recovery. */
export class WorkerCrashedError extends TenantstackError {
  constructor(
    readonly stack: string,
    readonly detail: string,
  ) {
    super(
      "worker_crashed",
      `The worker running stack "${stack}" died: ${detail}. Other stacks were not affected; re-run to recover and retry it.`,
    );
    this.name = "WorkerCrashedError";
  }
}

/**
 * A stack whose checkpoint in the file backend cannot be loaded, with no readable copy in the backend
 * to restore it from (its `.bak`, the history's and the backups' checkpoints were all examined). Its
 * resources still run; only a state kept elsewhere can bring it back.
 */
export class CheckpointUnreadableError extends TenantstackError {
  constructor(
    readonly stack: string,
    /** The checkpoint file. */
    readonly checkpoint: string,
    /** Why it cannot be loaded. */
    readonly problem: string,
    /** Each copy examined, with why it cannot be loaded either. */
    readonly copies: readonly string[],
    /** The stack's work directory, where the CLI runs for it. */
    readonly workDir: string,
  ) {
    const examined = copies.length > 0 ? copies.map((copy) => `\n  - ${copy}`).join("") : " none exists";
    super(
      "checkpoint_unreadable",
      bySurface`Stack "${stack}" cannot be loaded: its checkpoint ${checkpoint} ${problem}, and the backend keeps no readable copy of it; copies examined:${examined}\nIts resources still run. Import a state you kept (the output of \`pulumi stack export\`): in ${workDir}, with PULUMI_BACKEND_URL set to the driver's backend, run \`pulumi stack import --stack ${stack} --file <state.json>\`, then ${recoverAdvice(stack)}.`,
    );
    this.name = "CheckpointUnreadableError";
  }
}

/**
 * No Pulumi CLI to run: no `pulumiPath`, no usable toolchain built in the checkout, and no `pulumi` on
 * PATH. The driver never builds or downloads one; the message lists what to run.
 */
export class PulumiCliNotFoundError extends TenantstackError {
  constructor(
    /** The checkout whose toolchain was looked up, or undefined for the installed package. */
    readonly checkout: string | undefined,
    /** Why that toolchain cannot be used, as the end of a sentence ("is not built ..."). */
    readonly problem: string | undefined,
    /** The Pulumi CLI version the package's SDK is pinned to. */
    readonly cliVersion: string,
    /** The resource plugins the program needs, each `<name> <version>`. */
    readonly plugins: readonly string[],
  ) {
    const toolchain = checkout !== undefined ? `the toolchain of the checkout ${checkout} ${problem ?? "cannot be used"}, and ` : "";
    const build =
      checkout !== undefined
        ? `\n  - run \`npm run toolchain\` in ${checkout} (builds it from Go modules: many minutes the first time),`
        : "";
    const install = plugins.map((plugin) => `\`pulumi plugin install resource ${plugin}\``).join(", ");
    const onPath =
      `  - install the Pulumi CLI ${cliVersion} on PATH` +
      (plugins.length > 0 ? ` with the resource plugin${plugins.length === 1 ? "" : "s"} ${plugins.join(", ")} (${install}).` : ".");
    super(
      "pulumi_cli_missing",
      bySurface`No Pulumi CLI found: ${toolchain}there is no \`pulumi\` on PATH (the driver never builds or downloads one). Do one of:${build}
  - set ${{ cli: "`--pulumi PATH`", api: "`pulumiPath`" }} to a Pulumi CLI binary or the directory holding it,
${onPath}`,
    );
    this.name = "PulumiCliNotFoundError";
  }
}

/** An error as it crosses a process boundary: its class name and constructor arguments. */
export interface WireError {
  readonly name: string;
  readonly args: readonly unknown[];
  readonly message: string;
}

/** The constructor arguments of each error class, for {@link toWire} and {@link fromWire}. */
const WIRE: Record<string, { make: (...args: never[]) => TenantstackError; args: (error: never) => unknown[] }> = {
  InputError: {
    make: (subject: string, problems: string[], cli?: string[]) =>
      new InputError(
        subject,
        problems.map((api, i) => (cli?.[i] !== undefined && cli[i] !== api ? { api, cli: cli[i] } : api)),
      ),
    args: (e: InputError) => {
      const cli = problemsOn(e, "cli");
      return cli.some((problem, i) => problem !== e.problems[i]) ? [e.subject, e.problems, cli] : [e.subject, e.problems];
    },
  },
  TenantNotFoundError: { make: (t: string) => new TenantNotFoundError(t), args: (e: TenantNotFoundError) => [e.tenant] },
  TenantStackLiveError: {
    make: (t: string, s: string, r: number, shared: boolean) => new TenantStackLiveError(t, s, r, shared),
    args: (e: TenantStackLiveError) => [e.tenant, e.stack, e.resources, e.shared],
  },
  OperationNotFoundError: { make: (o: string) => new OperationNotFoundError(o), args: (e: OperationNotFoundError) => [e.operation] },
  PassphraseIncorrectError: { make: (s: string) => new PassphraseIncorrectError(s), args: (e: PassphraseIncorrectError) => [e.stack] },
  StackLockedError: { make: (s: string, h: string) => new StackLockedError(s, h), args: (e: StackLockedError) => [e.stack, e.holder] },
  PendingOperationsError: { make: (s: string) => new PendingOperationsError(s), args: (e: PendingOperationsError) => [e.stack] },
  PlanMismatchError: {
    make: (s: string, d: string, a: number) => new PlanMismatchError(s, d, a),
    args: (e: PlanMismatchError) => [e.stack, e.detail, e.applied],
  },
  ProtectedResourcesError: {
    make: (s: string, r: string[]) => new ProtectedResourcesError(s, r),
    args: (e: ProtectedResourcesError) => [e.stack, e.resources],
  },
  StackOperationError: {
    make: (s: string, o: string, d: string) => new StackOperationError(s, o, d),
    args: (e: StackOperationError) => [e.stack, e.operation, e.detail],
  },
  CancelledError: { make: (o: string) => new CancelledError(o), args: (e: CancelledError) => [e.operation] },
  WorkerCrashedError: {
    make: (s: string, d: string) => new WorkerCrashedError(s, d),
    args: (e: WorkerCrashedError) => [e.stack, e.detail],
  },
  PulumiCliNotFoundError: {
    make: (c: string | null, p: string | null, v: string, plugins: string[]) =>
      new PulumiCliNotFoundError(c ?? undefined, p ?? undefined, v, plugins),
    args: (e: PulumiCliNotFoundError) => [e.checkout ?? null, e.problem ?? null, e.cliVersion, e.plugins],
  },
  CheckpointUnreadableError: {
    make: (s: string, c: string, p: string, copies: string[], w: string) => new CheckpointUnreadableError(s, c, p, copies, w),
    args: (e: CheckpointUnreadableError) => [e.stack, e.checkpoint, e.problem, e.copies, e.workDir],
  },
};

/**
 * The error a surface reports for `error`: the schema's ValidationError (a stack's settings refused)
 * becomes the InputError it is, so that it is invalid input (exit 2, HTTP 400) on every surface.
 */
export function asReported(error: unknown): unknown {
  if (!(error instanceof ValidationError)) return error;
  const subject = /^Invalid (.+?) \(\d+ problems?\)/.exec(error.message)?.[1] ?? "settings";
  return new InputError(subject, error.problems);
}

/** The stable code of an error as reported: its own for the driver's errors, `internal` for anything else. */
export function errorCode(error: unknown): string {
  const reported = asReported(error);
  return reported instanceof TenantstackError ? reported.code : "internal";
}

/**
 * An error in a form that survives IPC or JSON, redacted; its `message` in the words of `surface` (its
 * arguments rebuild it with every surface's words).
 */
export function toWire(error: unknown, surface: Surface = "api"): WireError {
  const reported = asReported(error);
  const err = reported instanceof Error ? reported : new Error(String(reported));
  const entry = WIRE[err.name];
  return {
    name: err.name,
    args: entry ? (entry.args(err as never) as unknown[]).map(redactDeep) : [],
    message: redact(messageOn(err, surface)),
  };
}

/** The typed error back from its wire form (an unknown one becomes a plain Error with its message). */
export function fromWire(wire: WireError): Error {
  const entry = WIRE[wire.name];
  return entry ? entry.make(...(wire.args as never[])) : Object.assign(new Error(wire.message), { name: wire.name });
}
