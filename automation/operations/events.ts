/** Progress events of the driver's operations, streamed to the CLI, the HTTP API and library callers. */
import type { WireError } from "../errors";
import type { ExecutorEvent } from "./executor";

/** One progress event. */
export type DriverEvent =
  | {
      readonly type: "operation";
      readonly operationId: string;
      readonly kind: string;
      readonly status: "started" | "resumed" | "succeeded" | "failed" | "cancelled";
    }
  | {
      readonly type: "stack";
      readonly operationId: string;
      readonly stack: string;
      readonly status: StackStatus;
      /** The fleet wave (0 is the canary). */
      readonly wave?: number;
      /** Why it failed, or what it found. */
      readonly detail?: string;
      /** Why it failed, as the error it failed with (each surface words its message: `wireMessageOn`). */
      readonly error?: WireError;
    }
  | {
      readonly type: "migration";
      readonly operationId: string;
      /** The migration step (`drain`, `copyPostgres`, ...). */
      readonly step: string;
      /** Where the step stands, or `log` for a progress line of the running step. */
      readonly status: "started" | "skipped" | "done" | "failed" | "log";
      /** The progress line, or why the step failed. */
      readonly detail?: string;
    }
  | ({ readonly operationId: string } & ExecutorEvent);

/**
 * States a stack goes through in an operation: `cancelled` when the operation's signal stopped its job
 * (a re-run of the operation id continues it); `rollback-skipped` when a fleet upgrade's rollback found
 * no earlier deployment of the stack to return to.
 */
export type StackStatus =
  | "started"
  | "recovering"
  | "recovered"
  | "skipped"
  | "succeeded"
  | "failed"
  | "cancelled"
  | "health-check"
  | "healthy"
  | "unhealthy"
  | "rolling-back"
  | "rolled-back"
  | "rollback-failed"
  | "rollback-skipped";

/** Options every operation takes. */
export interface OperationOptions {
  /**
   * The operation id: re-running an id resumes it, never repeating a finished step.
   * @default - a new random id
   */
  readonly operationId?: string;
  /**
   * Receives progress events.
   * @default - events are dropped
   */
  readonly onEvent?: (event: DriverEvent) => void;
  /**
   * Cancels the operation: running engines stop cleanly, nothing new starts.
   * @default - not cancellable
   */
  readonly signal?: AbortSignal;
  /**
   * Most stacks worked on at once.
   * @default 2
   */
  readonly concurrency?: number;
}
