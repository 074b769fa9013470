/**
 * The driver's typed errors, each a {@link TenantstackError} of the one family (`schema/errors.ts`, re-exported
 * here) with a stable code. Each message says what went wrong and what to do next; none ever holds a secret
 * value: every message and problem passes the one redaction rule (`redact.ts`).
 */
import { TenantstackError, ValidationError } from "../schema/errors";
// Loaded first: it adds the driver's known secrets to the rule every message of the family passes.
import "./redact";

export {
  errorCode,
  fromWire,
  type PropertyProblem,
  TenantstackError,
  type TenantstackErrorOptions,
  toWire,
  ValidationError,
  type WireError,
} from "../schema/errors";

/** Input the driver refuses before touching any stack: a bad backend URL, a missing passphrase, a bad tenant. */
export class InputError extends ValidationError {
  /**
   * @param subject what was invalid, such as `tenant`
   * @param problems one line per problem, naming the field, the value and what is allowed
   */
  constructor(subject: string, problems: readonly string[]) {
    super(subject, problems);
    this.name = "InputError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.subject, this.problems];
  }
}

/** An HTTP request without the API's bearer token, or with another. */
export class UnauthorizedError extends TenantstackError {
  constructor() {
    super("unauthorized", "a valid bearer token is required");
    this.name = "UnauthorizedError";
  }

  override wireArgs(): readonly unknown[] {
    return [];
  }
}

/** An HTTP request body larger than the API takes. */
export class PayloadTooLargeError extends TenantstackError {
  constructor(readonly limitBytes: number) {
    super("payload_too_large", `The request body must be at most ${limitBytes} bytes; send a smaller one.`);
    this.name = "PayloadTooLargeError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.limitBytes];
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

  override wireArgs(): readonly unknown[] {
    return [this.contentType];
  }
}

/** Something a request names that does not exist, such as an operation id the journal does not hold. */
export class NotFoundError extends TenantstackError {
  constructor(message: string) {
    super("not_found", message);
    this.name = "NotFoundError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.message];
  }
}

/** A tenant that the registry does not hold. */
export class TenantNotFoundError extends NotFoundError {
  constructor(readonly tenant: string) {
    super(`Tenant "${tenant}" is not registered; list tenants with \`tenantstack tenant list\`.`);
    this.name = "TenantNotFoundError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.tenant];
  }
}

/** A request that the state of what it names refuses, such as cancelling an operation that is not running. */
export class ConflictError extends TenantstackError {
  constructor(message: string) {
    super("conflict", message);
    this.name = "ConflictError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.message];
  }
}

/** A tenant name that the registry holds already. */
export class TenantExistsError extends ConflictError {
  constructor(readonly tenant: string) {
    super(`Tenant "${tenant}" is registered already; choose another name, or delete it first.`);
    this.name = "TenantExistsError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.tenant];
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
      { retryable: true },
    );
    this.name = "StackLockedError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.stack, this.holder];
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

  override wireArgs(): readonly unknown[] {
    return [this.stack];
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

  override wireArgs(): readonly unknown[] {
    return [this.stack, this.detail, this.applied];
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

  override wireArgs(): readonly unknown[] {
    return [this.stack, this.resources];
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

  override wireArgs(): readonly unknown[] {
    return [this.stack, this.operation, this.detail];
  }
}

/** A stack updated by a fleet upgrade whose workloads (or HTTP check) did not become healthy: later waves are not started. */
export class HealthGateError extends TenantstackError {
  constructor(
    readonly stack: string,
    /** What was not healthy. */
    readonly reason: string,
  ) {
    super("health_gate_failed", `Stack "${stack}" failed its health gate: ${reason}`);
    this.name = "HealthGateError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.stack, this.reason];
  }
}

/** An operation stopped by cancellation (SIGINT or the API). */
export class CancelledError extends TenantstackError {
  constructor(readonly operation: string) {
    super("cancelled", `Operation ${operation} was cancelled; re-run it with the same operation id to continue.`, { retryable: true });
    this.name = "CancelledError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.operation];
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
      { retryable: true },
    );
    this.name = "WorkerCrashedError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.stack, this.detail];
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

  override wireArgs(): readonly unknown[] {
    return [this.stack, this.checkpoint, this.problem, this.copies, this.workDir];
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
    super(
      "pulumi_cli_missing",
      `No Pulumi CLI found: ${toolchain}there is no \`pulumi\` on PATH (the driver never builds or downloads one). Do one of:${build}\n` +
        "  - set `pulumiPath` (CLI: `--pulumi PATH`) to a Pulumi CLI binary or the directory holding it,\n" +
        `  - install the Pulumi CLI ${cliVersion} on PATH` +
        (plugins.length > 0 ? ` with the resource plugin${plugins.length === 1 ? "" : "s"} ${plugins.join(", ")} (${install}).` : "."),
    );
    this.name = "PulumiCliNotFoundError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.checkout, this.problem, this.cliVersion, this.plugins];
  }
}

TenantstackError.register(
  InputError,
  UnauthorizedError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  NotFoundError,
  TenantNotFoundError,
  ConflictError,
  TenantExistsError,
  StackLockedError,
  PendingOperationsError,
  PlanMismatchError,
  ProtectedResourcesError,
  StackOperationError,
  HealthGateError,
  CancelledError,
  WorkerCrashedError,
  CheckpointUnreadableError,
  PulumiCliNotFoundError,
);
