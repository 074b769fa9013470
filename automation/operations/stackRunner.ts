/**
 * Runs one journaled step of one stack through the executor: skipped when the journal says it is
 * done, under the stack's lease, recovering the stack first (a journaled step of its own) when a dead
 * driver or a crashed worker left it mid-update.
 */
import { StackLockedError, toWire, type WireError } from "../errors";
import type { Executor } from "./executor";
import type { OperationJournal } from "../journal/journal";
import { runOperationStep } from "../journal/runStep";
import { endOrphans } from "../processes/marks";
import type { StackLeases } from "../journal/leases";
import type { DriverEvent } from "./events";
import { recoveryKinds, type StackJob, type StackJobResult } from "./stackJob";
import type { StackImages } from "../registry/tenant";

/** How a step ended. */
export type StepOutcome =
  | { readonly status: "succeeded"; readonly result: StackJobResult }
  | { readonly status: "skipped"; readonly result?: StackJobResult }
  | { readonly status: "failed"; readonly error: WireError };

/** What happened to one stack in an operation. */
export interface StackOutcome {
  readonly stack: string;
  /** `cancelled`: the operation's signal stopped its job (re-run the operation id to continue); `untouched`: not started. */
  readonly status: "succeeded" | "skipped" | "failed" | "cancelled" | "untouched";
  /**
   * The app version a preview or up set the stack to, and the images it maps to: the tags of the
   * settings' images are replaced by the version.
   * @default - none: the operation sets no settings (refresh, outputs, destroy, recover)
   */
  readonly version?: string;
  /**
   * The images of `version`.
   * @default - none: the operation sets no settings
   */
  readonly images?: StackImages;
  readonly result?: StackJobResult;
  readonly error?: WireError;
}

/** Whether a step failed because the operation's signal stopped its job (its error a CancelledError). */
export function cancelledBy(outcome: StepOutcome): boolean {
  return outcome.status === "failed" && outcome.error.name === "CancelledError";
}

/** A stack's outcome in an operation's result: a step the operation's signal stopped is `cancelled`, not `failed`. */
export function stackOutcome(stack: string, outcome: StepOutcome): StackOutcome {
  return { stack, ...(cancelledBy(outcome) ? { ...outcome, status: "cancelled" as const } : outcome) };
}

/** Options of one step. */
export interface StepOptions {
  /** Receives progress events. */
  readonly onEvent: (event: DriverEvent) => void;
  /**
   * Cancels the step.
   * @default - not cancellable
   */
  readonly signal?: AbortSignal;
  /**
   * Recover the stack first (repair the checkpoint, cancel a stale lock, adopt or clear pending operations, refresh), as after an
   * interrupted attempt; done anyway when the lease was taken over from a dead driver.
   * @default false
   */
  readonly recover?: boolean;
}

/** Where a step of an operation reports: the operation, the sink of its progress events, its cancellation. */
export interface StepScope {
  readonly operationId: string;
  readonly emit: (event: DriverEvent) => void;
  /**
   * Cancels the step.
   * @default - not cancellable
   */
  readonly signal?: AbortSignal;
}

/**
 * Runs `job` as journaled step `step` of the scope's operation (see {@link StackRunner.run}), reported
 * as `stack` events: `started`, then how it ended, with `label` as their detail (a failure's is its
 * message, and its error for each surface to word). Resolves the outcome, failures included.
 */
export async function reportedStep(
  runner: StackRunner,
  scope: StepScope,
  step: string,
  job: StackJob,
  label?: string,
): Promise<StepOutcome> {
  const { operationId, emit } = scope;
  emit({ type: "stack", operationId, stack: job.stack, status: "started", ...(label !== undefined ? { detail: label } : {}) });
  const outcome = await runner.run(operationId, step, job, { onEvent: emit, signal: scope.signal });
  // A job the operation's signal stopped is reported as cancelled, not failed.
  const status = cancelledBy(outcome) ? "cancelled" : outcome.status;
  const detail = outcome.status === "failed" && status !== "cancelled" ? outcome.error.message : label;
  emit({
    type: "stack",
    operationId,
    stack: job.stack,
    status,
    ...(detail !== undefined ? { detail } : {}),
    ...(outcome.status === "failed" && status !== "cancelled" ? { error: outcome.error } : {}),
  });
  return outcome;
}

