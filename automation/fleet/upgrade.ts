/**
 * A fleet upgrade: roll a new app version across the fleet's stacks, canary wave first, then waves
 * of a configured size with bounded concurrency; a health gate after each stack; stop on the first
 * failure (later waves untouched), optionally rolling the failed stack back to its previous version.
 * Journaled: a re-run of the same operation id continues where it stopped.
 */
import { FleetUpgradeOptionsSchema } from "../../schema/operations";
import { CancelledError, HealthGateError, type WireError } from "../errors";
import { parseInput } from "../input";
import type { OperationJournal, OperationRecord } from "../journal/journal";
import { resultDetail, runJournaledStep } from "../journal/runStep";
import { OperationStepJournal } from "../journal/stepJournals";
import type { StackRunner } from "../operations/stackRunner";
import { jobTarget } from "../operations/stackJob";
import type { DriverEvent, OperationOptions, StackStatus } from "../operations/events";
import type { TenantRegistry } from "../registry/registry";
import { atVersion, checkStack, parseVersion, type FleetStack } from "../registry/tenant";
import { checkHealth, type HealthGateOptions, type HealthReport } from "./health";
import { boundedEach, planWaves, type WaveOptions } from "./waves";

/** Options of a fleet upgrade. */
export interface FleetUpgradeOptions extends OperationOptions, WaveOptions {
  /** The app version to roll out (the image tag of the API and worker). */
  readonly version: string;
  /**
   * Only the stacks serving these tenants.
   * @default - the whole fleet
   */
  readonly tenants?: readonly string[];
  /**
   * Roll a stack that fails its update or health gate back to its previous version.
   * @default false
   */
  readonly rollback?: boolean;
  /**
   * The health gate.
   * @default - workloads ready within 120 s, no HTTP check
   */
  readonly health?: HealthGateOptions;
}

/** What happened to one stack. */
export interface StackUpgrade {
  readonly stack: string;
  /**
   * `upgraded`, `skipped` (already upgraded by an earlier run), `failed`, `rolled-back`, `cancelled` (stopped by the
   * operation's signal: a re-run of the operation id continues it), `untouched`.
   */
  readonly status: "upgraded" | "skipped" | "failed" | "rolled-back" | "cancelled" | "untouched";
  /** The version it runs now, as far as the driver knows. */
  readonly version: string;
  /** The health report, when the gate ran. */
  readonly health?: HealthReport;
  /** The failure. */
  readonly error?: WireError;
  /**
   * The rollback of a failed stack, when one was asked for: `rolled-back` to its previous version,
   * `failed`, or `skipped` when the stack had no deployment before this upgrade (nothing to return to:
   * it stays as the failed upgrade left it).
   */
  readonly rollback?: { readonly status: "rolled-back" | "failed" | "skipped"; readonly detail: string };
}

/** The result of a fleet upgrade. */
export interface FleetUpgradeResult {
  readonly operationId: string;
  readonly status: "succeeded" | "failed" | "cancelled";
  readonly version: string;
  /** Whether this run resumed an earlier one. */
  readonly resumed: boolean;
  /** Each wave's stacks, in order. */
  readonly waves: readonly (readonly StackUpgrade[])[];
  /** The stack that stopped the fleet. */
  readonly failedStack?: string;
}

/** What a fleet upgrade needs of the driver. */
export interface FleetUpgradeContext {
  readonly registry: TenantRegistry;
  readonly journal: OperationJournal;
  readonly runner: StackRunner;
  /** The kubeconfig of a cluster for the health gate; undefined when it has none. */
  readonly kubeconfigOf: (cluster: string) => string | undefined;
}

/** Runs (or resumes) a fleet upgrade. */
export async function fleetUpgrade(
  context: FleetUpgradeContext,
  operationId: string,
  options: FleetUpgradeOptions,
): Promise<FleetUpgradeResult> {
  parseInput(FleetUpgradeOptionsSchema, options, "fleet upgrade options");
  const version = parseVersion(options.version);
  const stacks = await context.registry.stacks(options.tenants);
  // Every stack's new settings are checked before any stack is touched.
  for (const stack of stacks) checkStack(atVersion(stack, version));
  const waves = planWaves(stacks, options);
  const params = {
    version,
    tenants: options.tenants ?? null,
    canary: options.canary ?? 1,
    waveSize: options.waveSize ?? 5,
    rollback: options.rollback ?? false,
    // Journaled only when given, so that operations journaled before it was resume as they were.
    ...(options.health?.httpCheckUrl !== undefined ? { httpCheckUrl: options.health.httpCheckUrl } : {}),
  };
  const { operation, resumed } = await context.journal.begin(operationId, "fleet-upgrade", params);
  const emit = (event: DriverEvent) => options.onEvent?.(event);
  emit({ type: "operation", operationId, kind: "fleet-upgrade", status: resumed ? "resumed" : "started" });

  const outcomes = new Map<string, StackUpgrade>();
  let failedStack: string | undefined;
  const stopped = () => failedStack !== undefined || options.signal?.aborted === true;

  for (const [index, wave] of waves.entries()) {
    if (stopped()) break;
    await boundedEach(
      wave,
      options.concurrency ?? 2,
      async (stack) => {
        const outcome = await upgradeStack(context, operation, stack, version, index, options, emit);
        outcomes.set(stack.name, outcome);
        if (outcome.status === "failed" || outcome.status === "rolled-back") failedStack ??= stack.name;
      },
      stopped,
    );
  }

  // A stack interrupted by cancellation is not a failure of the fleet: a re-run continues it.
  const status = options.signal?.aborted ? "cancelled" : failedStack !== undefined ? "failed" : "succeeded";
  const result: FleetUpgradeResult = {
    operationId,
    status,
    version,
    resumed,
    waves: waves.map((wave) =>
      wave.map((stack) => outcomes.get(stack.name) ?? { stack: stack.name, status: "untouched", version: stack.version }),
    ),
    ...(failedStack ? { failedStack } : {}),
  };
  await context.journal.finish(operationId, status, result);
  emit({ type: "operation", operationId, kind: "fleet-upgrade", status });
  if (status === "cancelled") throw Object.assign(new CancelledError(operationId), { result });
  return result;
}

