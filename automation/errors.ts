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

/**
 * A tenant name that the registry holds already; when it was given again with other fields (a
 * provision repeated with changes), `differences` names each field that differs.
 */
export class TenantExistsError extends ConflictError {
  constructor(
    readonly tenant: string,
    /** Each field that differs from the registered tenant: `` `version` is "2.5.0" (given "2.4.1") ``. */
    readonly differences: readonly string[] = [],
  ) {
    super(
      differences.length === 0
        ? `Tenant "${tenant}" is registered already; choose another name, or delete it first.`
        : `Tenant "${tenant}" is registered already with other fields (${differences.length === 1 ? "1 difference" : `${differences.length} differences`}):\n` +
            `${differences.map((d) => `  - ${d}`).join("\n")}\n` +
            "Provisioning it again with the fields it has changes nothing (a fleet upgrade changes its version, a migration its plan, " +
            "cluster and settings); repeating the operation id of its first provision repeats that one.",
    );
    this.name = "TenantExistsError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.tenant, this.differences];
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

/**
 * An operation that another driver (sharing the database) is running: it holds the operation's lease and
 * renews it. A driver that stops renewing it (killed, its host lost) loses it once its time to live is
 * over; then any driver may resume the operation, without the steps it finished.
 */
export class OperationLockedError extends TenantstackError {
  constructor(
    readonly operation: string,
    readonly holder: string,
  ) {
    super(
      "operation_locked",
      bySurface`Operation ${operation} is being run by ${holder}. Wait for it to finish; if that driver is gone, resume it with ${resumeAdvice(operation)} once its lease has expired.`,
      { retryable: true },
    );
    this.name = "OperationLockedError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.operation, this.holder];
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

/**
 * An operation that ran and did not succeed. The driver's operations resolve with a result whatever
 * happened to each stack (a failed stack is a status in it, not a rejection), so a script that does not
 * read the result goes on as if all went well; `assertSucceeded` throws this instead.
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
      "operation_unsuccessful",
      bySurface`Operation ${operationId} (${kind}) ${status} (${count}):\n${failures.map((f) => `  - ${f}`).join("\n")}\nEach error is in the operation's result (${{
        cli: `\`tenantstack operation show ${operationId}\``,
        api: `this error's \`result\`, or \`GET /operations/${operationId}\``,
      }}); fix the cause, then resume it with ${resumeAdvice(operationId)}: finished steps are not run again.`,
    );
    this.name = "OperationFailedError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.operationId, this.kind, this.status, this.failures];
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

  override wireArgs(): readonly unknown[] {
    return [this.problems];
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
function enginePluginAdvice(plugins: readonly EnginePlugin[]): SurfaceText {
  const resources = plugins.map(
    (p) =>
      `\n  - pulumi-resource-${p.name} ${p.version}${p.when ? `, ${p.when}` : ""}: \`pulumi plugin install resource ${p.name} ${p.version}\``,
  );
  return bySurface`The engine also needs these plugins, found beside the CLI, on PATH, or installed in PULUMI_HOME${{ cli: "", api: " (`pulumiHome`)" }}:
  - pulumi-resource-pulumi-nodejs (the program's dynamic resources) and pulumi-language-nodejs (a program run as a local one, ${{
    cli: "or `pulumi` run by hand",
    api: "`inlineProgram: false`, or by hand",
  }}): beside the CLI in Pulumi's release archive${resources.join("")}`;
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
      bySurface`No Pulumi CLI found: ${toolchain}there is no \`pulumi\` on PATH (the driver never builds or downloads one). Do one of:${build}
  - set ${{ cli: "`--pulumi PATH`", api: "`pulumiPath`" }} to a Pulumi CLI binary or the directory holding it,
  - install the Pulumi CLI ${cliVersion} on PATH.
${enginePluginAdvice(plugins)}`,
    );
    this.name = "PulumiCliNotFoundError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.checkout, this.problem, this.cliVersion, this.plugins];
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
        : bySurface`put pulumi-${kind}-${plugin} beside the CLI (${{ cli: "`--pulumi`", api: "`pulumiPath`" }}) or on PATH`;
    super(
      "pulumi_plugin_missing",
      bySurface`Stack "${stack}" needs the engine's ${kind} plugin pulumi-${kind}-${plugin}${version !== undefined ? ` ${version}` : ""}, which it did not find (the driver never downloads plugins): ${install}, then re-run.
${enginePluginAdvice(plugins)}`,
    );
    this.name = "PulumiPluginMissingError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.stack, this.kind, this.plugin, this.version, this.plugins];
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
  OperationLockedError,
  PendingOperationsError,
  PlanMismatchError,
  ProtectedResourcesError,
  StackOperationError,
  HealthGateError,
  CancelledError,
  OperationFailedError,
  DataServerError,
  WorkerCrashedError,
  CheckpointUnreadableError,
  PulumiCliNotFoundError,
  PulumiPluginMissingError,
);