/** Jobs that change a stack and so take its lease. */
const MUTATING = new Set<StackJob["kind"]>(["up", "refresh", "destroy", "recover"]);

/** Runs journaled stack steps. */
export class StackRunner {
  constructor(
    private readonly executor: Executor,
    private readonly journal: OperationJournal,
    private readonly leases: StackLeases,
  ) {}

  /**
   * Runs `job` as step `step` of operation `operationId`. Resolves its outcome (failures included, as
   * wire errors); throws only for errors of the driver itself.
   */
  async run(operationId: string, step: string, job: StackJob, options: StepOptions): Promise<StepOutcome> {
    const { onEvent } = options;
    const previous = await this.journal.step(operationId, step);
    if (previous?.status === "done") return { status: "skipped", result: previous.detail as StackJobResult | undefined };
    const mutating = MUTATING.has(job.kind);
    // A lease another driver took over (this one's heartbeat was late past its time to live) stops the job.
    const lost = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal;
    // What stopped a job whose lease was taken over is that, whatever the engine or the journal said then.
    const cause = (error: unknown) =>
      lost.signal.aborted && !options.signal?.aborted
        ? new StackLockedError(
            job.stack,
            "another driver, which took its lease over when this driver's heartbeat was late past its time to live",
          )
        : error;
    try {
      const takenOver = mutating ? await this.leases.acquire(job.stack, operationId, () => lost.abort()) : undefined;
      try {
        const { result } = await runOperationStep(this.journal, operationId, step, async (record) => {
          try {
            // An interrupted attempt (a killed driver or worker) may have left the engine's lock and pending operations.
            const interrupted = record?.status === "running" || (record?.detail as WireError | undefined)?.name === "WorkerCrashedError";
            if (mutating && (takenOver !== undefined || interrupted || options.recover))
              await this.recover(operationId, step, job, { ...options, signal });
            return await this.executor.run(job, { signal, onEvent: (event) => onEvent({ operationId, ...event }) });
          } catch (error) {
            throw cause(error);
          }
        });
        return { status: "succeeded", result };
      } finally {
        if (mutating) await this.leases.release(job.stack, operationId);
      }
    } catch (error) {
      return { status: "failed", error: toWire(cause(error)) };
    }
  }

  /**
   * Recovers the stack before a step, journaled as step `<step>:recover` (run again, as a new attempt,
   * whenever the step is interrupted again): its detail is what the recovery found and did, or why it
   * failed. First every process a killed run left on this host ends, and every runner of the stack a
   * dead driver left in the cluster (`orphansEnded`, their count).
   */
  private async recover(operationId: string, step: string, job: StackJob, options: StepOptions): Promise<void> {
    const { onEvent, signal } = options;
    const recoverStep = `${step}:recover`;
    onEvent({ type: "stack", operationId, stack: job.stack, status: "recovering" });
    const { result } = await runOperationStep(
      this.journal,
      operationId,
      recoverStep,
      async () => {
        const orphansEnded = (await endOrphans()).length + ((await this.executor.endOrphans?.(job.stack)) ?? 0);
        const recovered = await this.executor.run(
          { kind: "recover", stack: job.stack, cluster: job.cluster },
          { signal, onEvent: (event) => onEvent({ operationId, ...event }) },
        );
        return { recovery: recovered.recovery, drift: recovered.drift, orphansEnded };
      },
      { again: true },
    );
    const kinds = result.recovery ? recoveryKinds(result.recovery) : [];
    onEvent({
      type: "stack",
      operationId,
      stack: job.stack,
      status: "recovered",
      detail: kinds.length > 0 ? kinds.join(", ") : "nothing to recover",
    });
  }
}
