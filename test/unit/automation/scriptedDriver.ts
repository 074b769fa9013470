/**
 * A real Driver (its SQLite registry and journal in a temporary state directory) whose stack jobs are
 * answered by a script instead of worker processes and an engine: the driver's own logic (journal,
 * outcomes, events, rollback) is tested without a toolchain or a cluster.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Driver, type DriverOptions } from "../../../automation/driver";
import type { Executor, ExecutorRunOptions } from "../../../automation/operations/executor";
import type { StackJob, StackJobResult } from "../../../automation/operations/stackJob";

/** Answers one stack job: resolves its result or rejects with its error. */
export type JobScript = (job: StackJob, options: ExecutorRunOptions) => Promise<StackJobResult>;

/** An executor that records each job and answers it with a script. */
export class ScriptedExecutor implements Executor {
  /** Every job run, in order. */
  readonly jobs: StackJob[] = [];

  constructor(public script: JobScript) {}

  async run(job: StackJob, options: ExecutorRunOptions = {}): Promise<StackJobResult> {
    this.jobs.push(job);
    return this.script(job, options);
  }

  async close(): Promise<void> {}
}

/** A job's successful result, as a worker returns it. */
export function jobResult(job: StackJob, extra: Partial<StackJobResult> = {}): StackJobResult {
  return {
    stack: job.stack,
    kind: job.kind,
    durationMs: 1,
    ...(job.kind === "up" ? { outputs: { namespace: `ns-${job.stack}` } } : {}),
    ...extra,
  };
}

/** A driver on a scripted executor, and the removal of its state directory. */
export interface ScriptedDriver {
  readonly driver: Driver;
  readonly executor: ScriptedExecutor;
  /** Its state directory (its SQLite database inside). */
  readonly stateDir: string;
  /** Closes the driver and removes its state directory. */
  close(): Promise<void>;
}

/**
 * Opens a driver on a scripted executor. Its one cluster has no kubeconfig, so a fleet upgrade's
 * health gate passes without reading a cluster (`no kubeconfig: workloads not checked`). `shared`: the
 * state directory of another driver (kept on close: its owner removes it) and this driver's own lease
 * settings, for two drivers on one database.
 */
export async function scriptedDriver(
  script: JobScript = async (job) => jobResult(job),
  shared: Pick<DriverOptions, "identity" | "leaseTtlSeconds" | "heartbeatSeconds"> & { readonly stateDir?: string } = {},
): Promise<ScriptedDriver> {
  const { stateDir: sharedDir, ...leases } = shared;
  const stateDir = sharedDir ?? mkdtempSync(path.join(tmpdir(), "tenantstack-scripted-"));
  const executor = new ScriptedExecutor(script);
  const kubeconfig = process.env.KUBECONFIG;
  delete process.env.KUBECONFIG;
  try {
    const driver = await Driver.open({ workspace: { stateDir, passphrase: "scripted-passphrase" }, executor, ...leases });
    return {
      driver,
      executor,
      stateDir,
      close: async () => {
        await driver.close();
        if (sharedDir === undefined) rmSync(stateDir, { recursive: true, force: true });
      },
    };
  } finally {
    if (kubeconfig !== undefined) process.env.KUBECONFIG = kubeconfig;
  }
}
