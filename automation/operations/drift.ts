/**
 * Drift found by a refresh, from the stack's state before and after it: a resource gone from the
 * state was deleted behind the stack's back, one whose outputs changed was modified. Kubernetes
 * bookkeeping that changes on its own (status, resource versions, managed fields, the annotations
 * controllers keep) is not drift; other labels and annotations are, each reported by its key. Only
 * property names are reported, never values.
 */
import type { Deployment } from "@pulumi/pulumi/automation";

/** A resource whose live state differs from the stack's state. */
export interface Drift {
  /** Its URN and type. */
  readonly urn: string;
  readonly type: string;
  /** `update`: its properties changed; `delete`: it no longer exists. */
  readonly kind: "update" | "delete";
  /** The top-level properties that changed; for `metadata`, each label and annotation (`metadata.labels.<key>`). */
  readonly diffs: readonly string[];
}

type Outputs = Record<string, unknown> | undefined;

/** A resource of an exported state. */
interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly custom?: boolean;
  readonly outputs?: Record<string, unknown>;
}

/** Annotations the cluster's controllers write on the objects they manage (the Deployment controller's rollout revision). */
const CONTROLLER_ANNOTATIONS: ReadonlySet<string> = new Set(["deployment.kubernetes.io/revision"]);

/** The parts of a property compared for drift, by name: `metadata` as its labels and annotations, anything else whole. */
function comparable(key: string, value: unknown): Map<string, string> {
  if (key !== "metadata" || value === null || typeof value !== "object") return new Map([[key, JSON.stringify(value)]]);
  const { labels = {}, annotations = {} } = value as { labels?: Record<string, unknown>; annotations?: Record<string, unknown> };
  return new Map([
    ...Object.entries(labels).map(([name, v]) => [`metadata.labels.${name}`, JSON.stringify(v)] as const),
    ...Object.entries(annotations)
      .filter(([name]) => !CONTROLLER_ANNOTATIONS.has(name))
      .map(([name, v]) => [`metadata.annotations.${name}`, JSON.stringify(v)] as const),
  ]);
}

/** The properties whose values differ, ignoring `status` and metadata bookkeeping. */
export function driftedKeys(before: Outputs, after: Outputs): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  keys.delete("status");
  const drifted: string[] = [];
  for (const key of keys) {
    const [was, is] = [comparable(key, before?.[key]), comparable(key, after?.[key])];
    for (const name of new Set([...was.keys(), ...is.keys()])) if (was.get(name) !== is.get(name)) drifted.push(name);
  }
  return drifted.sort();
}

/** The managed resources of an exported state (not the stack, its providers or components), by URN. */
function managedResources(state: Deployment): Map<string, StateResource> {
  const resources: StateResource[] = state.deployment?.resources ?? [];
  return new Map(resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")).map((resource) => [resource.urn, resource]));
}

/** The drift between a stack's state before a refresh and after it, in the order of the state. */
export function driftBetween(before: Deployment, after: Deployment): Drift[] {
  const refreshed = managedResources(after);
  const drift: Drift[] = [];
  for (const [urn, resource] of managedResources(before)) {
    const now = refreshed.get(urn);
    if (now === undefined) {
      drift.push({ urn, type: resource.type, kind: "delete", diffs: [] });
      continue;
    }
    const diffs = driftedKeys(resource.outputs, now.outputs);
    if (diffs.length > 0) drift.push({ urn, type: resource.type, kind: "update", diffs });
  }
  return drift;
}
