/**
 * The Kubernetes executor: each stack job a Kubernetes Job of one runner pod (`runnerJob.ts`), in a
 * runner namespace whose ResourceQuota bounds the runners of every driver, at most `concurrency` of
 * this driver's at once. The job's input (the job, the workspace with its passphrase and environment,
 * each cluster's kubeconfig) reaches the runner only in a Secret owned by the Job; the runner reports
 * progress and its result or typed error on its log (`runnerProtocol.ts`), which the driver follows
 * through the API server. A cancel suspends the Job and deletes its pod with the cancel grace: the
 * runner gets SIGTERM and interrupts its engine, which stops cleanly (SIGINT), and reports a
 * CancelledError. A runner that dies (deleted by someone else, evicted, out of memory, its node lost)
 * or runs past the timeout is a WorkerCrashedError, as a local worker's death is: the driver recovers
 * the stack and retries it. The Job and its Secret are deleted when the job ends (and by their
 * `ttlSecondsAfterFinished` if the driver could not). A saved plan travels sealed (`sealedPlan.ts`): back
 * with a preview's result, out in an update's Secret.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { DEFAULT_CLUSTER } from "../../schema/driverValues";
import { RunnerSettingsSchema } from "../../schema/runnerSettings";
import { CancelledError, fromWire, InputError, StackLockedError, WorkerCrashedError, type WireError } from "../errors";
import { parseInput } from "../input";
import { KubeApiError, KubeClient, portableKubeconfig } from "../kube";
import type { Executor, ExecutorRunOptions } from "../operations/executor";
import { planFile, type StackJob, type StackJobResult } from "../operations/stackJob";
import { rememberSecret } from "../redact";
import type { ResolvedRunnerSettings, RunnerSettings } from "../types";
import { resolveWorkspaceOptions, type ResolvedWorkspaceOptions, stackWorkDir, type WorkspaceOptions } from "../workspace";
import { type RunnerInput, runnerJob, runnerJobName, runnerNamespaceObjects, runnerSecret, runnerStackKey } from "./runnerJob";
import { parseRunnerLine } from "./runnerProtocol";
import { planKey, sealSavedPlan, unsealSavedPlan } from "./sealedPlan";
import { Slots } from "./slots";

/** Options of the Kubernetes executor. */
export interface KubernetesExecutorOptions {
  /** The workspace every runner builds: its backend must be one runners share (not `file://`), its program the package's. */
  readonly workspace: WorkspaceOptions;
  /** Where and how the runners run. */
  readonly runners: RunnerSettings;
  /**
   * How often the runner's pod is looked at while it is pending, and after its log ends.
   * @default 1000
   */
  readonly pollMs?: number;
}

/** The largest saved plan a runner's input Secret carries (a Secret holds at most 1 MiB, base64 and the rest of the input included). */
const PLAN_MAX_BYTES = 640 * 1024;

/**
 * Where the driver keeps, beside a saved plan, the stack settings file of the runner that made it (the
 * salt of the secrets manager that sealed the plan's secret values), for the runner that applies it.
 */
function planStackSettings(planFile: string): string {
  return path.join(path.dirname(planFile), "plan.stack-settings.yaml");
}

/** How long the API server may be unreachable while a Job is created or deleted (it restarts, it is overloaded). */
const API_PATIENCE_MS = 120_000;

/** How long after a stop's grace a runner's log may stay silent before it is given up (its node may be gone). */
const LOG_PATIENCE_MS = 15_000;

/** Waiting reasons of a runner container that will not start without someone's help. */
const STUCK = new Set([
  "ErrImagePull",
  "ImagePullBackOff",
  "ErrImageNeverPull",
  "InvalidImageName",
  "CreateContainerConfigError",
  "CreateContainerError",
]);

/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are untyped JSON here */

/** How the runners reach one cluster: the kubeconfig file, and the API server address replacing its own. */
interface RunnerCluster {
  readonly kubeconfig: string;
  readonly server?: string;
}

