/**
 * The driver's typed errors. Each message says what went wrong and what to do next; none ever holds a
 * secret value: every message and problem passes the one redaction rule (`redact.ts`).
 */
import { ValidationError } from "../schema/errors";
import { redact, redactDeep } from "./redact";

/** The base of every error the driver throws on purpose. */
export class TenantstackError extends Error {
  /** A stable machine-readable code, also used for CLI exit codes and HTTP statuses. */
  readonly code: string;

  constructor(code: string, message: string) {
    super(redact(message));
    this.name = "TenantstackError";
    this.code = code;
  }
}

/** Input the driver refuses before touching any stack: a bad backend URL, a missing passphrase, a bad tenant. */
export class InputError extends TenantstackError {
  /** One line per problem, naming the field, the value and what is allowed. */
  readonly problems: readonly string[];

  constructor(
    /** What was invalid, such as `tenant`. */
    readonly subject: string,
    problems: readonly string[],
  ) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super("invalid_input", `Invalid ${subject} (${count}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "InputError";
    this.problems = problems.map((p) => redact(p));
  }
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
    super("not_found", `Tenant "${tenant}" is not registered; list tenants with \`tenantstack tenant list\`.`);
    this.name = "TenantNotFoundError";
  }
}

/**
 * A tenant name that the registry holds already; when it was given again with other fields (a
 * provision repeated with changes), `differences` names each field that differs.
 */
export class TenantExistsError extends TenantstackError {
  constructor(
    readonly tenant: string,
    /** Each field that differs from the registered tenant: `` `version` is "2.5.0" (given "2.4.1") ``. */
    readonly differences: readonly string[] = [],
  ) {
    super(
      "conflict",
      differences.length === 0
        ? `Tenant "${tenant}" is registered already; choose another name, or delete it first.`
        : `Tenant "${tenant}" is registered already with other fields (${differences.length === 1 ? "1 difference" : `${differences.length} differences`}):\n` +
            `${differences.map((d) => `  - ${d}`).join("\n")}\n` +
            "Provisioning it again with the fields it has changes nothing (a fleet upgrade changes its version, a migration its plan, " +
            "cluster and settings); repeating the operation id of its first provision repeats that one.",
    );
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
    const optIn = shared
      ? "delete it with the `destroy` option (CLI `--destroy`, HTTP `?destroy=true`): the shared stack is updated without it (or destroyed, were it the last tenant), then it is deleted, in one journaled operation"
      : `destroy the stack first (\`tenantstack destroy --tenant ${tenant}\`), or delete it with the \`destroy\` option (CLI \`--destroy\`, HTTP \`?destroy=true\`), which destroys the stack, then deletes it, in one journaled operation`;
    super(
      "stack_live",
      `Tenant "${tenant}" ${what}, which is live (${resources} resource${resources === 1 ? "" : "s"}); nothing was deleted. To delete it, ${optIn}. ` +
        "A stack holding protected data (Postgres, Redis) is destroyed only with `forceDestroyData` as well (CLI `--force-destroy-data`).",
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
      `Stack "${stack}" is being updated by ${holder}. Wait for it to finish; if that driver is gone, run \`tenantstack recover ${stack}\` ` +
        "(cancels the lock, clears pending operations, refreshes).",
    );
    this.name = "StackLockedError";
  }
}

