/**
 * The local executor: a supervisor with a bounded pool of worker processes, one process per stack
 * job (the Automation API's advice: one stack operation per process), each in its own process group
 * so that a crash, a hang or a kill takes down only that job and its engine.
 */
import { type ChildProcess, fork } from "node:child_process";
import * as path from "node:path";
import { CancelledError, fromWire, type WireError, WorkerCrashedError } from "../errors";
import type { StackJob, StackJobEvent, StackJobResult } from "../operations/stackJob";
import type { WorkspaceOptions } from "../workspace";
import type { Executor, ExecutorRunOptions } from "./executor";
import type { ToWorker } from "./worker";

/** Options of the local executor. */
export interface LocalProcessExecutorOptions {
  /** The workspace every worker builds (plain data; the passphrase travels over IPC, never argv). */
  readonly workspace: WorkspaceOptions;
  /**
   * Most worker processes at once; further jobs wait for a free one.
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
}

type FromWorker =
  { type: "event"; event: StackJobEvent } | { type: "result"; result: StackJobResult } | { type: "error"; error: WireError };

/** The worker's entry: the compiled file, or the TypeScript source run through ts-node. */
function workerEntry(): { file: string; execArgv: string[] } {
  const ts = __filename.endsWith(".ts");
  return { file: path.join(__dirname, ts ? "worker.ts" : "worker.js"), execArgv: ts ? ["-r", "ts-node/register/transpile-only"] : [] };
}

/** Kills a worker's whole process group (the worker, its engine and plugins). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Runs each stack job in a fresh worker process, at most `poolSize` at once. */
export class LocalProcessExecutor implements Executor {
  private readonly poolSize: number;
  private readonly waiting: (() => void)[] = [];
  private readonly running = new Set<ChildProcess>();

  constructor(private readonly options: LocalProcessExecutorOptions) {
    this.poolSize = options.poolSize ?? 2;
  }

  private active = 0;

  /** Waits for a free worker slot. */
  private async slot(): Promise<void> {
    if (this.active < this.poolSize) {
      this.active++;
      return;
    }
    // A finishing job hands its slot over.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Frees a slot, or hands it to the next waiting job. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  async run(job: StackJob, options: ExecutorRunOptions = {}): Promise<StackJobResult> {
    if (options.signal?.aborted) throw new CancelledError(`${job.kind} of ${job.stack}`);
    await this.slot();
    const entry = workerEntry();
    const child = fork(entry.file, [], { execArgv: entry.execArgv, detached: true, stdio: ["ignore", "ignore", "pipe", "ipc"] });
    this.running.add(child);
    options.onEvent?.({ type: "started", stack: job.stack, pid: child.pid ?? -1 });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    try {
      return await new Promise<StackJobResult>((resolve, reject) => {
        let settled: "result" | "error" | undefined;
        const timer = setTimeout(() => {
          killGroup(child);
          reject(new WorkerCrashedError(job.stack, `timed out after ${this.options.timeoutMs ?? 1_800_000} ms and was killed`));
        }, this.options.timeoutMs ?? 1_800_000);
        const onAbort = () => {
          if (child.connected) child.send({ type: "cancel" } satisfies ToWorker);
          setTimeout(() => killGroup(child), this.options.cancelGraceMs ?? 60_000).unref();
        };
        options.signal?.addEventListener("abort", onAbort, { once: true });
        child.on("message", (message: FromWorker) => {
          if (message.type === "event") options.onEvent?.({ type: "step", ...message.event });
          else if (message.type === "result") {
            settled = "result";
            resolve(message.result);
          } else {
            settled = "error";
            reject(options.signal?.aborted ? new CancelledError(`${job.kind} of ${job.stack}`) : fromWire(message.error));
          }
        });
        child.on("exit", (code, signal) => {
          clearTimeout(timer);
          options.signal?.removeEventListener("abort", onAbort);
          // Anything the worker started and left behind goes with it.
          killGroup(child);
          if (settled === undefined) {
            const tail = stderr.trim().split("\n").slice(-5).join("\n");
            reject(new WorkerCrashedError(job.stack, `exited with ${signal ?? `code ${code}`}${tail ? `:\n${tail}` : ""}`));
          }
        });
        child.send({ type: "run", job, workspace: this.options.workspace } satisfies ToWorker);
      });
    } finally {
      this.running.delete(child);
      this.release();
    }
  }

  async close(): Promise<void> {
    for (const child of this.running) killGroup(child);
    this.running.clear();
  }
}
