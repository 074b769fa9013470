/**
 * The human form of a stack's changes, as `pulumi preview --diff` shows them: its counts, then each
 * changing resource and under it the paths of its changed properties (never their values; a secret
 * by its own path, marked `[secret]`), with the legend of the symbols printed once.
 */
import type { ChangeKind, ChangeSummary, ResourceChange } from "../operations/changes";
import type { PropertyChangeKind } from "../operations/propertyChanges";

const RESOURCE_SYMBOL: Readonly<Record<ChangeKind, string>> = { create: "+", update: "~", replace: "+-", delete: "-" };
const PROPERTY_SYMBOL: Readonly<Record<PropertyChangeKind, string>> = { add: "+", update: "~", delete: "-" };

/** What the symbols of {@link changeCounts} and {@link changeLines} mean. */
export const CHANGE_LEGEND = [
  "legend: + create  ~ update  - delete  +- replace",
  "        keys: + added  ~ changed  - removed; (replaces) forces the replacement; [secret] a secret, nothing beneath it shown",
].join("\n");

/**
 * A resource's name and changed properties; a result journaled by an earlier version of the driver
 * (and shown again when its operation is resumed) has neither.
 */
function shown(resource: ResourceChange): Pick<ResourceChange, "name" | "properties"> {
  return { name: resource.name ?? resource.urn.split("::").pop(), properties: resource.properties ?? [] };
}

/** The names of resources, as a list. */
export function resourceNames(resources: readonly ResourceChange[]): string {
  return resources.map((r) => `${r.kind} ${shown(r).name}`).join(", ");
}

/** A stack's counts: `+1 ~2 +-0 -0` (creates, updates, replaces, deletes). */
export function changeCounts(changes: ChangeSummary): string {
  return `+${changes.creates} ~${changes.updates} +-${changes.replaces} -${changes.deletes}`;
}

/**
 * One line per changing resource (`~ kubernetes:apps/v1:Deployment dev-acme-api`; a stateful one that
 * is replaced or deleted marked), each followed by its changed properties (`~ spec.replicas`).
 */
export function changeLines(changes: ChangeSummary, indent = "    "): string[] {
  return changes.resources.flatMap((resource) => [
    `${indent}${RESOURCE_SYMBOL[resource.kind].padEnd(2)} ${resource.type} ${shown(resource).name}${
      resource.stateful && (resource.kind === "replace" || resource.kind === "delete") ? "  (stateful: its data can be lost)" : ""
    }`,
    ...shown(resource).properties.map(
      (p) => `${indent}   ${PROPERTY_SYMBOL[p.kind]} ${p.path}${p.secret ? " [secret]" : ""}${p.replaces ? " (replaces)" : ""}`,
    ),
  ]);
}
