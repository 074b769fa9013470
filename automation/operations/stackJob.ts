/**
 * One engine operation on one stack, as a worker process runs it: preview (optionally saving a plan),
 * up (optionally applying exactly a saved plan), refresh with a drift report, destroy (refused while
 * protected data exists unless forced), outputs, and recover (make a file backend's checkpoint
 * loadable again, cancel a dead engine's lock, adopt or clear pending operations, refresh).
 */
import { existsSync, rmSync } from "node:fs";
import * as path from "node:path";
import { ConcurrentUpdateError, type EngineEvent, type OutputMap, type Stack } from "@pulumi/pulumi/automation";
import type { StackInput } from "../../schema";
import { repaired, type CheckpointRepair, lockFiles } from "../checkpointRepair";
import { KubeClient } from "../kube";
import type { FleetStack } from "../registry/tenant";
import {
  PassphraseIncorrectError,
  PlanMismatchError,
  ProtectedResourcesError,
  PulumiPluginMissingError,
  StackLockedError,
  StackOperationError,
  TenantstackError,
} from "../errors";
import { enginePlugins } from "../pulumiCli";
import type { WorkspaceFactory } from "../workspace";
import { ChangeCollector, type ChangeSummary } from "./changes";
import { driftBetween, type Drift } from "./drift";
import { stackDeployedBefore } from "./earlierDeployment";
import { adoptPendingCreates, clusterLookup, type ObjectLookup } from "./pendingCreates";
import { planViolations } from "./planViolations";
import { OutputsCollector, withReportedOutputs } from "./reportedOutputs";

/** Operations a stack job can run. */
export type StackJobKind = "preview" | "up" | "refresh" | "destroy" | "outputs" | "recover";

/** What a worker is asked to do; plain data. */
export interface StackJob {
  /** The operation. */
  readonly kind: StackJobKind;
  /** The Pulumi stack. */
  readonly stack: string;
  /**
   * The cluster the stack runs on, one of the workspace's `clusters`.
   * @default - the engine's own `KUBECONFIG` (the workspace's `env`, else the driver's)
   */
  readonly cluster?: string;
  /**
   * The stack's settings, set as its config before a preview or up.
   * @default - the stack's current config
   */
  readonly settings?: StackInput;
  /**
   * Preview: save the update plan; up: apply exactly the saved plan.
   * @default false
   */
  readonly plan?: boolean;
  /**
   * Destroy even though the stack holds protected data (the StatefulSets' volume claims are retained).
   * @default false
   */
  readonly forceDestroyData?: boolean;
  /**
   * Up only, for a rollback: update the stack only when its history shows it deployed before this time
   * (ISO 8601), else change nothing and report `noEarlierDeployment` (a stack first deployed by the
   * failed operation has no earlier version to return to).
   * @default - always update
   */
  readonly onlyIfDeployedBefore?: string;
}

/** Which stack a job runs on, and its cluster. */
export function jobTarget(stack: FleetStack): Pick<StackJob, "stack" | "cluster"> {
  return { stack: stack.name, cluster: stack.cluster };
}

/** What a stack job produced. */
export interface StackJobResult {
  /** The stack and the operation. */
  readonly stack: string;
  readonly kind: StackJobKind;
  /** The changes (preview, up, destroy). */
  readonly changes?: ChangeSummary;
  /** The drift found (refresh, recover). */
  readonly drift?: readonly Drift[];
  /** The stack outputs, secrets shown as `[secret]`. */
  readonly outputs?: Record<string, unknown>;
  /** What a recovery found and did (recover). */
  readonly recovery?: StackRecovery;
  /** The saved plan's path (preview with `plan`). */
  readonly planFile?: string;
  /** Up with `onlyIfDeployedBefore`: the stack was not deployed before that time, so nothing was updated. */
  readonly noEarlierDeployment?: boolean;
  /** How long it took. */
  readonly durationMs: number;
}

/** What a recovery found and did, each part empty when there was nothing to do. */
export interface StackRecovery {
  /** The file backend's repair: unreadable sidecars and temporary files removed, the checkpoint restored from a copy. */
  readonly checkpoint?: CheckpointRepair;
  /** The engine lock files the interrupted run left, removed (`pulumi cancel`); file backends only. */
  readonly locksRemoved: readonly string[];
  /** The pending operations the interrupted run left in the state, as `<type> <urn>`. */
  readonly pendingOperations: readonly string[];
  /** Pending creates whose object exists, adopted into the state (URNs). */
  readonly adopted: readonly string[];
  /** Pending creates cleared: nothing was created, or not a Kubernetes object (URNs). */
  readonly cleared: readonly string[];
}

