/**
 * Typed errors of tenant migrations, each a {@link TenantstackError} of the one family with a code of its own.
 * Each says what happened and what to do next; none carries a password (connection URLs are redacted before
 * they reach a message, and every message passes the one redaction rule).
 */
import { TenantstackError } from "../../errors";

/** A migration step failed; `retryable` says whether running the migration again may complete it. */
export class MigrationError extends TenantstackError {
  /**
   * @param retryable whether a rerun can succeed (a dropped connection, a killed process) or not (a conflict)
   * @param code the stable code: a subclass's own
   */
  constructor(message: string, retryable: boolean, code = "migration_failed") {
    super(code, message, { retryable });
    this.name = "MigrationError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.message, this.retryable, this.code];
  }
}

/** The target already holds data of the tenant that this migration did not write: nothing was overwritten. */
export class TargetConflictError extends MigrationError {
  constructor(
    /** Where the conflict is, such as `target Postgres database tenant_acme`. */
    readonly location: string,
    /** What is there, one line per object (at most 20). */
    readonly found: readonly string[],
  ) {
    super(
      `${location} already holds data this migration did not write: ${found.join("; ")}. Nothing in the target was changed. ` +
        "Remove that data if it is disposable, or roll the migration back (the source keeps serving).",
      false,
      "target_conflict",
    );
    this.name = "TargetConflictError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.location, this.found];
  }
}

/** A child process (pg_dump, pg_restore) exited with an error or was killed. */
export class CommandError extends MigrationError {
  constructor(
    /** The program that failed. */
    readonly command: string,
    /** Its exit code, or its signal when it was killed. */
    readonly exit: number | NodeJS.Signals,
    /** The end of its standard error, credentials redacted. */
    readonly stderr: string,
  ) {
    super(
      `${command} failed (${typeof exit === "number" ? `exit code ${exit}` : `killed by ${exit}`}): ${stderr.trim() || "no output"}`,
      true,
      "command_failed",
    );
    this.name = "CommandError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.command, this.exit, this.stderr];
  }
}

/** The target's copy differs from the source; `differences` lists each difference. */
export class VerificationError extends MigrationError {
  constructor(readonly differences: readonly string[]) {
    const shown = differences.slice(0, 20);
    const more = differences.length > shown.length ? `\n  ... and ${differences.length - shown.length} more` : "";
    super(
      `The target's copy differs from the source (${differences.length} differences):\n${shown.map((d) => `  - ${d}`).join("\n")}${more}\n` +
        "Roll the migration back (the source keeps serving) and look for writes that bypassed the drain.",
      false,
      "verification_failed",
    );
    this.name = "VerificationError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.differences];
  }
}

/** A step was asked for that the migration's state does not allow (such as a rollback after the switch). */
export class MigrationStateError extends MigrationError {
  constructor(message: string) {
    super(message, false, "migration_state");
    this.name = "MigrationStateError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.message];
  }
}

TenantstackError.register(MigrationError, TargetConflictError, CommandError, VerificationError, MigrationStateError);