/**
 * The problems of running a workspace's jobs in runners: a backend the runners cannot share, a program
 * other than the package's (the runner image holds the package's), a cluster without a kubeconfig.
 */
function runnerWorkspaceProblems(
  workspace: WorkspaceOptions,
  resolved: ResolvedWorkspaceOptions,
  clusters: Record<string, RunnerCluster | undefined>,
) {
  const problems: string[] = [];
  if (resolved.backendUrl.startsWith("file://"))
    problems.push(
      `\`workspace.backendUrl\` must be a backend the runners share, such as "s3://<bucket>" (got "${resolved.backendUrl}"): runner pods on other nodes cannot read a file:// backend`,
    );
  if (workspace.program !== undefined || workspace.inlineProgram === false)
    problems.push(
      "`workspace.program` and `workspace.inlineProgram` must be left unset: a runner runs the package's program, from its image",
    );
  for (const [name, cluster] of Object.entries(clusters))
    if (!cluster)
      problems.push(
        `\`runners.clusters.${name}.kubeconfig\` must be set: the workspace reaches cluster "${name}" with the engine's own KUBECONFIG, which is not set`,
      );
  return problems;
}

/** Runs each stack job as a Kubernetes Job of one runner pod, at most `concurrency` at once. */
export class KubernetesExecutor implements Executor {
  readonly settings: ResolvedRunnerSettings;
  private readonly kube: KubeClient;
  private readonly workspace: WorkspaceOptions;
  private readonly resolved: ResolvedWorkspaceOptions;
  private readonly clusters: Record<string, RunnerCluster>;
  private readonly slots: Slots;
  private readonly pollMs: number;
  /** The namespace, ServiceAccount and ResourceQuota, applied once before the first Job. */
  private prepared?: Promise<void>;
  /** The Jobs running, each with what stops it. */
  private readonly running = new Map<string, () => Promise<void>>();
  private closed = false;

  /** Checks every setting, throwing one InputError listing every problem; touches nothing. */
  constructor(options: KubernetesExecutorOptions) {
    this.settings = parseInput(RunnerSettingsSchema, options.runners, "runner settings", { rename: (field) => `runners.${field}` });
    this.resolved = resolveWorkspaceOptions(options.workspace);
    this.workspace = options.workspace;
    const clusters: Record<string, RunnerCluster | undefined> = {};
    for (const [name, kubeconfig] of Object.entries(this.resolved.clusters)) {
      const own = this.settings.clusters[name];
      const file = own?.kubeconfig ?? kubeconfig;
      clusters[name] = file === undefined ? undefined : { kubeconfig: file, server: own?.server };
    }
    const problems = runnerWorkspaceProblems(options.workspace, this.resolved, clusters);
    for (const name of Object.keys(this.settings.clusters))
      if (!(name in this.resolved.clusters))
        problems.push(
          `\`runners.clusters\` names cluster "${name}", which the workspace does not have (it has: ${Object.keys(this.resolved.clusters).join(", ")})`,
        );
    const runnerKubeconfig = this.settings.kubeconfig ?? this.resolved.clusters[DEFAULT_CLUSTER] ?? process.env.KUBECONFIG;
    if (runnerKubeconfig === undefined)
      problems.push("`runners.kubeconfig` must be set: there is no `local` cluster kubeconfig or KUBECONFIG to create runner Jobs with");
    if (problems.length > 0) throw new InputError("runner settings", problems);
    rememberSecret(this.resolved.passphrase);
    this.clusters = clusters as Record<string, RunnerCluster>;
    this.kube = KubeClient.fromKubeconfig(runnerKubeconfig!);
    this.slots = new Slots(this.settings.concurrency);
    this.pollMs = options.pollMs ?? 1000;
  }