/** The kinds of recovery a {@link StackRecovery} did: `checkpoint` (repaired or restored), `lock`, `pending`. */
export function recoveryKinds(recovery: StackRecovery): ("checkpoint" | "lock" | "pending")[] {
  return [
    ...(recovery.checkpoint && repaired(recovery.checkpoint) ? (["checkpoint"] as const) : []),
    ...(recovery.locksRemoved.length > 0 ? (["lock"] as const) : []),
    ...(recovery.pendingOperations.length > 0 ? (["pending"] as const) : []),
  ];
}

/** A progress event of a stack job. */
export interface StackJobEvent {
  /** The stack. */
  readonly stack: string;
  /** A resource step starting: its operation, type and name. */
  readonly op: string;
  readonly resourceType: string;
  readonly name: string;
}

/** The plan file of a stack, in its private work directory. */
export function planFile(factory: Pick<WorkspaceFactory, "workDir">, stack: string): string {
  return path.join(factory.workDir(stack), "plan.json");
}

/** The stack settings file of a stack's work directory (`Pulumi.<stack>.yaml`: its config, and the salt of its passphrase secrets). */
export function stackSettingsFile(factory: Pick<WorkspaceFactory, "workDir">, stack: string): string {
  return path.join(factory.workDir(stack), `Pulumi.${stack.split("/").pop()}.yaml`);
}

/** Runs a stack job in this process. */
export async function runStackJob(
  factory: WorkspaceFactory,
  job: StackJob,
  onEvent?: (event: StackJobEvent) => void,
  signal?: AbortSignal,
): Promise<StackJobResult> {
  const started = Date.now();
  const collector = new ChangeCollector();
  const reported = new OutputsCollector();
  const events = (event: EngineEvent) => {
    collector.onEvent(event);
    reported.onEvent(event);
    const metadata = event.resourcePreEvent?.metadata;
    if (metadata && onEvent)
      onEvent({ stack: job.stack, op: metadata.op, resourceType: metadata.type, name: metadata.urn.split("::").pop() ?? metadata.urn });
  };
  const result = (extra: Partial<StackJobResult>): StackJobResult => ({
    stack: job.stack,
    kind: job.kind,
    durationMs: Date.now() - started,
    ...extra,
  });
  try {
    // A killed engine can leave the checkpoint of a file backend unloadable: repaired before anything selects the stack.
    const checkpoint = job.kind === "recover" ? factory.repairCheckpoint(job.stack) : undefined;
    if (job.kind === "recover" && !(await factory.exists(job.stack)))
      return result({ drift: [], recovery: { checkpoint, locksRemoved: [], pendingOperations: [], adopted: [], cleared: [] } });
    const stack =
      job.settings !== undefined
        ? await factory.stack(job.stack, job.settings, job.cluster)
        : await factory.select(job.stack, false, job.cluster);
    const plan = planFile(factory, job.stack);
    switch (job.kind) {
      case "preview":
        if (job.plan) rmSync(plan, { force: true });
        await stack.preview({ onEvent: events, signal, ...(job.plan ? { plan } : {}) });
        return result({ changes: collector.summary(), ...(job.plan ? { planFile: plan } : {}) });
      case "up":
        if (job.plan && !existsSync(plan)) throw new PlanMismatchError(job.stack, "No saved plan: run a preview with a plan first.");
        if (job.onlyIfDeployedBefore !== undefined && !(await stackDeployedBefore(stack, new Date(job.onlyIfDeployedBefore))))
          return result({ noEarlierDeployment: true });
        const { outputs } = await withReportedOutputs(stack, reported).up({ onEvent: events, signal, ...(job.plan ? { plan } : {}) });
        if (job.plan) rmSync(plan, { force: true });
        return result({ changes: collector.summary(), outputs: shown(outputs) });
      case "refresh": {
        const before = await stack.exportStack();
        await stack.refresh({ onEvent: events, signal });
        return result({ drift: driftBetween(before, await stack.exportStack()) });
      }
      case "recover": {
        const files = factory.backendFiles(job.stack);
        const locksRemoved = files ? lockFiles(files) : [];
        // `cancel` fails when no update holds the lock: nothing to cancel then.
        await stack.cancel().catch(() => undefined);
        const before = await stack.exportStack();
        const kube = lazyKube(factory.engineEnv(job.cluster).KUBECONFIG ?? process.env.KUBECONFIG);
        try {
          const adoption = await adoptPendingCreates(before, kube.lookup);
          if (adoption.adopted.length > 0) await stack.importStack(adoption.state);
          await stack.refresh({ onEvent: events, signal, clearPendingCreates: true });
          const { pending: pendingOperations, adopted, cleared } = adoption;
          return result({
            drift: driftBetween(before, await stack.exportStack()),
            recovery: { checkpoint, locksRemoved, pendingOperations, adopted, cleared },
          });
        } finally {
          kube.close();
        }
      }
      case "destroy":
        await destroy(factory, stack, job, events, signal);
        return result({ changes: collector.summary() });
      case "outputs":
        return result({ outputs: shown(await stack.outputs()) });
    }
  } catch (error) {
    throw engineError(job, error, collector);
  }
}

