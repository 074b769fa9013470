/** Human output of the `tenantstack` CLI: live progress lines, result summaries, and the journal's operations. */
import type { OperationResult, StackOutcome } from "../driver";
import { type WireError, wireMessageOn } from "../errors";
import type { OperationRecord, OperationSummary, StepRecord } from "../journal/journal";
import type { FleetUpgradeResult } from "../fleet/upgrade";
import type { GcResult } from "../migration/gc";
import type { MigrationResult } from "../migration/migrate";
import type { DriverEvent } from "../operations/events";
import type { RegisteredTenant, StackImages } from "../registry/tenant";
import type { TenantDeletion } from "../tenants/deleteTenant";
import type { TenantUpdate } from "../tenants/updateTenant";
import { CHANGE_LEGEND, changeCounts, changeLines, resourceNames } from "./changeList";

/** One progress line for an event, or undefined for events too fine to show. */
export function progressLine(event: DriverEvent): string | undefined {
  switch (event.type) {
    case "operation":
      return `operation ${event.operationId} (${event.kind}): ${event.status}`;
    case "stack": {
      const detail = event.error ? errorLine(event.error) : event.detail?.split("\n")[0];
      return `${event.wave !== undefined ? `[wave ${event.wave}] ` : ""}${event.stack}: ${event.status}${detail ? ` — ${detail}` : ""}`;
    }
    case "migration":
      if (event.status === "log") return `migrate ${event.step}: ${event.detail ?? ""}`;
      return `migrate ${event.step}: ${event.status}${event.detail ? ` — ${event.detail.split("\n")[0]}` : ""}`;
    case "started":
      return undefined;
    case "step":
      return undefined;
  }
}

/** A table: a header row and rows of cells, each column as wide as its widest cell. */
function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** How a version maps to images: `version 2.4.1: api ghcr.io/x/api:2.4.1, worker ghcr.io/x/worker:2.4.1`. */
export function versionImages(version: string, images: StackImages): string {
  const named = (["api", "worker"] as const).flatMap((part) => (images[part] ? [`${part} ${images[part]}`] : []));
  return `version ${version}${named.length > 0 ? `: ${named.join(", ")}` : ""}`;
}

/**
 * One stack's lines of an operation's summary: its status, counts, drift, outputs (of `outputs`), the
 * version it was set to with its images, and its error, then each changing resource with its changed keys.
 */
function stackLine(s: StackOutcome, kind: string): string {
  const changes = s.result?.changes;
  const counts = changes ? ` ${changeCounts(changes)}` : "";
  const stateful = changes && changes.statefulReplacements.length > 0 ? `  STATEFUL: ${resourceNames(changes.statefulReplacements)}` : "";
  const drift = s.result?.drift
    ? ` drift: ${s.result.drift.length === 0 ? "none" : s.result.drift.map((d) => `${d.kind} ${d.urn.split("::").pop()} (${d.diffs.join(", ")})`).join("; ")}`
    : "";
  const outputs = s.result?.outputs && kind === "outputs" ? ` ${JSON.stringify(s.result.outputs)}` : "";
  const error = s.error ? `\n    ${wireMessageOn(s.error, "cli").split("\n").join("\n    ")}` : "";
  const version = s.version !== undefined && s.images ? `\n    ${versionImages(s.version, s.images)}` : "";
  return [
    `  ${s.stack}: ${s.status}${counts}${stateful}${drift}${outputs}${error}${version}`,
    ...(changes ? changeLines(changes) : []),
  ].join("\n");
}

/** The legend of the change symbols, once, when some stack lists changes. */
function legend(stacks: readonly StackOutcome[]): string[] {
  return stacks.some((s) => s.result?.changes) ? [CHANGE_LEGEND] : [];
}