  async run(job: StackJob, options: ExecutorRunOptions = {}): Promise<StackJobResult> {
    if (options.signal?.aborted) throw new CancelledError(`${job.kind} of ${job.stack}`);
    await this.slots.take();
    try {
      if (this.closed) throw new WorkerCrashedError(job.stack, "the executor was closed before its runner started");
      await this.prepare();
      return await this.runJob(job, options);
    } finally {
      this.slots.release();
    }
  }

  /** Applies the runner namespace, ServiceAccount and ResourceQuota (once; again after a failure). */
  private prepare(): Promise<void> {
    this.prepared ??= (async () => {
      for (const object of runnerNamespaceObjects(this.settings))
        await this.kube.apply(await this.kube.pathOf(object), object, { fieldManager: "tenantstack-executor" });
    })().catch((error: unknown) => {
      this.prepared = undefined;
      throw error;
    });
    return this.prepared;
  }

  /** Where this driver keeps a stack's saved plan: where the local executor's workers do. */
  private planFile(stack: string): string {
    return planFile({ workDir: (name) => stackWorkDir(this.resolved.stateDir, name) }, stack);
  }

  /**
   * The saved plan a job takes to its runner: a fresh key for it, and for an update the plan the driver
   * keeps, sealed (none kept: the runner refuses the update as the local executor does).
   */
  private planInput(job: StackJob): RunnerInput["plan"] {
    if (!job.plan) return undefined;
    const key = planKey();
    const file = this.planFile(job.stack);
    if (job.kind !== "up" || !existsSync(file)) return { key };
    const plan = readFileSync(file, "utf8");
    const settings = planStackSettings(file);
    const stackSettings = existsSync(settings) ? readFileSync(settings, "utf8") : undefined;
    const size = plan.length + (stackSettings?.length ?? 0);
    if (size > PLAN_MAX_BYTES)
      throw new InputError("stack job", [
        `the saved plan of stack "${job.stack}" is ${Math.ceil(size / 1024)} KiB, more than the ${PLAN_MAX_BYTES / 1024} KiB a runner's Secret can carry: update it without a saved plan, or with the local executor`,
      ]);
    return { key, sealed: sealSavedPlan({ plan, ...(stackSettings !== undefined ? { stackSettings } : {}) }, key) };
  }

  /** The runner's input: the job, the workspace as the runner builds it, the kubeconfig of the job's cluster. */
  private input(job: StackJob): RunnerInput {
    const cluster = job.cluster ?? DEFAULT_CLUSTER;
    const reach = this.clusters[cluster];
    if (!reach) throw new InputError("stack job", [`\`cluster\` must be one of the workspace's clusters (got "${cluster}")`]);
    // The runner's KUBECONFIG is the job's cluster's, written from its input.
    const env = Object.fromEntries(Object.entries(this.workspace.env ?? {}).filter(([name]) => name !== "KUBECONFIG"));
    return {
      job,
      workspace: {
        backendUrl: this.resolved.backendUrl,
        secretsProvider: this.workspace.secretsProvider,
        passphrase: this.resolved.passphrase,
        env,
      },
      kubeconfigs: { [cluster]: portableKubeconfig(reach.kubeconfig, reach.server) },
      ...(job.plan ? { plan: this.planInput(job) } : {}),
    };
  }

