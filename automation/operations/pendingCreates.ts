/**
 * The creates an interrupted update left pending in a stack's state, adopted when their object
 * exists. The engine records a create as pending before asking the provider and completes it after;
 * an engine killed in between leaves a pending create whose object may well exist. Clearing it
 * (`refresh --clear-pending-creates`) would leak that object, or make the next update re-apply it
 * with a new field manager that conflicts with the first on the next change. So a pending create of
 * a Kubernetes object is looked up on its cluster: found, it becomes a resource of the state with the
 * object's id and the provider's field manager that wrote it (the refresh then reads the rest);
 * absent, nothing was created and it is cleared.
 */
import type { Deployment } from "@pulumi/pulumi/automation";
import type { KubeClient } from "../kube";

/** A resource of an exported state, as the fields used here see it. */
export interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly custom?: boolean;
  readonly id?: string;
  readonly delete?: boolean;
  /** Deleted by a delete-before-replace whose create has not completed. */
  readonly pendingReplacement?: boolean;
  readonly parent?: string;
  readonly provider?: string;
  readonly dependencies?: readonly string[];
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown>;
}

/** A pending operation of an exported state. */
interface PendingOperation {
  readonly resource: StateResource;
  readonly type: string;
}

/** The object a pending create made, as its cluster has it. */
export interface CreatedObject {
  /** The provider's id of the object: `<namespace>/<name>`, or `<name>` when cluster-scoped. */
  readonly id: string;
  /** The field manager the provider applied it with (server-side apply), when one can be told. */
  readonly fieldManager?: string;
}

/** Finds the object a pending create made; undefined when it does not exist. */
export type ObjectLookup = (resource: StateResource) => Promise<CreatedObject | undefined>;

/** A state with its pending creates adopted where their object exists. */
export interface Adoption {
  /** The state to import; the same object when nothing was adopted. */
  readonly state: Deployment;
  /** The pending operations the state held, as `<type> <urn>`. */
  readonly pending: readonly string[];
  /** Pending creates whose object exists, now resources of the state (URNs). */
  readonly adopted: readonly string[];
  /** Pending creates left to be cleared: nothing was created, or it is not an object that can be looked up (URNs). */
  readonly cleared: readonly string[];
}

/** The provider's bookkeeping key of the field manager in a Kubernetes resource's outputs. */
const FIELD_MANAGER = "__fieldManager";

/** The apiVersion, kind, name and namespace of a pending Kubernetes object, when it is one. */
export function kubernetesObject(
  resource: StateResource,
): { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } | undefined {
  if (!resource.custom || !resource.type.startsWith("kubernetes:") || resource.type.startsWith("kubernetes:helm.sh/")) return undefined;
  const { apiVersion, kind, metadata } = (resource.inputs ?? {}) as {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: Record<string, unknown>;
  };
  const name = metadata?.name;
  const namespace = metadata?.namespace;
  if (typeof apiVersion !== "string" || typeof kind !== "string" || typeof name !== "string") return undefined;
  return { apiVersion, kind, metadata: { name, ...(typeof namespace === "string" ? { namespace } : {}) } };
}

/**
 * Adopts the pending creates of `state` whose object `lookup` finds: each becomes a resource with
 * the object's id. A resource of its URN (the create was a replacement's) goes as the engine would
 * have it go once the create was done: removed when it was deleted already (delete-before-replace)
 * or is the very object adopted, else marked for deletion by the next update. The other pending
 * creates stay pending, to be cleared. A pending create whose parent, provider or dependencies are
 * not in the state is not adopted.
 */
export async function adoptPendingCreates(state: Deployment, lookup: ObjectLookup): Promise<Adoption> {
  const deployment = (state.deployment ?? {}) as { resources?: StateResource[]; pending_operations?: PendingOperation[] };
  const operations = deployment.pending_operations ?? [];
  const pending = operations.map((op) => `${op.type} ${op.resource.urn}`);
  const resources = [...(deployment.resources ?? [])];
  const adopted: string[] = [];
  const cleared: string[] = [];
  const kept: PendingOperation[] = [];
  for (const op of operations) {
    if (op.type !== "creating") {
      kept.push(op);
      continue;
    }
    const object = kubernetesObject(op.resource) && resolvable(op.resource, resources) ? await lookup(op.resource) : undefined;
    if (object === undefined) {
      cleared.push(op.resource.urn);
      kept.push(op);
      continue;
    }
    // A replacement's create: the resource it replaces goes as the engine would have it go once the create was done.
    for (const [i, existing] of resources.entries()) {
      if (existing.urn !== op.resource.urn || existing.delete) continue;
      // Deleted already (delete-before-replace), or the very object adopted (same name): the adopted resource takes its place.
      if (existing.pendingReplacement || existing.id === object.id) resources.splice(i, 1);
      // Still to delete (create-before-replace): the next update deletes it.
      else resources[i] = { ...existing, delete: true };
      break;
    }
    const outputs = object.fieldManager ? { [FIELD_MANAGER]: object.fieldManager } : {};
    resources.push({ ...op.resource, id: object.id, outputs });
    adopted.push(op.resource.urn);
  }
  if (adopted.length === 0) return { state, pending, adopted, cleared };
  return { state: { ...state, deployment: { ...deployment, resources, pending_operations: kept } }, pending, adopted, cleared };
}

/** Whether everything a resource refers to (parent, provider, dependencies) is in the state. */
function resolvable(resource: StateResource, resources: readonly StateResource[]): boolean {
  const urns = new Set(resources.map((r) => r.urn));
  const provider = resource.provider;
  const providerFound = provider === undefined || provider === "" || resources.some((r) => `${r.urn}::${r.id}` === provider);
  return (
    providerFound &&
    (resource.parent === undefined || urns.has(resource.parent)) &&
    (resource.dependencies ?? []).every((urn) => urns.has(urn))
  );
}

/** Looks pending Kubernetes objects up on a cluster's API server. */
export function clusterLookup(kube: KubeClient): ObjectLookup {
  return async (resource) => {
    const object = kubernetesObject(resource);
    if (!object) return undefined;
    const path = await kube.pathOf({ ...object, metadata: { ...object.metadata, namespace: object.metadata.namespace ?? "default" } });
    const live = await kube.get<{ metadata: { name: string; namespace?: string; managedFields?: ManagedFields[] } }>(path);
    if (!live) return undefined;
    const { name, namespace, managedFields = [] } = live.metadata;
    // The provider applies with a field manager of its own per resource, `pulumi-kubernetes-<random>`; the latest is this create's.
    const applied = managedFields
      .filter((field) => field.operation === "Apply" && field.manager.startsWith("pulumi-kubernetes-"))
      .sort((a, b) => (b.time ?? "").localeCompare(a.time ?? ""));
    return { id: namespace ? `${namespace}/${name}` : name, ...(applied[0] ? { fieldManager: applied[0].manager } : {}) };
  };
}

interface ManagedFields {
  readonly manager: string;
  readonly operation: string;
  readonly time?: string;
}
