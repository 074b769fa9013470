/**
 * Drift found by a refresh: refresh events carry the state before and after, not a diff, so the
 * changed properties are computed here. Kubernetes bookkeeping that changes on its own (status,
 * resource versions, managed fields) is not drift; labels and annotations are.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";

/** A resource whose live state differs from the stack's state. */
export interface Drift {
  /** Its URN and type. */
  readonly urn: string;
  readonly type: string;
  /** `update`: its properties changed; `delete`: it no longer exists. */
  readonly kind: "update" | "delete";
  /** The top-level properties that changed. */
  readonly diffs: readonly string[];
}

type Outputs = Record<string, unknown> | undefined;

/** The part of a property compared for drift. */
function comparable(key: string, value: unknown): unknown {
  if (key !== "metadata" || value === null || typeof value !== "object") return value;
  const { labels, annotations } = value as { labels?: unknown; annotations?: unknown };
  return { labels, annotations };
}

/** The top-level properties whose values differ, ignoring `status` and metadata bookkeeping. */
export function driftedKeys(before: Outputs, after: Outputs): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  keys.delete("status");
  return [...keys].filter((key) => JSON.stringify(comparable(key, before?.[key])) !== JSON.stringify(comparable(key, after?.[key]))).sort();
}

/** The drift of one refresh event, if any. */
export function driftOf(event: EngineEvent): Drift | undefined {
  const metadata = event.resOutputsEvent?.metadata;
  if (metadata === undefined || metadata.type === "pulumi:pulumi:Stack" || metadata.type.startsWith("pulumi:providers:")) return undefined;
  if (!["refresh", "update", "delete"].includes(metadata.op)) return undefined;
  // A resource gone from the cluster comes back with no state, or a state without outputs.
  const gone = metadata.new === undefined || Object.keys(metadata.new.outputs ?? {}).length === 0;
  if (metadata.old !== undefined && gone) return { urn: metadata.urn, type: metadata.type, kind: "delete", diffs: [] };
  const diffs = driftedKeys(metadata.old?.outputs, metadata.new?.outputs);
  return diffs.length > 0 ? { urn: metadata.urn, type: metadata.type, kind: "update", diffs } : undefined;
}
