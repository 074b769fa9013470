/**
 * The local executor: a supervisor with a bounded pool of worker processes, each running one stack
 * job at a time (the Automation API's advice: one stack operation per process) in its own process
 * group, so that a crash, a hang or a kill takes down only that job and its engine. A worker that
 * finished a job cleanly stays warm for the next (the Automation API loaded, the CLI located); one
 * that crashed, timed out or was cancelled is killed with its whole group and never reused. Every
 * worker is marked (`processes/marks.ts`) and its mark goes to all it starts, the plugins the engine
 * starts in process groups of their own included: a worker killed goes with all of them, and the
 * supervisor's watchdog ends them all when the supervisor itself is killed.
 */
import { type ChildProcess, fork } from "node:child_process";
import type { Socket } from "node:net";
import * as path from "node:path";
import { DriverSettingsSchema } from "../../schema/driverOptions";
import { CancelledError, fromWire, type WireError, WorkerCrashedError } from "../errors";
import { killMarked, MARK_VARIABLE } from "../processes/marks";
import { markChildren } from "../processes/watchdog";
import type { StackJob, StackJobEvent, StackJobResult } from "../operations/stackJob";
import { parseInput } from "../input";
import type { WorkspaceOptions } from "../workspace";
import type { Executor, ExecutorRunOptions } from "../operations/executor";
import { Slots } from "./slots";
import type { ToWorker } from "./worker";

/** Options of the local executor. */
export interface LocalProcessExecutorOptions {
  /** The workspace every worker builds (plain data; the passphrase travels over IPC, never argv). */
  readonly workspace: WorkspaceOptions;
  /**
   * Most worker processes at once, an integer from 1 to 64; further jobs wait for a free one.
   * @default 2
   */
  readonly poolSize?: number;
  /**
   * Longest a job may run before its process group is killed.
   * @default 1800000 (30 minutes)
   */
  readonly timeoutMs?: number;
  /**
   * How long a cancelled job may take to stop cleanly before its process group is killed.
   * @default 60000
   */
  readonly cancelGraceMs?: number;
  /**
   * How long a worker waits, warm, for its next job before it is stopped.
   * @default 30000
   */
  readonly idleTimeoutMs?: number;
}

type FromWorker =
  { type: "event"; event: StackJobEvent } | { type: "result"; result: StackJobResult } | { type: "error"; error: WireError };

/** The worker's entry: the compiled file, or the TypeScript source run through ts-node. */
function workerEntry(): { file: string; execArgv: string[] } {
  const ts = __filename.endsWith(".ts");
  return { file: path.join(__dirname, ts ? "worker.ts" : "worker.js"), execArgv: ts ? ["-r", "ts-node/register/transpile-only"] : [] };
}

/** The mark of each worker, given to all it starts. */
const marks = new WeakMap<ChildProcess, string>();

/**
 * Workers started by this process, which numbers their marks: counted for the process, not per
 * executor, so that a closed executor's late cleanup (a worker's exit ends the processes carrying its
 * mark) never matches the workers of a later executor of the same process.
 */
let workersStarted = 0;

/** Kills a worker's whole process group (the worker, its engine), then every other process carrying its mark (the plugins). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
  const mark = marks.get(child);
  if (mark !== undefined) killMarked((p) => p.mark === mark);
}

/** Whether an idle worker can take a job. */
function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null && child.connected;
}

/** Lets an idle worker not keep the supervisor's process alive (or makes a busy one keep it): the process, its IPC channel and its stderr pipe. */
function holdsProcess(child: ChildProcess, hold: boolean): void {
  for (const handle of [child, child.channel, child.stderr as Socket | null]) {
    if (hold) handle?.ref();
    else handle?.unref();
  }
}