  /**
   * A call to the API server, again after a failure a retry may fix (the server restarting, overloaded
   * or unreachable) until `deadline` (ms since the epoch); then, or on any other failure, its error.
   */
  private async steady<T>(deadline: number, call: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await call();
      } catch (error) {
        const transient = error instanceof KubeApiError ? error.retryable : typeof (error as NodeJS.ErrnoException).code === "string";
        if (!transient || Date.now() >= deadline) throw error;
        await this.pause();
      }
    }
  }

  private async runJob(job: StackJob, options: ExecutorRunOptions): Promise<StackJobResult> {
    const { namespace } = this.settings;
    const name = runnerJobName(job.stack);
    const input = this.input(job);
    const soon = () => Date.now() + API_PATIENCE_MS;
    const created = await this.steady(soon(), () =>
      this.kube.request<any>(
        "POST",
        `/apis/batch/v1/namespaces/${namespace}/jobs`,
        runnerJob(name, job, this.settings, runnerStackKey(this.resolved.backendUrl, job.stack)),
      ),
    ).catch((error: unknown) => {
      throw new WorkerCrashedError(job.stack, `its runner Job could not be created: ${(error as Error).message}`);
    });
    try {
      await this.steady(soon(), () =>
        this.kube.request("POST", `/api/v1/namespaces/${namespace}/secrets`, runnerSecret(name, namespace, input, created.metadata.uid)),
      ).catch((error: unknown) => {
        throw new WorkerCrashedError(job.stack, `its runner's Secret could not be created: ${(error as Error).message}`);
      });
      options.onEvent?.({ type: "started", stack: job.stack, pid: -1, runner: `${namespace}/${name}` });
      return this.withPlan(job, await this.follow(name, job, options), input.plan?.key);
    } finally {
      await this.remove(name, soon()).catch(() => false);
    }
  }

  /** Deletes a runner's Secret, first (its input holds the passphrase), then its Job, which takes its pod with it. */
  private async remove(name: string, deadline: number): Promise<void> {
    const { namespace } = this.settings;
    await this.steady(deadline, () => this.kube.delete(`/api/v1/namespaces/${namespace}/secrets/${name}`)).catch(() => false);
    await this.steady(deadline, () =>
      this.kube.delete(`/apis/batch/v1/namespaces/${namespace}/jobs/${name}`, "propagationPolicy=Background"),
    );
  }

  /**
   * Ends the runners of `stack` this executor did not start: those of a driver that died (killed, its
   * host lost) or lost the stack's lease, which keep running their engine without anyone following them.
   * Called under the stack's lease, before the stack is recovered: each is stopped as a cancel is (SIGTERM,
   * the engine interrupted cleanly within the cancel grace), awaited until its pod is gone, and deleted
   * with its Secret. Resolves how many there were; rejects with a retryable StackLockedError when one's pod
   * did not go (its node unreachable): its engine may still run until its deadline.
   */
  async endOrphans(stack: string): Promise<number> {
    const { namespace, cancelGraceSeconds } = this.settings;
    const selector = `labelSelector=${encodeURIComponent(`tenantstack.io/stack-key=${runnerStackKey(this.resolved.backendUrl, stack)}`)}`;
    const deadline = Date.now() + cancelGraceSeconds * 1000 + API_PATIENCE_MS;
    const jobs = await this.steady(deadline, () => this.kube.list(`/apis/batch/v1/namespaces/${namespace}/jobs?${selector}`));
    const orphans: string[] = jobs.map((job: any) => job.metadata.name).filter((name: string) => !this.running.has(name));
    await Promise.all(orphans.map((name) => this.stop(name, cancelGraceSeconds)));
    for (const name of orphans) {
      const pods = `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(`tenantstack.io/runner=${name}`)}`;
      for (;;) {
        const left = await this.steady(deadline, () => this.kube.list(pods));
        if (left.length === 0) break;
        if (Date.now() >= deadline)
          throw new StackLockedError(
            stack,
            `runner pod ${namespace}/${left[0].metadata.name}, which another driver left and which did not end within ${cancelGraceSeconds} s of its cancel (its node unreachable?); it ends by its deadline`,
          );
        await this.pause();
      }
      await this.remove(name, deadline);
    }
    return orphans.length;
  }

  /** Stops a runner: its Job suspended (no pod replaces it) and its pod deleted with `graceSeconds` (SIGTERM, then SIGKILL). */
  private async stop(name: string, graceSeconds: number): Promise<void> {
    const { namespace } = this.settings;
    await this.kube
      .request("PATCH", `/apis/batch/v1/namespaces/${namespace}/jobs/${name}`, { spec: { suspend: true } }, "application/merge-patch+json")
      .catch(() => undefined);
    await this.kube
      .request(
        "DELETE",
        `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(`tenantstack.io/runner=${name}`)}&gracePeriodSeconds=${graceSeconds}`,
      )
      .catch(() => undefined);
  }

  /**
   * A result with its saved plan where this driver keeps plans: a preview's, unsealed there (its
   * `planFile` then names it); an update's, applied, removed (as a local worker removes it).
   */
  private withPlan(job: StackJob, done: { result: StackJobResult; sealedPlan?: string }, key: string | undefined): StackJobResult {
    const { result, sealedPlan } = done;
    if (!job.plan) return result;
    const file = this.planFile(job.stack);
    if (job.kind === "up") {
      for (const used of [file, planStackSettings(file)]) rmSync(used, { force: true });
      return result;
    }
    if (sealedPlan === undefined || key === undefined) return { ...result, planFile: undefined };
    const saved = unsealSavedPlan(sealedPlan, key);
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, saved.plan, { mode: 0o600 });
    if (saved.stackSettings !== undefined) writeFileSync(planStackSettings(file), saved.stackSettings, { mode: 0o600 });
    return { ...result, planFile: file };
  }

  /** Follows a runner Job's pod to its end: its log's messages, then its result (with its sealed plan), typed error or death. */
  private async follow(name: string, job: StackJob, options: ExecutorRunOptions): Promise<{ result: StackJobResult; sealedPlan?: string }> {
    const { namespace, timeoutSeconds, cancelGraceSeconds } = this.settings;
    const what = `${job.kind} of ${job.stack}`;
    let outcome: { result: StackJobResult; sealedPlan?: string } | { error: WireError } | undefined;
    let stopped: "cancel" | "timeout" | "close" | undefined;
    let podName: string | undefined;
    let read = 0;
    const tail: string[] = [];
    const logs = new AbortController();
    let givingUp: NodeJS.Timeout | undefined;
    const stopWith = (why: "cancel" | "timeout" | "close", graceSeconds: number) => {
      stopped ??= why;
      // The log of a pod whose node stopped answering neither ends nor fails: it is given up once the
      // runner should have stopped, and the pod's own state decides.
      givingUp ??= setTimeout(() => logs.abort(), graceSeconds * 1000 + LOG_PATIENCE_MS);
      return this.stop(name, graceSeconds);
    };
    const onAbort = () => void stopWith("cancel", cancelGraceSeconds);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => void stopWith("timeout", 0), timeoutSeconds * 1000);
    this.running.set(name, () => stopWith("close", 0));
    const onLine = (line: string) => {
      const message = parseRunnerLine(line);
      if (!message) {
        tail.push(line);
        if (tail.length > 5) tail.shift();
        return;
      }
      if (message.n <= read) return; // read before the log was followed again
      read = message.n;
      if (message.type === "event") options.onEvent?.({ type: "step", ...message.event });
      else if (message.type === "result") outcome = { result: message.result, sealedPlan: message.sealedPlan };
      else if (message.type === "error") outcome = { error: message.error };
    };
    let pod: any;
    // Past the runner's own deadline (kept by the kubelet), it has ended whatever the API server says.
    const deadline = Date.now() + (timeoutSeconds + cancelGraceSeconds) * 1000 + API_PATIENCE_MS;
    const podAt = (path: string) => this.steady(deadline, () => this.kube.get(path));
    const selector = `labelSelector=${encodeURIComponent(`tenantstack.io/runner=${name}`)}`;
    let overdue = false;
    try {
      for (;;) {
        // A pod on a node that stopped answering stays Unknown, or Terminating, for as long as the node is gone.
        if (Date.now() >= deadline) {
          overdue = true;
          break;
        }
        pod = podName
          ? await podAt(`/api/v1/namespaces/${namespace}/pods/${podName}`)
          : (await this.steady(deadline, () => this.kube.list(`/api/v1/namespaces/${namespace}/pods?${selector}`)))[0];
        if (!pod) {
          // Not created yet (or, once seen, deleted): a stopped runner that never started, or a deleted one, ends here.
          if (podName || stopped) break;
          await this.pause();
          continue;
        }
        podName = pod.metadata.name;
        const phase: string = pod.status?.phase ?? "Pending";
        if (phase === "Pending") {
          const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
          if (waiting && STUCK.has(waiting.reason)) {
            await this.stop(name, 0);
            throw new WorkerCrashedError(
              job.stack,
              `its runner pod ${namespace}/${podName} cannot start: ${waiting.reason}: ${waiting.message ?? ""}`.trim(),
            );
          }
          if (pod.metadata.deletionTimestamp && stopped) break;
          await this.pause();
          continue;
        }
        await this.kube
          .stream(`/api/v1/namespaces/${namespace}/pods/${podName}/log?container=runner&follow=true`, onLine, logs.signal)
          .catch(() => undefined); // a log not yet or no longer served: the pod says why below
        if (outcome) break;
        const now = await podAt(`/api/v1/namespaces/${namespace}/pods/${podName}`);
        // Only a pod that ended is done: one whose node is unreachable (Unknown) may still be running its engine.
        if (!now || now.status?.phase === "Succeeded" || now.status?.phase === "Failed") {
          pod = now ?? pod;
          if (now) {
            // Its last lines, when the stream ended before it did.
            await this.kube
              .stream(`/api/v1/namespaces/${namespace}/pods/${podName}/log?container=runner`, onLine, logs.signal)
              .catch(() => undefined);
          }
          break;
        }
        await this.pause();
      }
    } catch (error) {
      if (error instanceof WorkerCrashedError) throw error;
      throw new WorkerCrashedError(
        job.stack,
        `its runner's API server could not be reached until the runner's deadline, by which its node ended it (${(error as Error).message})`,
      );
    } finally {
      clearTimeout(timer);
      clearTimeout(givingUp);
      options.signal?.removeEventListener("abort", onAbort);
      this.running.delete(name);
      logs.abort();
    }
    if (outcome && "result" in outcome) return outcome;
    if (stopped === "cancel") throw new CancelledError(what);
    if (outcome && outcome.error.code !== "cancelled") throw fromWire(outcome.error);
    if (stopped === "timeout") throw new WorkerCrashedError(job.stack, `timed out after ${timeoutSeconds} s and its runner pod was killed`);
    if (stopped === "close") throw new WorkerCrashedError(job.stack, "the executor was closed and its runner pod was killed");
    if (overdue)
      throw new WorkerCrashedError(
        job.stack,
        `its runner pod ${namespace}/${podName ?? name} did not end by its deadline (its node lost?); the kubelet ends it by then if its node runs`,
      );
    throw new WorkerCrashedError(
      job.stack,
      `${deathOf(namespace, podName, pod, outcome !== undefined)}${tail.length ? `:\n${tail.join("\n")}` : ""}`,
    );
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.pollMs));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.running.values()].map((stop) => stop().catch(() => undefined)));
    this.kube.close();
  }
}

/** Why a runner pod ended without a result: deleted, evicted, out of memory, exited. */
function deathOf(namespace: string, podName: string | undefined, pod: any, interrupted: boolean): string {
  const where = `its runner pod ${namespace}/${podName ?? "(never created)"}`;
  if (interrupted) return `${where} was stopped by someone else (deleted or evicted) and interrupted its engine`;
  const terminated = pod?.status?.containerStatuses?.[0]?.state?.terminated;
  if (terminated) return `${where} exited with code ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ""}`;
  if (pod?.status?.reason) return `${where} failed: ${pod.status.reason}${pod.status.message ? `: ${pod.status.message}` : ""}`;
  return `${where} was deleted before it reported a result`;
}
