/**
 * Machine-readable changes of a stack built from the engine's events (previews carry only counts):
 * each resource's operation and changed keys (`propertyChanges.ts`: paths only, secrets cut at their
 * own path), replacements of stateful resources flagged.
 */
import type { EngineEvent, OpType, StepEventMetadata } from "@pulumi/pulumi/automation";
import { mergePropertyChanges, propertyChanges, type PropertyChange } from "./propertyChanges";

/** Kinds of change, each counted once per resource. */
export type ChangeKind = "create" | "update" | "replace" | "delete";

/** One resource that changes. */
export interface ResourceChange {
  /** The resource's URN. */
  readonly urn: string;
  /** Its type token. */
  readonly type: string;
  /** Its name: the URN's last part. */
  readonly name: string;
  /** What happens to it. */
  readonly kind: ChangeKind;
  /**
   * The paths of the properties that change, sorted (`spec.replicas`; a secret's own path, such as a
   * Secret's `data`, never anything beneath it); none for creates and deletes, which change it whole.
   */
  readonly diffs: readonly string[];
  /** The same properties, each with how it changes, whether it forces the replacement and whether it is a secret. */
  readonly properties: readonly PropertyChange[];
  /** Whether it holds data: a StatefulSet, its VolumeGuard or a volume claim. */
  readonly stateful: boolean;
}

/** The changes of one stack. */
export interface ChangeSummary {
  /** Counts by kind, and of resources left as they are. */
  readonly creates: number;
  readonly updates: number;
  readonly replaces: number;
  readonly deletes: number;
  readonly same: number;
  /** Every changing resource. */
  readonly resources: readonly ResourceChange[];
  /** Replacements and deletions of stateful resources: each can lose data. */
  readonly statefulReplacements: readonly ResourceChange[];
}

const KIND_OF: Partial<Record<OpType, ChangeKind>> = {
  create: "create",
  update: "update",
  replace: "replace",
  "create-replacement": "replace",
  "delete-replaced": "replace",
  delete: "delete",
};

/** Whether a resource type holds data. */
export function isStateful(type: string): boolean {
  return type === "kubernetes:apps/v1:StatefulSet" || type === "kubernetes:core/v1:PersistentVolumeClaim" || /VolumeGuard$/.test(type);
}

/** Whether a resource type is the stack itself or a provider, which the summaries leave out. */
function isStackOrProvider(type: string): boolean {
  return type === "pulumi:pulumi:Stack" || type.startsWith("pulumi:providers:");
}

/** Collects the step events of one engine run. */
export class ChangeCollector {
  private readonly changes = new Map<string, ResourceChange>();
  private readonly unchanged = new Set<string>();
  private readonly errors: string[] = [];
  private readonly completed = new Set<string>();

  /** Feeds one engine event. */
  readonly onEvent = (event: EngineEvent): void => {
    if (event.diagnosticEvent?.severity === "error") this.errors.push(event.diagnosticEvent.message.trim());
    const done = event.resOutputsEvent?.metadata;
    if (done && KIND_OF[done.op] !== undefined && !isStackOrProvider(done.type)) this.completed.add(done.urn);
    // A step's changed keys are in its pre-event, and again in its outputs event.
    for (const metadata of [event.resourcePreEvent?.metadata, done]) if (metadata) this.record(metadata);
  };

  private record(metadata: StepEventMetadata): void {
    if (isStackOrProvider(metadata.type)) return;
    const kind = KIND_OF[metadata.op];
    if (kind === undefined) {
      if (metadata.op === "same") this.unchanged.add(metadata.urn);
      return;
    }
    const previous = this.changes.get(metadata.urn);
    const properties = mergePropertyChanges([...(previous?.properties ?? []), ...propertyChanges(metadata)]);
    this.changes.set(metadata.urn, {
      urn: metadata.urn,
      type: metadata.type,
      name: metadata.urn.split("::").pop() ?? metadata.urn,
      kind: previous?.kind === "replace" ? "replace" : kind,
      diffs: properties.map((p) => p.path),
      properties,
      stateful: isStateful(metadata.type),
    });
  }

  /** How many resources the engine has finished changing (created, updated, replaced or deleted) so far. */
  get applied(): number {
    return this.completed.size;
  }

  /** The error diagnostics seen, such as a VolumeGuard's refusal. */
  get errorMessages(): readonly string[] {
    return this.errors;
  }

  /** The summary of everything seen so far. */
  summary(): ChangeSummary {
    const resources = [...this.changes.values()];
    const count = (kind: ChangeKind) => resources.filter((r) => r.kind === kind).length;
    return {
      creates: count("create"),
      updates: count("update"),
      replaces: count("replace"),
      deletes: count("delete"),
      same: this.unchanged.size,
      resources,
      statefulReplacements: resources.filter((r) => r.stateful && (r.kind === "replace" || r.kind === "delete")),
    };
  }
}