/** Runs each stack job in a worker process of the pool, at most `poolSize` at once. */
export class LocalProcessExecutor implements Executor {
  private readonly slots: Slots;
  /** Every worker process, busy or idle. */
  private readonly workers = new Set<ChildProcess>();
  /** Warm workers waiting for a job, with the timer that stops each. */
  private readonly idle = new Map<ChildProcess, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly options: LocalProcessExecutorOptions) {
    this.slots = new Slots(
      parseInput(DriverSettingsSchema.shape.poolSize, options.poolSize, "executor options", { root: "poolSize" }) ?? 2,
    );
  }

  /** A warm idle worker, or a new one. */
  private take(): ChildProcess {
    for (const [child, timer] of this.idle) {
      this.idle.delete(child);
      clearTimeout(timer);
      if (alive(child)) {
        holdsProcess(child, true);
        return child;
      }
    }
    const entry = workerEntry();
    const mark = markChildren(`job:${++workersStarted}`);
    const child = fork(entry.file, [], {
      execArgv: entry.execArgv,
      detached: true,
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: { ...process.env, ...mark },
    });
    if (mark[MARK_VARIABLE] !== undefined) marks.set(child, mark[MARK_VARIABLE]);
    this.workers.add(child);
    child.on("exit", () => {
      // Anything the worker started and left behind goes with it.
      killGroup(child);
      this.workers.delete(child);
      clearTimeout(this.idle.get(child));
      this.idle.delete(child);
    });
    return child;
  }

  /** Keeps a worker that finished its job cleanly for the next one, stopping it after `idleTimeoutMs`. */
  private park(child: ChildProcess): void {
    if (this.closed || !alive(child)) return killGroup(child);
    holdsProcess(child, false);
    const timer = setTimeout(() => {
      this.idle.delete(child);
      killGroup(child);
    }, this.options.idleTimeoutMs ?? 30_000);
    timer.unref();
    this.idle.set(child, timer);
  }

  async run(job: StackJob, options: ExecutorRunOptions = {}): Promise<StackJobResult> {
    if (options.signal?.aborted) throw new CancelledError(`${job.kind} of ${job.stack}`);
    await this.slots.take();
    const child = this.take();
    options.onEvent?.({ type: "started", stack: job.stack, pid: child.pid ?? -1 });
    let stderr = "";
    const onStderr = (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000));
    child.stderr?.on("data", onStderr);
    let reusable = false;
    try {
      return await new Promise<StackJobResult>((resolve, reject) => {
        let settled = false;
        const done = () => {
          settled = true;
          clearTimeout(timer);
          options.signal?.removeEventListener("abort", onAbort);
          child.off("message", onMessage);
          child.off("exit", onExit);
        };
        const timer = setTimeout(() => {
          done();
          killGroup(child);
          reject(new WorkerCrashedError(job.stack, `timed out after ${this.options.timeoutMs ?? 1_800_000} ms and was killed`));
        }, this.options.timeoutMs ?? 1_800_000);
        const onAbort = () => {
          if (child.connected) child.send({ type: "cancel" } satisfies ToWorker);
          setTimeout(() => killGroup(child), this.options.cancelGraceMs ?? 60_000).unref();
        };
        const onMessage = (message: FromWorker) => {
          if (message.type === "event") return options.onEvent?.({ type: "step", ...message.event });
          done();
          reusable = !options.signal?.aborted;
          if (message.type === "result") resolve(message.result);
          else reject(options.signal?.aborted ? new CancelledError(`${job.kind} of ${job.stack}`) : fromWire(message.error));
        };
        const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
          if (settled) return;
          done();
          const tail = stderr.trim().split("\n").slice(-5).join("\n");
          reject(new WorkerCrashedError(job.stack, `exited with ${signal ?? `code ${code}`}${tail ? `:\n${tail}` : ""}`));
        };
        options.signal?.addEventListener("abort", onAbort, { once: true });
        child.on("message", onMessage);
        child.on("exit", onExit);
        child.send({ type: "run", job, workspace: this.options.workspace } satisfies ToWorker);
      });
    } finally {
      child.stderr?.off("data", onStderr);
      // A worker that crashed, timed out or was cancelled is not reused: it goes with its whole group.
      if (reusable) this.park(child);
      else killGroup(child);
      this.slots.release();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const child of this.workers) killGroup(child);
    for (const timer of this.idle.values()) clearTimeout(timer);
    this.idle.clear();
  }
}
