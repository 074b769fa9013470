/**
 * What a runner pod tells its driver, on its standard output (the pod's log, which the driver follows):
 * one line per message, `tenantstack-runner <json>`, numbered from 1 so that a driver that reconnects to
 * the log skips what it has read. Events carry resource names and operations only, and a result's
 * outputs have their secrets masked, and a saved plan is sealed with a key only the job's Secret held, so
 * the log holds no secret; the engine's own output goes to
 * standard error, kept by the driver only as the tail of a runner that died.
 */
import type { WireError } from "../errors";
import type { StackJobEvent, StackJobResult } from "../operations/stackJob";

/** The start of each message line. */
export const RUNNER_LINE_PREFIX = "tenantstack-runner ";

/** One message of a runner. */
export type RunnerMessage =
  | { readonly n: number; readonly type: "event"; readonly event: StackJobEvent }
  /** The result; after a preview that saved a plan, the plan sealed with the runner's plan key (`sealedPlan.ts`). */
  | { readonly n: number; readonly type: "result"; readonly result: StackJobResult; readonly sealedPlan?: string }
  | { readonly n: number; readonly type: "error"; readonly error: WireError }
  /** What the runner's container used, from its cgroup, sent before its result or error (for capacity planning). */
  | { readonly n: number; readonly type: "usage"; readonly usage: RunnerUsage };

/** CPU time and peak memory of a runner's container (the runner, its engine and plugins). */
export interface RunnerUsage {
  readonly cpuSeconds?: number;
  readonly peakMemoryBytes?: number;
}

/** A message as its log line (without the newline). */
export function runnerLine(message: RunnerMessage): string {
  return `${RUNNER_LINE_PREFIX}${JSON.stringify(message)}`;
}

/** The message of a log line, or undefined for any other line (the engine's output, a cut line). */
export function parseRunnerLine(line: string): RunnerMessage | undefined {
  // A log line fetched with timestamps starts with one; the message follows it.
  const at = line.indexOf(RUNNER_LINE_PREFIX);
  if (at === -1) return undefined;
  try {
    const message = JSON.parse(line.slice(at + RUNNER_LINE_PREFIX.length)) as RunnerMessage;
    return typeof message?.n === "number" && ["event", "result", "error", "usage"].includes(message.type) ? message : undefined;
  } catch {
    return undefined;
  }
}