/** Destroys a stack: refused while it holds protected resources, unless forced (they are unprotected first). */
async function destroy(
  factory: WorkspaceFactory,
  stack: Stack,
  job: StackJob,
  onEvent: (event: EngineEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  const state = await stack.exportStack();
  const resources = (state.deployment as { resources?: { urn: string; protect?: boolean }[] }).resources ?? [];
  const protectedUrns = resources.filter((r) => r.protect).map((r) => r.urn.split("::").pop() ?? r.urn);
  if (protectedUrns.length > 0 && !job.forceDestroyData) throw new ProtectedResourcesError(job.stack, protectedUrns);
  if (protectedUrns.length > 0) await factory.unprotectAll(job.stack);
  await stack.destroy({ onEvent, signal });
}

/** Looks pending objects up on the cluster, connecting only when there is one to look up; none without a kubeconfig. */
function lazyKube(kubeconfig: string | undefined): { lookup: ObjectLookup; close: () => void } {
  let kube: KubeClient | undefined;
  return {
    lookup: async (resource) => {
      if (kubeconfig === undefined) return undefined;
      kube ??= KubeClient.fromKubeconfig(kubeconfig);
      return clusterLookup(kube)(resource);
    },
    close: () => kube?.close(),
  };
}

/** A stack's outputs as shown, secret values replaced by `[secret]`. */
function shown(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.secret ? "[secret]" : output.value]));
}

/**
 * Turns an engine failure into a typed error; diagnostics are the engine's, with secrets masked by it,
 * except a plan's deviations, which the engine prints with their values: only the resources and the
 * names of what changed are kept of those. A passphrase that does not unlock the stack's secrets
 * (the engine's `incorrect passphrase`, whichever command met it) is a PassphraseIncorrectError.
 * @internal
 */
export function engineError(job: StackJob, error: unknown, changes: ChangeCollector): Error {
  if (error instanceof TenantstackError) return error;
  if (error instanceof ConcurrentUpdateError) return new StackLockedError(job.stack, "another engine update (the backend holds its lock)");
  const text = String((error as Error)?.message ?? error);
  const diagnostics = changes.errorMessages;
  if (/incorrect passphrase/i.test(`${text}\n${diagnostics.join("\n")}`)) return new PassphraseIncorrectError(job.stack);
  const missing = missingPlugin(`${text}\n${diagnostics.join("\n")}`);
  if (missing) return new PulumiPluginMissingError(job.stack, missing.kind, missing.name, missing.version, enginePlugins());
  if (/violates plan|plan (is not valid|does not match)/i.test(`${text}\n${diagnostics.join("\n")}`)) {
    const violations = planViolations([...diagnostics, text]);
    const detail =
      violations.length > 0 ? violations.join("\n") : "The engine named no resource (its message is withheld: it carries property values).";
    return job.plan ? new PlanMismatchError(job.stack, detail, changes.applied) : new StackOperationError(job.stack, job.kind, detail);
  }
  return new StackOperationError(job.stack, job.kind, diagnostics.length > 0 ? diagnostics.join("\n") : lastLines(text));
}

function lastLines(text: string): string {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(-15)
    .join("\n");
}

/**
 * The plugin an engine's message says it did not find: `no resource plugin 'pulumi-resource-kubernetes'
 * found in the workspace at version v4.25.0 or on your $PATH` (and the older `'kubernetes-v4.25.0'`).
 */
export function missingPlugin(text: string): { kind: string; name: string; version?: string } | undefined {
  const match =
    /no (resource|language|analyzer|converter|tool) plugin '(?:pulumi-(?:resource|language|analyzer|converter|tool)-)?([A-Za-z0-9_.-]+?)(?:-v(\d[^']*))?' found in the workspace(?: at version v([0-9][0-9A-Za-z.+-]*))?/.exec(
      text,
    );
  if (!match) return undefined;
  const [, kind, name, oldVersion, version] = match;
  const found = version ?? oldVersion;
  return { kind, name, ...(found !== undefined ? { version: found } : {}) };
}
