/**
 * The check a script makes of an operation's result: the driver's operations resolve whatever happened
 * to each stack, and {@link assertSucceeded} turns a result that did not succeed into an error.
 */
import type { OperationResult } from "./driver";
import { OperationFailedError } from "./errors";
import type { FleetUpgradeResult } from "./fleet/upgrade";
import type { GcResult } from "./migration/gc";
import type { MigrationResult } from "./migration/migrate";

/** A result of any of the driver's operations. */
export type AnyOperationResult = OperationResult | FleetUpgradeResult | MigrationResult | GcResult;

/** Lines of one error shown, then counted. */
const LINES_SHOWN = 20;

/** An error's message as a failure shows it: its lines under the first indented, at most {@link LINES_SHOWN}. */
function shown(message: string): string {
  const lines = message.split("\n");
  const more = lines.length > LINES_SHOWN ? [`... ${lines.length - LINES_SHOWN} more lines in the result`] : [];
  return [...lines.slice(0, LINES_SHOWN), ...more].join("\n    ");
}

/** What failed in a result, one entry each. */
function failuresOf(result: AnyOperationResult): { kind: string; failures: string[] } {
  if ("waves" in result) {
    const failures = result.waves
      .flat()
      .filter((s) => s.status === "failed" || s.status === "rolled-back" || s.status === "cancelled")
      .map((s) => `${s.stack}: ${s.status}${s.error ? `: ${shown(s.error.message)}` : ""}`);
    return { kind: "fleet-upgrade", failures };
  }
  if (result.kind === "gc")
    return {
      kind: result.kind,
      failures: result.removals
        .filter((r) => r.status === "failed")
        .map((r) => `${r.tenant}'s ${r.copy} copy in ${r.stack}: ${shown(r.error?.message ?? "failed")}`),
    };
  if (result.kind === "migrate")
    return {
      kind: result.kind,
      failures: [
        `${result.tenant} ${result.from} -> ${result.to}: ${result.status}${result.error ? `: ${shown(result.error.message)}` : ""}`,
      ],
    };
  const failures = result.stacks
    .filter((s) => s.status === "failed" || s.status === "cancelled")
    .map((s) => `${s.stack}: ${s.status}${s.error ? `: ${shown(s.error.message)}` : ""}`);
  return { kind: result.kind, failures };
}

/**
 * Returns `result` when its operation succeeded (a migration's dry run `planned` counts), else throws
 * an {@link OperationFailedError} listing what failed with its error (at most 20 lines of each), the
result as its `result`. The driver's
 * operations resolve whatever happened to each stack, so a script that does not check would go on (and
 * exit 0) after every stack failed:
 *
 * ```ts
 * const result = assertSucceeded(await driver.up({ tenants: ["acme"] }));
 * ```
 */
export function assertSucceeded<R extends AnyOperationResult>(result: R): R {
  if (result.status === "succeeded" || result.status === "planned") return result;
  const { kind, failures } = failuresOf(result);
  throw new OperationFailedError(result.operationId, kind, result.status, failures.length > 0 ? failures : [result.status], result);
}