/** A stack whose state lists operations that a crashed update left pending. */
export class PendingOperationsError extends TenantstackError {
  constructor(readonly stack: string) {
    super(
      "pending_operations",
      `Stack "${stack}" has pending operations left by an interrupted update. Run \`tenantstack recover ${stack}\` ` +
        "(refresh with pending creates cleared) and retry.",
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
      `Stack "${stack}" holds protected data (${resources.join(", ")}); nothing was destroyed. Back the data up, then destroy with --force-destroy-data.`,
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
    super("cancelled", `Operation ${operation} was cancelled; re-run it with the same operation id to continue.`);
    this.name = "CancelledError";
  }
}

/**
 * An operation that ran and did not succeed. The driver's operations resolve with a result whatever
 * happened to each stack (a failed stack is a status in it, not a rejection), so a script that does not
 * read the result goes on as if all went well; {@link assertSucceeded} throws this instead.
 */
export class OperationFailedError extends TenantstackError {
  constructor(
    readonly operationId: string,
    /** The operation: `up`, `provision`, `fleet-upgrade`, `migrate`, `gc`, ... */
    readonly kind: string,
    /** Its status: `failed`, `rolled-back` (a migration), `cancelled`. */
    readonly status: string,
    /** What failed, each with its error (at most 20 lines, indented): `dev-acme: failed: up of stack "dev-acme" failed: ...`. */
    readonly failures: readonly string[],
    /** The operation's whole result (in this process only: it does not cross a process boundary). */
    readonly result?: unknown,
  ) {
    const count = failures.length === 1 ? "1 failure" : `${failures.length} failures`;
    super(
      "failed",
      `Operation ${operationId} (${kind}) ${status} (${count}):\n${failures.map((f) => `  - ${f}`).join("\n")}\n` +
        `Each error is in the operation's result (this error's \`result\`, or \`tenantstack operation show ${operationId}\`); ` +
        "fix the cause, then re-run the operation id to resume (finished steps are not run again).",
    );
    this.name = "OperationFailedError";
  }
}

/**
 * Data servers a migration needs that cannot be used as the data plane gives them: unreachable,
 * refusing the login, or without the tenant's database. Nothing was changed.
 */
export class DataServerError extends TenantstackError {
  constructor(
    /** One line per server: its side, stack, `host:port` (never a URL), what is wrong and what to do. */
    readonly problems: readonly string[],
  ) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(
      "data_server_unavailable",
      `The data servers of the migration cannot be used (${count}):\n${problems.map((p) => `  - ${p}`).join("\n")}\n` +
        "Nothing was changed. The data plane maps each stack to the URLs of its Postgres and Redis servers as this driver reaches them " +
        '(automation/README.md, "A data plane"); fix it or the servers, then run the migration again.',
    );
    this.name = "DataServerError";
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
      `Stack "${stack}" cannot be loaded: its checkpoint ${checkpoint} ${problem}, and the backend keeps no readable copy of it; copies examined:${examined}\n` +
        `Its resources still run. Import a state you kept (the output of \`pulumi stack export\`): in ${workDir}, with PULUMI_BACKEND_URL set to the ` +
        `driver's backend, run \`pulumi stack import --stack ${stack} --file <state.json>\`, then \`tenantstack recover ${stack}\`.`,
    );
    this.name = "CheckpointUnreadableError";
  }
}

/** A resource plugin the package's program needs of the engine. */
export interface EnginePlugin {
  /** Its name: `kubernetes`, `random`, `aws`. */
  readonly name: string;
  /** Its version: that of the program's npm package of the provider. */
  readonly version: string;
  /**
   * When the program needs it.
   * @default - always
   */
  readonly when?: string;
}

/**
 * What the engine needs besides the CLI, and how to get it without automatic downloads (the driver
 * turns them off): the plugins of Pulumi's release archive, and each resource plugin of `plugins`.
 */
function enginePluginAdvice(plugins: readonly EnginePlugin[]): string {
  const resources = plugins.map(
    (p) =>
      `\n  - pulumi-resource-${p.name} ${p.version}${p.when ? `, ${p.when}` : ""}: \`pulumi plugin install resource ${p.name} ${p.version}\``,
  );
  return (
    "The engine also needs these plugins, found beside the CLI, on PATH, or installed in PULUMI_HOME (`pulumiHome`):\n" +
    "  - pulumi-resource-pulumi-nodejs (the program's dynamic resources) and pulumi-language-nodejs (a program run as a local " +
    "one, `inlineProgram: false`, or by hand): beside the CLI in Pulumi's release archive" +
    resources.join("")
  );
}

/**
 * No Pulumi CLI to run: no `pulumiPath`, no usable toolchain built in the checkout, and no `pulumi` on
 * PATH. The driver never builds or downloads one; the message lists what to run, and the plugins the
 * engine needs besides.
 */
export class PulumiCliNotFoundError extends TenantstackError {
  constructor(
    /** The checkout whose toolchain was looked up, or undefined for the installed package. */
    readonly checkout: string | undefined,
    /** Why that toolchain cannot be used, as the end of a sentence ("is not built ..."). */
    readonly problem: string | undefined,
    /** The Pulumi CLI version the package's SDK is pinned to. */
    readonly cliVersion: string,
    /** The resource plugins the program needs. */
    readonly plugins: readonly EnginePlugin[],
  ) {
    const toolchain = checkout !== undefined ? `the toolchain of the checkout ${checkout} ${problem ?? "cannot be used"}, and ` : "";
    const build =
      checkout !== undefined
        ? `\n  - run \`npm run toolchain\` in ${checkout} (builds it from Go modules: many minutes the first time),`
        : "";
    super(
      "pulumi_cli_missing",
      `No Pulumi CLI found: ${toolchain}there is no \`pulumi\` on PATH (the driver never builds or downloads one). Do one of:${build}\n` +
        "  - set `pulumiPath` (CLI: `--pulumi PATH`) to a Pulumi CLI binary or the directory holding it,\n" +
        `  - install the Pulumi CLI ${cliVersion} on PATH.\n${enginePluginAdvice(plugins)}`,
    );
    this.name = "PulumiCliNotFoundError";
  }
}

