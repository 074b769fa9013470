/**
 * The changed properties of one engine step, by path, as `pulumi preview --diff` lists them: from the
 * step's `detailedDiff` (`spec.replicas`, `metadata.labels["app"]`; the Kubernetes provider leaves the
 * step's `diffs` empty), else from its top-level `diffs`. Paths only, never values: a secret is named
 * by its own path, never by anything beneath it (a Kubernetes Secret's `data`, not its keys).
 */
import type { StepEventMetadata } from "@pulumi/pulumi/automation";
import { isSecretValue } from "./secretValues";

/** How a property changes. */
export type PropertyChangeKind = "add" | "update" | "delete";

/** One changed property of a resource: where it is, never what it holds. */
export interface PropertyChange {
  /**
   * Its path as the engine writes it (`spec.replicas`, `spec.template.spec.containers[0].image`,
   * `metadata.labels["app.kubernetes.io/version"]`); for a secret, the secret's own path.
   */
  readonly path: string;
  /** `add`: it is new; `update`: its value changes; `delete`: it is gone. */
  readonly kind: PropertyChangeKind;
  /** Whether this change makes the engine replace the resource. */
  readonly replaces: boolean;
  /** Whether it is a secret: nothing beneath its path is shown. */
  readonly secret: boolean;
}

/** Properties secret whatever an event's values say: the Kubernetes provider always makes these secrets. */
const SECRET_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  "kubernetes:core/v1:Secret": ["data", "stringData"],
};

/** The `diffKind`s of a detailed diff. */
const DIFF_KINDS: Readonly<Record<string, Pick<PropertyChange, "kind" | "replaces">>> = {
  add: { kind: "add", replaces: false },
  "add-replace": { kind: "add", replaces: true },
  update: { kind: "update", replaces: false },
  "update-replace": { kind: "update", replaces: true },
  delete: { kind: "delete", replaces: false },
  "delete-replace": { kind: "delete", replaces: true },
};

/** One step of a property path: a key or an index (`*` for every element), and where it ends in the path's text. */
interface PathSegment {
  readonly key: string | number;
  readonly end: number;
}

/** The readers of a path's segments, each at a position of the path (sticky): a quoted key, an index, a name. */
const SEGMENT_READERS: readonly [RegExp, (text: string) => string | number][] = [
  [/\["((?:[^"\\]|\\.)*)"\]/y, (text) => text.replace(/\\(.)/g, "$1")],
  [/\[(\d+|\*)\]/y, (text) => (text === "*" ? "*" : Number(text))],
  [/\.?([^.[\]"]+)/y, (text) => text],
];

/** The segments of a property path (`a.b`, `a[0]`, `a["b.c"]`, `a[*].b`), or undefined when it does not read as one. */
export function pathSegments(path: string): PathSegment[] | undefined {
  const segments: PathSegment[] = [];
  for (let at = 0; at < path.length; at = segments[segments.length - 1].end) {
    const segment = SEGMENT_READERS.map(([pattern, keyOf]) => {
      pattern.lastIndex = at;
      const match = pattern.exec(path);
      return match && !(at === 0 && match[0].startsWith(".")) ? { key: keyOf(match[1]), end: at + match[0].length } : undefined;
    }).find((read) => read !== undefined);
    if (segment === undefined) return undefined;
    segments.push(segment);
  }
  return segments;
}

/** The values one level down: a key of an object, an element of an array, or every element for `*`. */
function children(value: unknown, key: string | number): unknown[] {
  if (value === null || typeof value !== "object") return [];
  if (key === "*") return Array.isArray(value) ? value : [];
  return [(value as Record<string | number, unknown>)[key]].filter((child) => child !== undefined);
}

/**
 * The path as shown: cut at the first secret on the way down in any of the step's values (its old
 * and new inputs and outputs, secrets blinded as events carry them), or at a property of its type
 * that is always secret; with whether it was cut.
 */
function shownPath(path: string, metadata: StepEventMetadata): { path: string; secret: boolean } {
  const segments = pathSegments(path);
  if (segments === undefined) return { path, secret: false };
  if (segments.length > 0 && (SECRET_PROPERTIES[metadata.type] ?? []).includes(String(segments[0].key)))
    return { path: path.slice(0, segments[0].end), secret: true };
  let values: unknown[] = [metadata.old?.inputs, metadata.old?.outputs, metadata.new?.inputs, metadata.new?.outputs];
  for (const segment of segments) {
    values = values.flatMap((value) => children(value, segment.key));
    if (values.some(isSecretValue)) return { path: path.slice(0, segment.end), secret: true };
  }
  return { path, secret: false };
}

/** Changes of the same path as one: the same kind when they agree, else `update`; replacing when any does. */
export function mergePropertyChanges(changes: readonly PropertyChange[]): PropertyChange[] {
  const byPath = new Map<string, PropertyChange>();
  for (const change of changes) {
    const seen = byPath.get(change.path);
    byPath.set(
      change.path,
      seen === undefined
        ? change
        : {
            path: change.path,
            kind: seen.kind === change.kind ? seen.kind : "update",
            replaces: seen.replaces || change.replaces,
            secret: seen.secret || change.secret,
          },
    );
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The changed properties of a step, by path, sorted; secrets cut at their own path. */
export function propertyChanges(metadata: StepEventMetadata): PropertyChange[] {
  const detailed = Object.entries(metadata.detailedDiff ?? {});
  const raw =
    detailed.length > 0
      ? detailed.map(([path, diff]) => ({ path, ...(DIFF_KINDS[diff.diffKind] ?? { kind: "update" as const, replaces: false }) }))
      : (metadata.diffs ?? []).map((path) => ({ path, kind: "update" as const, replaces: (metadata.keys ?? []).includes(path) }));
  return mergePropertyChanges(raw.map((change) => ({ ...change, ...shownPath(change.path, metadata) })));
}
