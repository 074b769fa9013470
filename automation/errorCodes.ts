/**
 * The one mapping of the error family's codes to what each surface reports: the CLI's exit code and the
 * HTTP API's status. Every code an error of the family carries is a row (a unit test checks it against
 * every class); anything outside the family is `internal`.
 */
import { errorCode, INTERNAL_ERROR_CODE } from "../schema/errors";

/** Exit codes of the `tenantstack` CLI, by outcome. */
export const EXIT = {
  /** Everything succeeded. */
  ok: 0,
  /** The operation ran and at least one stack failed (update, health gate, crash). */
  failed: 1,
  /**
   * Bad input: usage, options, tenant, version, no Pulumi CLI to run, a tenant deleted while its stack is live,
   * a passphrase that does not unlock a stack; nothing was touched.
   */
  invalidInput: 2,
  /** A stack or operation is locked by another driver; see `tenantstack recover`, `operation resume`. */
  locked: 3,
  /** A saved plan no longer matches; preview again. */
  planMismatch: 4,
  /** Protected data refused a destroy; nothing was destroyed. */
  protectedData: 5,
  /** A server the operation needs (a migration's data server) cannot be used; nothing was changed. */
  unavailable: 69,
  /** Unexpected error of the driver itself. */
  internal: 70,
  /** Cancelled (SIGINT); re-run with the same operation id to continue. */
  cancelled: 130,
} as const;

/** What a surface reports for one code. */
export interface ErrorCodeMapping {
  /** The CLI's exit code. */
  readonly exit: number;
  /** The HTTP API's status. */
  readonly status: number;
}

/** Each code of the error family: its CLI exit code and HTTP status. */
export const ERROR_CODES = {
  invalid_input: { exit: EXIT.invalidInput, status: 400 },
  unauthorized: { exit: EXIT.invalidInput, status: 401 },
  not_found: { exit: EXIT.invalidInput, status: 404 },
  conflict: { exit: EXIT.invalidInput, status: 409 },
  stack_live: { exit: EXIT.invalidInput, status: 409 },
  payload_too_large: { exit: EXIT.invalidInput, status: 413 },
  unsupported_media_type: { exit: EXIT.invalidInput, status: 415 },
  pulumi_cli_missing: { exit: EXIT.invalidInput, status: 500 },
  passphrase_incorrect: { exit: EXIT.invalidInput, status: 500 },
  provider_package_missing: { exit: EXIT.invalidInput, status: 500 },
  stack_locked: { exit: EXIT.locked, status: 409 },
  operation_locked: { exit: EXIT.locked, status: 409 },
  pending_operations: { exit: EXIT.locked, status: 409 },
  plan_mismatch: { exit: EXIT.planMismatch, status: 409 },
  protected: { exit: EXIT.protectedData, status: 409 },
  cancelled: { exit: EXIT.cancelled, status: 409 },
  operation_failed: { exit: EXIT.failed, status: 500 },
  operation_unsuccessful: { exit: EXIT.failed, status: 500 },
  pulumi_plugin_missing: { exit: EXIT.failed, status: 500 },
  data_server_unavailable: { exit: EXIT.unavailable, status: 502 },
  worker_crashed: { exit: EXIT.failed, status: 500 },
  checkpoint_unreadable: { exit: EXIT.failed, status: 500 },
  health_gate_failed: { exit: EXIT.failed, status: 500 },
  kube_api_error: { exit: EXIT.failed, status: 502 },
  migration_failed: { exit: EXIT.failed, status: 500 },
  command_failed: { exit: EXIT.failed, status: 500 },
  target_conflict: { exit: EXIT.failed, status: 409 },
  verification_failed: { exit: EXIT.failed, status: 500 },
  migration_state: { exit: EXIT.failed, status: 409 },
  [INTERNAL_ERROR_CODE]: { exit: EXIT.internal, status: 500 },
} as const satisfies Record<string, ErrorCodeMapping>;

/** A code of the error family. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** What the surfaces report for `error`: its code's row, `internal`'s for an error outside the family or a code unknown here. */
export function errorMapping(error: unknown): ErrorCodeMapping {
  return (ERROR_CODES as Record<string, ErrorCodeMapping>)[errorCode(error)] ?? ERROR_CODES[INTERNAL_ERROR_CODE];
}

/** The CLI's exit code for `error`. */
export function exitCodeOf(error: unknown): number {
  return errorMapping(error).exit;
}

/** The HTTP API's status for `error`. */
export function httpStatusOf(error: unknown): number {
  return errorMapping(error).status;
}