/** Upgrades one stack: up at the new version, health gate, registry update; rollback on failure when asked. */
async function upgradeStack(
  context: FleetUpgradeContext,
  operation: OperationRecord,
  stack: FleetStack,
  version: string,
  wave: number,
  options: FleetUpgradeOptions,
  emit: (event: DriverEvent) => void,
): Promise<StackUpgrade> {
  const operationId = operation.id;
  const event = (status: StackStatus, detail?: string, error?: WireError) =>
    emit({ type: "stack", operationId, stack: stack.name, status, wave, ...(detail ? { detail } : {}), ...(error ? { error } : {}) });
  const step = `${stack.name}:upgrade`;
  const earlier = await context.journal.step(operationId, step);
  if (earlier?.status === "done") {
    event("skipped", "upgraded by an earlier run of this operation");
    return { stack: stack.name, status: "skipped", version };
  }
  const stepOptions = { onEvent: emit, signal: options.signal };
  // Each attempt has steps of its own; an attempt after an interrupted or failed one recovers the stack first.
  let attempt = 0;
  const upgraded = await runJournaledStep(
    new OperationStepJournal(context.journal, operationId),
    step,
    async (record, number): Promise<UpgradeAttempt> => {
      attempt = number;
      event("started");
      const target = atVersion(stack, version);
      const up = await context.runner.run(
        operationId,
        `${stack.name}:up:${attempt}`,
        { kind: "up", ...jobTarget(stack), settings: target.settings },
        { ...stepOptions, recover: record !== undefined },
      );
      if (up.status === "failed") return { failure: up.error };
      event("health-check");
      const namespace = String(up.result?.outputs?.namespace ?? "");
      const kubeconfig = options.health?.kubeconfig ?? context.kubeconfigOf(stack.cluster);
      const health: HealthReport = kubeconfig
        ? await checkHealth(stack.name, namespace, { ...options.health, kubeconfig }, options.signal)
        : { healthy: true, workloads: [], reason: "no kubeconfig: workloads not checked" };
      event(health.healthy ? "healthy" : "unhealthy", health.reason ?? healthSummary(health));
      if (!health.healthy) return { health, failure: new HealthGateError(stack.name, health.reason ?? "not healthy").toJSON() };
      await context.registry.setVersion(stack, version);
      return { health };
    },
    { ...resultDetail<UpgradeAttempt>(), done: ({ health }) => ({ health }), failure: ({ failure }) => failure },
  );
  const { health, failure } = upgraded.result;
  if (failure === undefined) {
    event("succeeded");
    return { stack: stack.name, status: "upgraded", version, health };
  }
  // Stopped by the operation's signal (its up, or its health gate): not a failure of the stack, and nothing to roll back.
  if (options.signal?.aborted) {
    event("cancelled");
    return { stack: stack.name, status: "cancelled", version: stack.version, health, error: failure };
  }
  event("failed", failure.message, failure);
  if (!options.rollback) return { stack: stack.name, status: "failed", version: stack.version, health, error: failure };
  event("rolling-back", `to ${stack.version}`);
  // Only a stack deployed before this upgrade began has a version to return to.
  const back = await context.runner.run(
    operationId,
    `${stack.name}:rollback:${attempt}`,
    { kind: "up", ...jobTarget(stack), settings: stack.settings, onlyIfDeployedBefore: operation.createdAt },
    stepOptions,
  );
  const outcome = { stack: stack.name, version: stack.version, health, error: failure };
  if (back.status === "failed") {
    event("rollback-failed", back.error.message, back.error);
    return { ...outcome, status: "failed", rollback: { status: "failed", detail: back.error.message } };
  }
  if (back.result?.noEarlierDeployment) {
    const detail = `not rolled back: stack "${stack.name}" had no deployment before this upgrade began (${operation.createdAt}), so there is no version to return to; it stays as the failed upgrade left it`;
    event("rollback-skipped", detail);
    return { ...outcome, status: "failed", rollback: { status: "skipped", detail } };
  }
  event("rolled-back", `to ${stack.version}`);
  return { ...outcome, status: "rolled-back", rollback: { status: "rolled-back", detail: `to ${stack.version}` } };
}

/** What an attempt of a stack's upgrade found: its health gate's report, and its failure (its up's, or the gate's). */
interface UpgradeAttempt {
  readonly health?: HealthReport;
  readonly failure?: WireError;
}

/** What a passed health gate found, for its event: `3 workloads ready, HTTP 200`. */
function healthSummary(health: HealthReport): string {
  const count = health.workloads.length;
  return `${count} workload${count === 1 ? "" : "s"} ready${health.httpStatus !== undefined ? `, HTTP ${health.httpStatus}` : ""}`;
}
