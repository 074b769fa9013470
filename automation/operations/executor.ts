/**
 * Where stack jobs run, behind one small interface: local worker processes (`fleet/localProcessExecutor.ts`),
 * or Kubernetes Jobs for fleets that outgrow one machine (`fleet/kubernetesExecutor.ts`).
 */
import type { StackJob, StackJobEvent, StackJobResult } from "./stackJob";

/**
 * Progress of a stack job on an executor. `started`: the job has a worker, a local process (`pid`) or a
 * runner pod of the Kubernetes executor (`runner`, its namespace and name; `pid` -1).
 */
export type ExecutorEvent =
  | { readonly type: "started"; readonly stack: string; readonly pid: number; readonly runner?: string }
  | ({ readonly type: "step" } & StackJobEvent);

/** Options of one run. */
export interface ExecutorRunOptions {
  /**
   * Receives progress events.
   * @default - events are dropped
   */
  readonly onEvent?: (event: ExecutorEvent) => void;
  /**
   * Cancels the job: the engine is interrupted and stops cleanly.
   * @default - not cancellable
   */
  readonly signal?: AbortSignal;
}

/** Runs stack jobs, each isolated from the others. */
export interface Executor {
  /** Runs one job to completion; rejects with the job's typed error, or WorkerCrashedError. */
  run(job: StackJob, options?: ExecutorRunOptions): Promise<StackJobResult>;
  /**
   * Ends the jobs of `stack` that outlived the driver that started them (a killed driver's runner pods,
   * which run on without it), before the stack is recovered under its lease. A local executor has none:
   * a dead driver's worker processes on this host are ended by their marks (`processes/marks.ts`).
   * @returns how many there were
   */
  endOrphans?(stack: string): Promise<number>;
  /** Stops every running job and frees the executor's resources. */
  close(): Promise<void>;
}
