/**
 * The driver's typed errors, each a {@link TenantstackError} of the one family (`schema/errors.ts`, re-exported
 * here) with a stable code. Each message says what went wrong and what to do next, in each surface's words
 * (`bySurface`: `message` is the API's, `messageOn(error, "cli")` the CLI's); none ever holds a secret value:
 * every message and problem passes the one redaction rule (`redact.ts`).
 */
import { bySurface, problemsMessage, type Surface, type SurfaceText, TenantstackError, textOn, ValidationError } from "../schema/errors";
// Loaded first: it adds the driver's known secrets to the rule every message of the family passes.
import { redact } from "./redact";

export {
  bySurface,
  errorCode,
  fromWire,
  messageOn,
  type PropertyProblem,
  type Surface,
  type SurfaceText,
  TenantstackError,
  type TenantstackErrorOptions,
  toWire,
  ValidationError,
  type WireError,
  wireMessageOn,
} from "../schema/errors";

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

/** The CLI's words of each InputError's problems. */
const cliProblems = new WeakMap<Error, readonly string[]>();

/** Input the driver refuses before touching any stack: a bad backend URL, a missing passphrase, a bad tenant. */
export class InputError extends ValidationError {
  /**
   * @param subject what was invalid, such as `tenant`
   * @param problems one line per problem, naming the field, the value and what is allowed, in the API's words
   * or in each surface's ({@link bySurface})
   * @param cli the CLI's words of each problem where they differ (as the wire form carries them)
   */
  constructor(subject: string, problems: readonly (string | SurfaceText)[], cli?: readonly (string | undefined)[]) {
    super(
      subject,
      problems.map((p) => textOn(p, "api")),
    );
    this.name = "InputError";
    const onCli = problems.map((p, i) => redact(cli?.[i] ?? textOn(p, "cli")));
    if (onCli.some((problem, i) => problem !== this.problems[i])) {
      cliProblems.set(this, onCli);
      this.sayOnCli(
        problemsMessage(
          subject,
          onCli.map((reason) => ({ propertyPath: "", reason })),
        ),
      );
    }
  }

  override wireArgs(): readonly unknown[] {
    const cli = cliProblems.get(this);
    return cli ? [this.subject, this.problems, cli] : [this.subject, this.problems];
  }
}

/** The problems of an InputError as `surface` says them. */
export function problemsOn(error: InputError, surface: Surface): readonly string[] {
  return (surface === "cli" ? cliProblems.get(error) : undefined) ?? error.problems;
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
  constructor(message: string | SurfaceText) {
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
    super(
      bySurface`Tenant "${tenant}" is not registered; list tenants with ${{
        cli: "`tenantstack tenant list`",
        api: "`GET /tenants` (the library's `driver.registry.list()`)",
      }}.`,
    );
    this.name = "TenantNotFoundError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.tenant];
  }
}

/** An operation id that the journal does not hold. */
export class OperationNotFoundError extends NotFoundError {
  constructor(readonly operation: string) {
    super(
      bySurface`Operation "${operation}" is not in the journal; list operations with ${{
        cli: "`tenantstack operation list`",
        api: "`GET /operations` (the library's `driver.journal.list()`)",
      }}.`,
    );
    this.name = "OperationNotFoundError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.operation];
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

  override wireArgs(): readonly unknown[] {
    return [this.stack];
  }
}

/** A request that the state of what it names refuses, such as cancelling an operation that is not running. */
export class ConflictError extends TenantstackError {
  constructor(message: string | SurfaceText) {
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

  override wireArgs(): readonly unknown[] {
    return [this.tenant, this.stack, this.resources, this.shared];
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
      bySurface`Stack "${stack}" has pending operations left by an interrupted update. Run ${recoverAdvice(stack)} (refresh with pending creates cleared) and retry.`,
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
      bySurface`Stack "${stack}" holds protected data (${resources.join(", ")}); nothing was destroyed. Back the data up, then destroy with ${{
        cli: "`--force-destroy-data`",
        api: "`forceDestroyData: true`",
      }}.`,
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
    // The CLI prints the exact command that resumes it after the message.
    super(
      "cancelled",
      {
        cli: `Operation ${operation} was cancelled.`,
        api: `Operation ${operation} was cancelled; resume it with ${resumeAdvice(operation).api}.`,
      },
      { retryable: true },
    );
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
      bySurface`Stack "${stack}" cannot be loaded: its checkpoint ${checkpoint} ${problem}, and the backend keeps no readable copy of it; copies examined:${examined}\nIts resources still run. Import a state you kept (the output of \`pulumi stack export\`): in ${workDir}, with PULUMI_BACKEND_URL set to the driver's backend, run \`pulumi stack import --stack ${stack} --file <state.json>\`, then ${recoverAdvice(stack)}.`,
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
  OperationNotFoundError,
  PassphraseIncorrectError,
  ConflictError,
  TenantExistsError,
  TenantStackLiveError,
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
