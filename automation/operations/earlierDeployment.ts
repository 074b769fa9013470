/**
 * Whether a stack was deployed before a given time, from its update history: what a rollback needs,
 * since a stack first deployed by the failed operation has no earlier version to return to.
 */
import type { Stack, UpdateSummary } from "@pulumi/pulumi/automation";

/** The fields of a history entry the decision reads. */
export type HistoryEntry = Pick<UpdateSummary, "kind" | "result" | "startTime">;

/**
 * What `history` (newest first, as the engine lists it) says of a deployment before `cutoff`: the last
 * successful update or destroy that started before it decides (an update or an import: deployed; a
 * destroy: nothing left); undefined when no entry decides.
 */
function decision(history: readonly HistoryEntry[], cutoff: Date): boolean | undefined {
  for (const entry of history) {
    if (entry.startTime.getTime() >= cutoff.getTime() || entry.result !== "succeeded") continue;
    if (entry.kind === "update" || entry.kind === "import") return true;
    if (entry.kind === "destroy") return false;
  }
  return undefined;
}

/** Whether `history` (newest first) shows the stack deployed before `cutoff`; a destroy since, or no update at all, means not. */
export function deployedBefore(history: readonly HistoryEntry[], cutoff: Date): boolean {
  return decision(history, cutoff) ?? false;
}

/** History entries read per page. */
const PAGE_SIZE = 50;

/**
 * Whether `stack` was deployed before `cutoff`, reading its history a page at a time (never its
 * secrets) until an entry decides it or the history ends.
 */
export async function stackDeployedBefore(stack: Stack, cutoff: Date): Promise<boolean> {
  for (let page = 1; ; page++) {
    const entries = await stack.history(PAGE_SIZE, page, false);
    const decided = decision(entries, cutoff);
    if (decided !== undefined) return decided;
    if (entries.length < PAGE_SIZE) return false;
  }
}