/** A summary of an operation on stacks: each stack's lines, and the legend of the change symbols once at the end. */
export function operationSummary(result: OperationResult): string {
  const registration =
    result.registration === undefined
      ? ""
      : `; tenant ${result.registration === "created" ? "registered" : "registered already with the same fields"}`;
  return [
    `${result.kind} ${result.status} (operation ${result.operationId})${registration}`,
    ...result.stacks.map((s) => stackLine(s, result.kind)),
    ...legend(result.stacks),
  ].join("\n");
}

/** What a deletion did to its stack, in words. */
const ACTIONS: Record<TenantDeletion["action"], string> = {
  none: "not live, left as it is",
  destroyed: "destroyed",
  left: "updated without the tenant",
};

/** A summary of a tenant's deletion: its stack's step, and whether the registration is gone. */
export function deletionSummary(result: TenantDeletion): string {
  return [
    `delete tenant ${result.tenant} ${result.status} (operation ${result.operationId}${result.resumed ? ", resumed" : ""})`,
    `  stack ${result.stack}: ${result.status === "succeeded" ? ACTIONS[result.action] : `to be ${ACTIONS[result.action]}`}`,
    ...result.stacks.map((s) => stackLine(s, "delete-tenant")),
    `  registration ${result.deleted ? "deleted" : "kept"}`,
    ...legend(result.stacks),
  ].join("\n");
}

/** A summary of a tenant's update: what changes, and where its stack stands (previewed on a dry run). */
export function updateSummary(result: TenantUpdate): string {
  const changed = result.changed.length > 0 ? `changes ${result.changed.join(", ")}` : "changes nothing";
  const next = result.dryRun
    ? [`  preview of stack ${result.stack} with the change (nothing stored):`, ...result.stacks.map((s) => stackLine(s, "preview"))]
    : [`  stack ${result.stack} follows at its next up: \`tenantstack up --tenant ${result.tenant.name}\``];
  return [
    `update tenant ${result.tenant.name} ${result.dryRun ? "(dry run) " : ""}${result.status} (operation ${result.operationId}${result.resumed ? ", resumed" : ""}): ${changed}`,
    ...next,
    ...legend(result.stacks),
  ].join("\n");
}

/** A table of tenants, with the images their version maps to (the tags in their settings are replaced by it). */
export function tenantTable(tenants: readonly RegisteredTenant[]): string {
  return table([
    ["NAME", "PLAN", "ENV", "VERSION", "REGION", "CLUSTER", "HOST", "API IMAGE", "WORKER IMAGE"],
    ...tenants.map((t) => [
      t.name,
      t.plan,
      t.environment,
      t.version,
      t.region,
      t.cluster,
      t.host,
      t.images.api ?? "",
      t.images.worker ?? "",
    ]),
  ]);
}

/** A table of the journal's operations, as listed (newest first). */
export function operationTable(operations: readonly OperationSummary[]): string {
  if (operations.length === 0) return "no operations";
  return table([
    ["ID", "KIND", "STATUS", "STARTED", "UPDATED"],
    ...operations.map((o) => [o.id, o.kind, o.status, o.createdAt, o.updatedAt]),
  ]);
}

/** The first line of an error as the CLI words it. */
function errorLine(error: WireError): string {
  return wireMessageOn(error, "cli").split("\n")[0];
}

/** A journaled step in a line: its status, attempts and, when it failed, the first line of its error. */
function stepLine(step: StepRecord): string {
  const detail = step.detail as Partial<WireError> | undefined;
  const failure =
    step.status === "failed" && typeof detail?.name === "string" && typeof detail.message === "string"
      ? ` — ${errorLine(detail as WireError)}`
      : "";
  return `  ${step.step}: ${step.status}${step.attempts > 1 ? ` (${step.attempts} attempts)` : ""}${failure}`;
}

/** The summary of an operation's journaled result, by its kind. */
function resultSummary(operation: OperationRecord): string | undefined {
  const result = operation.result;
  if (result === undefined || result === null) return undefined;
  switch (operation.kind) {
    case "fleet-upgrade":
      return upgradeSummary(result as FleetUpgradeResult);
    case "migrate":
    case "migrate-plan":
      return migrationSummary(result as MigrationResult);
    case "gc":
      return gcSummary(result as GcResult);
    case "delete-tenant":
      return deletionSummary(result as TenantDeletion);
    case "update-tenant":
      return updateSummary(result as TenantUpdate);
    default:
      return operationSummary(result as OperationResult);
  }
}

