/**
 * A runner: the entry point of a runner pod of the Kubernetes executor (`node dist/automation/fleet/runner.js`
 * in the runner image). It reads its input from its Secret's volume (`TENANTSTACK_RUNNER_INPUT`), writes
 * each cluster's kubeconfig into its scratch directory, runs the one stack job as a local worker does
 * (`runStackJob`), and reports progress, then the result or the typed error, as numbered lines on its
 * standard output (`runnerProtocol.ts`); the engine's own output goes to standard error. SIGTERM (the
 * pod deleted: a cancel) interrupts the engine, which stops cleanly; the runner then reports a
 * CancelledError. A saved plan comes and goes sealed (`sealedPlan.ts`). Exits 0 after a result, 1 after an error it reported, 2 when it could not start.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { DEFAULT_CLUSTER } from "../../schema/driverValues";
import { CancelledError, toWire } from "../errors";
import { planFile, runStackJob, stackSettingsFile } from "../operations/stackJob";
import { WorkspaceFactory, type WorkspaceOptions } from "../workspace";
import type { RunnerInput } from "./runnerJob";
import { runnerLine, type RunnerMessage, type RunnerUsage } from "./runnerProtocol";
import { sealSavedPlan, unsealSavedPlan } from "./sealedPlan";

/** A message before it is numbered. */
type Unnumbered<M> = M extends RunnerMessage ? Omit<M, "n"> : never;

let sent = 0;
/** Writes one message line; resolves once it is flushed. */
function send(message: Unnumbered<RunnerMessage>): Promise<void> {
  const line = runnerLine({ ...message, n: ++sent } as RunnerMessage);
  return new Promise((resolve) => process.stdout.write(`${line}\n`, () => resolve()));
}

/** A number read from the first of `files` that exists (cgroup v1 and v2 name them differently), or undefined. */
function cgroupNumber(
  files: readonly string[],
  read: (text: string) => number | undefined = (text) => Number(text.trim()),
): number | undefined {
  for (const file of files) {
    try {
      const value = read(readFileSync(file, "utf8"));
      if (value !== undefined && Number.isFinite(value)) return value;
    } catch {
      // not this cgroup version
    }
  }
  return undefined;
}

/** What this container used so far: its cgroup's CPU time and peak memory. */
function usage(): RunnerUsage {
  const nanos = cgroupNumber(["/sys/fs/cgroup/cpuacct/cpuacct.usage", "/sys/fs/cgroup/cpu,cpuacct/cpuacct.usage"]);
  const micros = cgroupNumber(["/sys/fs/cgroup/cpu.stat"], (text) => Number(/^usage_usec (\d+)$/m.exec(text)?.[1]));
  const peak = cgroupNumber(["/sys/fs/cgroup/memory/memory.max_usage_in_bytes", "/sys/fs/cgroup/memory.peak"]);
  return {
    ...(nanos !== undefined ? { cpuSeconds: nanos / 1e9 } : micros !== undefined ? { cpuSeconds: micros / 1e6 } : {}),
    ...(peak !== undefined ? { peakMemoryBytes: peak } : {}),
  };
}

/** The workspace the runner builds: its scratch paths, each cluster's kubeconfig written there. */
function runnerWorkspace(input: RunnerInput, workDir: string): WorkspaceOptions {
  const kubeconfigDir = path.join(workDir, "kubeconfigs");
  mkdirSync(kubeconfigDir, { recursive: true, mode: 0o700 });
  const clusters: Record<string, { kubeconfig: string }> = {};
  for (const [name, kubeconfig] of Object.entries(input.kubeconfigs)) {
    const file = path.join(kubeconfigDir, name);
    writeFileSync(file, kubeconfig, { mode: 0o600 });
    clusters[name] = { kubeconfig: file };
  }
  for (const dir of ["home", "tmp"]) mkdirSync(path.join(workDir, dir), { recursive: true });
  // A job without a cluster runs on the default one, with the engine's KUBECONFIG.
  const own = clusters[input.job.cluster ?? DEFAULT_CLUSTER];
  return {
    ...input.workspace,
    env: { ...input.workspace.env, ...(own ? { KUBECONFIG: own.kubeconfig } : {}) },
    stateDir: path.join(workDir, "state"),
    pulumiHome: path.join(workDir, "pulumi-home"),
    clusters,
  };
}

async function main(): Promise<number> {
  const controller = new AbortController();
  process.on("SIGTERM", () => controller.abort());
  process.on("SIGINT", () => controller.abort());
  let input: RunnerInput;
  let workspace: WorkspaceOptions;
  try {
    input = JSON.parse(readFileSync(process.env.TENANTSTACK_RUNNER_INPUT ?? "", "utf8")) as RunnerInput;
    workspace = runnerWorkspace(input, process.env.TENANTSTACK_RUNNER_WORK_DIR ?? "/work");
  } catch (error) {
    process.stderr.write(`tenantstack runner: cannot read its input: ${(error as Error).message}\n`);
    return 2;
  }
  const { job, plan } = input;
  try {
    const factory = await WorkspaceFactory.create(workspace);
    // The plan an update applies is where a preview in this work directory would have saved it.
    // The plan an update applies, and the stack settings its secrets were sealed with, are where the preview's were.
    if (plan?.sealed !== undefined) {
      const saved = unsealSavedPlan(plan.sealed, plan.key);
      mkdirSync(factory.workDir(job.stack), { recursive: true, mode: 0o700 });
      writeFileSync(planFile(factory, job.stack), saved.plan, { mode: 0o600 });
      if (saved.stackSettings !== undefined) writeFileSync(stackSettingsFile(factory, job.stack), saved.stackSettings, { mode: 0o600 });
    }
    const result = await runStackJob(factory, job, (event) => void send({ type: "event", event }), controller.signal);
    const settings = stackSettingsFile(factory, job.stack);
    const sealedPlan =
      result.planFile && plan
        ? sealSavedPlan(
            {
              plan: readFileSync(result.planFile, "utf8"),
              ...(existsSync(settings) ? { stackSettings: readFileSync(settings, "utf8") } : {}),
            },
            plan.key,
          )
        : undefined;
    await send({ type: "usage", usage: usage() });
    await send({ type: "result", result, ...(sealedPlan !== undefined ? { sealedPlan } : {}) });
    return 0;
  } catch (error) {
    const reported = controller.signal.aborted ? new CancelledError(`${job.kind} of ${job.stack}`) : error;
    await send({ type: "usage", usage: usage() });
    await send({ type: "error", error: toWire(reported) });
    return 1;
  }
}

void main().then((code) => process.exit(code));
