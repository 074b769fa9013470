/** What the `tenantstack` CLI's exit codes mean. */
import { errorCode } from "../errors";

/** Exit codes, by outcome. */
export const EXIT = {
  /** Everything succeeded. */
  ok: 0,
  /** The operation ran and at least one stack failed (update, health gate, crash). */
  failed: 1,
  /** Bad input: usage, options, tenant, version, no Pulumi CLI to run, a tenant deleted while its stack is live, a passphrase that does not unlock a stack; nothing was touched. */
  invalidInput: 2,
  /** A stack is locked by another operation; see `tenantstack recover`. */
  locked: 3,
  /** A saved plan no longer matches; preview again. */
  planMismatch: 4,
  /** Protected data refused a destroy; nothing was destroyed. */
  protectedData: 5,
  /** Unexpected error of the driver itself. */
  internal: 70,
  /** Cancelled (SIGINT); re-run with the same operation id to continue. */
  cancelled: 130,
} as const;

const BY_CODE: Record<string, number> = {
  invalid_input: EXIT.invalidInput,
  pulumi_cli_missing: EXIT.invalidInput,
  passphrase_incorrect: EXIT.invalidInput,
  payload_too_large: EXIT.invalidInput,
  unsupported_media_type: EXIT.invalidInput,
  not_found: EXIT.invalidInput,
  conflict: EXIT.invalidInput,
  stack_live: EXIT.invalidInput,
  stack_locked: EXIT.locked,
  pending_operations: EXIT.locked,
  plan_mismatch: EXIT.planMismatch,
  protected: EXIT.protectedData,
  cancelled: EXIT.cancelled,
  operation_failed: EXIT.failed,
  worker_crashed: EXIT.failed,
  checkpoint_unreadable: EXIT.failed,
};

/** The exit code of an error thrown by a command (a schema ValidationError is invalid input too). */
export function exitCodeOf(error: unknown): number {
  return BY_CODE[errorCode(error)] ?? EXIT.internal;
}

/** The exit code of an operation's failed stacks: the most specific error's, else `failed`. */
export function exitCodeOfErrors(names: readonly string[]): number {
  const codes: Record<string, number> = {
    InputError: EXIT.invalidInput,
    ValidationError: EXIT.invalidInput,
    PassphraseIncorrectError: EXIT.invalidInput,
    StackLockedError: EXIT.locked,
    PendingOperationsError: EXIT.locked,
    PlanMismatchError: EXIT.planMismatch,
    ProtectedResourcesError: EXIT.protectedData,
  };
  const specific = names.map((name) => codes[name]).find((code) => code !== undefined);
  return names.length === 0 ? EXIT.ok : (specific ?? EXIT.failed);
}
