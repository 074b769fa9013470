/** Human output of the `tenantstack` CLI: live progress lines and result summaries. */
import type { OperationResult } from "../driver";
import type { FleetUpgradeResult } from "../fleet/upgrade";
import type { DriverEvent } from "../operations/events";
import type { Tenant } from "../registry/tenant";

/** One progress line for an event, or undefined for events too fine to show. */
export function progressLine(event: DriverEvent): string | undefined {
  switch (event.type) {
    case "operation":
      return `operation ${event.operationId} (${event.kind}): ${event.status}`;
    case "stack":
      return `${event.wave !== undefined ? `[wave ${event.wave}] ` : ""}${event.stack}: ${event.status}${event.detail ? ` — ${event.detail.split("\n")[0]}` : ""}`;
    case "started":
      return undefined;
    case "step":
      return undefined;
  }
}

/** A table of tenants. */
export function tenantTable(tenants: readonly Tenant[]): string {
  const rows = [
    ["NAME", "PLAN", "ENV", "VERSION", "REGION", "CLUSTER", "HOST"],
    ...tenants.map((t) => [t.name, t.plan, t.environment, t.version, t.region, t.cluster, t.host]),
  ];
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

/** A summary of an operation on stacks: one line per stack. */
export function operationSummary(result: OperationResult): string {
  const lines = result.stacks.map((s) => {
    const changes = s.result?.changes;
    const counts = changes ? ` +${changes.creates} ~${changes.updates} ±${changes.replaces} -${changes.deletes}` : "";
    const stateful =
      changes && changes.statefulReplacements.length > 0
        ? `  STATEFUL: ${changes.statefulReplacements.map((r) => `${r.kind} ${r.urn.split("::").pop()}`).join(", ")}`
        : "";
    const drift = s.result?.drift
      ? ` drift: ${s.result.drift.length === 0 ? "none" : s.result.drift.map((d) => `${d.kind} ${d.urn.split("::").pop()} (${d.diffs.join(", ")})`).join("; ")}`
      : "";
    const outputs = s.result?.outputs && result.kind === "outputs" ? ` ${JSON.stringify(s.result.outputs)}` : "";
    const error = s.error ? `\n    ${s.error.message.split("\n").join("\n    ")}` : "";
    return `  ${s.stack}: ${s.status}${counts}${stateful}${drift}${outputs}${error}`;
  });
  return [`${result.kind} ${result.status} (operation ${result.operationId})`, ...lines].join("\n");
}

/** A summary of a fleet upgrade: each wave's stacks. */
export function upgradeSummary(result: FleetUpgradeResult): string {
  const waves = result.waves.map(
    (wave, i) =>
      `  wave ${i}${i === 0 ? " (canary)" : ""}: ${wave.map((s) => `${s.stack} ${s.status}${s.error ? ` (${s.error.message.split("\n")[0]})` : ""}`).join(", ")}`,
  );
  const failed = result.failedStack ? [`  stopped at ${result.failedStack}; later waves untouched`] : [];
  return [
    `fleet upgrade to ${result.version} ${result.status} (operation ${result.operationId}${result.resumed ? ", resumed" : ""})`,
    ...waves,
    ...failed,
  ].join("\n");
}