/** An operation of the journal as `operation show` prints it: where it stands, its steps and its result. */
export function operationReport(operation: OperationRecord, steps: readonly StepRecord[]): string {
  const result = resultSummary(operation);
  return [
    `operation ${operation.id} (${operation.kind}): ${operation.status}, started ${operation.createdAt}, last changed ${operation.updatedAt}`,
    ...(steps.length > 0 ? ["steps:", ...steps.map(stepLine)] : ["steps: none started"]),
    ...(result !== undefined ? ["result:", result] : []),
  ].join("\n");
}
/** A summary of a fleet upgrade: each wave's stacks. */
export function upgradeSummary(result: FleetUpgradeResult): string {
  const waves = result.waves.map(
    (wave, i) =>
      `  wave ${i}${i === 0 ? " (canary)" : ""}: ${wave.map((s) => `${s.stack} ${s.status}${s.error ? ` (${errorLine(s.error)})` : ""}${s.rollback?.status === "skipped" ? " (not rolled back: no deployment before this upgrade)" : ""}`).join(", ")}`,
  );
  const failed = result.failedStack ? [`  stopped at ${result.failedStack}; later waves untouched`] : [];
  return [
    `fleet upgrade to ${result.version} ${result.status} (operation ${result.operationId}${result.resumed ? ", resumed" : ""})`,
    ...waves,
    ...failed,
  ].join("\n");
}

/** A summary of a migration, or of its plan on a dry run. */
export function migrationSummary(result: MigrationResult): string {
  const head = `migrate ${result.tenant} ${result.from} -> ${result.to}: ${result.status} (operation ${result.operationId}${result.resumed ? ", resumed" : ""})`;
  const stacks = `  stacks: ${result.stacks.source} (source) -> ${result.stacks.target} (target)`;
  const plan = result.plan;
  if (plan) {
    const mb = (plan.postgres.sizeBytes / 1024 / 1024).toFixed(1);
    return [
      head,
      stacks,
      ...plan.steps.map((s) => `  ${s.status.padEnd(10)} ${s.step}: ${s.does}`),
      `  postgres ${plan.postgres.database}: ${mb} MiB, ${plan.postgres.tables.map((t) => `${t.table} ${t.rows} rows`).join(", ") || "no tables"}, ` +
        `${plan.postgres.sequences} sequences, ${plan.postgres.largeObjects} large objects; target: ${plan.postgres.target.kind}`,
      `  redis ${plan.redis.prefix}*: ${plan.redis.keys} keys; target holds ${plan.redis.target.keys}`,
    ].join("\n");
  }
  const steps = result.steps.map((s) => `  ${s.step}: ${s.status}${s.attempts > 1 ? ` (${s.attempts} attempts)` : ""}`);
  const removal = result.removeAfter ? [`  source copy removable by gc after ${result.removeAfter}`] : [];
  const error = result.error ? [`  ${wireMessageOn(result.error, "cli").split("\n").join("\n  ")}`] : [];
  return [head, stacks, ...steps, ...removal, ...error].join("\n");
}

/** A summary of gc: each copy removed or failed, and those still in their grace period. */
export function gcSummary(result: GcResult): string {
  return [
    `gc ${result.status} (operation ${result.operationId})`,
    ...result.removals.map(
      (r) =>
        `  ${r.tenant}: ${r.copy} copy in ${r.stack} ${r.status}${r.destroyed ? " (stack destroyed)" : ""}${r.error ? ` — ${errorLine(r.error)}` : ""}`,
    ),
    ...result.waiting.map((w) => `  ${w.tenant}: source copy of ${w.migration} kept until ${w.removeAfter}`),
  ].join("\n");
}
