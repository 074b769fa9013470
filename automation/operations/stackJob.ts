/**
 * One engine operation on one stack, as a worker process runs it: preview (optionally saving a plan),
 * up (optionally applying exactly a saved plan), refresh with a drift report, destroy (refused while
 * protected data exists unless forced), outputs, and recover (cancel a dead driver's lock, clear
 * pending operations, refresh).
 */
import { existsSync, rmSync } from "node:fs";
import * as path from "node:path";
import { ConcurrentUpdateError, type EngineEvent, type OutputMap, type Stack } from "@pulumi/pulumi/automation";
import type { StackInput } from "../../schema";
import type { FleetStack } from "../registry/tenant";
import { PlanMismatchError, ProtectedResourcesError, StackLockedError, StackOperationError, TenantstackError } from "../errors";
import type { WorkspaceFactory } from "../workspace";
import { ChangeCollector, type ChangeSummary } from "./changes";
import { driftBetween, type Drift } from "./drift";
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
  /** The saved plan's path (preview with `plan`). */
  readonly planFile?: string;
  /** How long it took. */
  readonly durationMs: number;
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
export function planFile(factory: WorkspaceFactory, stack: string): string {
  return path.join(factory.workDir(stack), "plan.json");
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
    if (job.kind === "recover" && !(await factory.exists(job.stack))) return result({ drift: [] });
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
        const { outputs } = await withReportedOutputs(stack, reported).up({ onEvent: events, signal, ...(job.plan ? { plan } : {}) });
        if (job.plan) rmSync(plan, { force: true });
        return result({ changes: collector.summary(), outputs: shown(outputs) });
      case "refresh": {
        const before = await stack.exportStack();
        await stack.refresh({ onEvent: events, signal });
        return result({ drift: driftBetween(before, await stack.exportStack()) });
      }
      case "recover": {
        // `cancel` fails when no update holds the lock: nothing to cancel then.
        await stack.cancel().catch(() => undefined);
        const before = await stack.exportStack();
        await stack.refresh({ onEvent: events, signal, clearPendingCreates: true });
        return result({ drift: driftBetween(before, await stack.exportStack()) });
      }
      case "destroy":
        await destroy(factory, stack, job, events, signal);
        return result({ changes: collector.summary() });
      case "outputs":
        return result({ outputs: shown(await stack.outputs()) });
    }
  } catch (error) {
    throw engineError(job, error, collector.errorMessages);
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

/** A stack's outputs as shown, secret values replaced by `[secret]`. */
function shown(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.secret ? "[secret]" : output.value]));
}

/** Turns an engine failure into a typed error; diagnostics are the engine's, with secrets masked by it. */
function engineError(job: StackJob, error: unknown, diagnostics: readonly string[]): Error {
  if (error instanceof TenantstackError) return error;
  if (error instanceof ConcurrentUpdateError) return new StackLockedError(job.stack, "another engine update (the backend holds its lock)");
  const text = String((error as Error)?.message ?? error);
  const detail = diagnostics.length > 0 ? diagnostics.join("\n") : lastLines(text);
  if (job.plan && /violates plan|plan (is not valid|does not match)/i.test(`${text}\n${detail}`))
    return new PlanMismatchError(job.stack, detail);
  return new StackOperationError(job.stack, job.kind, detail);
}

function lastLines(text: string): string {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(-15)
    .join("\n");
}