/**
 * A plugin the engine needs and did not find: the driver runs it with automatic plugin downloads off
 * (`PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION`), so each must be installed or on PATH beforehand.
 */
export class PulumiPluginMissingError extends TenantstackError {
  constructor(
    readonly stack: string,
    /** `resource` or `language`. */
    readonly kind: string,
    /** Its name: `kubernetes`, `nodejs`. */
    readonly plugin: string,
    /** The version the engine asked for, when it named one. */
    readonly version: string | undefined,
    /** The resource plugins the program needs. */
    readonly plugins: readonly EnginePlugin[],
  ) {
    const install =
      kind === "resource" && version !== undefined
        ? `install it with \`pulumi plugin install resource ${plugin} ${version}\`, or put pulumi-resource-${plugin} on PATH or beside the CLI`
        : `put pulumi-${kind}-${plugin} beside the CLI (\`pulumiPath\`) or on PATH`;
    super(
      "pulumi_plugin_missing",
      `Stack "${stack}" needs the engine's ${kind} plugin pulumi-${kind}-${plugin}${version !== undefined ? ` ${version}` : ""}, which it did not find ` +
        `(the driver never downloads plugins): ${install}, then re-run.\n${enginePluginAdvice(plugins)}`,
    );
    this.name = "PulumiPluginMissingError";
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
    make: (subject: string, problems: string[]) => new InputError(subject, problems),
    args: (e: InputError) => [e.subject, e.problems],
  },
  TenantNotFoundError: { make: (t: string) => new TenantNotFoundError(t), args: (e: TenantNotFoundError) => [e.tenant] },
  TenantExistsError: {
    make: (t: string, d: string[]) => new TenantExistsError(t, d),
    args: (e: TenantExistsError) => [e.tenant, e.differences],
  },
  TenantStackLiveError: {
    make: (t: string, s: string, r: number, shared: boolean) => new TenantStackLiveError(t, s, r, shared),
    args: (e: TenantStackLiveError) => [e.tenant, e.stack, e.resources, e.shared],
  },
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
  DataServerError: { make: (p: string[]) => new DataServerError(p), args: (e: DataServerError) => [e.problems] },
  OperationFailedError: {
    make: (o: string, k: string, s: string, f: string[]) => new OperationFailedError(o, k, s, f),
    args: (e: OperationFailedError) => [e.operationId, e.kind, e.status, e.failures],
  },
  WorkerCrashedError: {
    make: (s: string, d: string) => new WorkerCrashedError(s, d),
    args: (e: WorkerCrashedError) => [e.stack, e.detail],
  },
  PulumiCliNotFoundError: {
    make: (c: string | null, p: string | null, v: string, plugins: EnginePlugin[]) =>
      new PulumiCliNotFoundError(c ?? undefined, p ?? undefined, v, plugins),
    args: (e: PulumiCliNotFoundError) => [e.checkout ?? null, e.problem ?? null, e.cliVersion, e.plugins],
  },
  PulumiPluginMissingError: {
    make: (s: string, k: string, p: string, v: string | null, plugins: EnginePlugin[]) =>
      new PulumiPluginMissingError(s, k, p, v ?? undefined, plugins),
    args: (e: PulumiPluginMissingError) => [e.stack, e.kind, e.plugin, e.version ?? null, e.plugins],
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

/** An error in a form that survives IPC or JSON, redacted. */
export function toWire(error: unknown): WireError {
  const reported = asReported(error);
  const err = reported instanceof Error ? reported : new Error(String(reported));
  const entry = WIRE[err.name];
  return { name: err.name, args: entry ? (entry.args(err as never) as unknown[]).map(redactDeep) : [], message: redact(err.message) };
}

/** The typed error back from its wire form (an unknown one becomes a plain Error with its message). */
export function fromWire(wire: WireError): Error {
  const entry = WIRE[wire.name];
  return entry ? entry.make(...(wire.args as never[])) : Object.assign(new Error(wire.message), { name: wire.name });
}
