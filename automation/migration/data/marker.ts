/**
 * Markers that say which migration wrote a copy in the target (a Postgres database comment, a
 * Redis key outside every tenant's prefix), so that a rerun recognises its own partial work and
 * never overwrites data it did not write.
 */

/** How far a migration's copy got: being written, complete, or abandoned by a rollback. */
export type CopyState = "copying" | "copied" | "failed";

/** A parsed marker. */
export interface Marker {
  /** The migration that wrote the copy. */
  readonly id: string;
  /** How far it got. */
  readonly state: CopyState;
}

const PREFIX = "tenantstack-migration";
const PATTERN = new RegExp(`^${PREFIX} ([a-z0-9-]+) (copying|copied|failed)$`);

/** The text of a marker. */
export function formatMarker(marker: Marker): string {
  return `${PREFIX} ${marker.id} ${marker.state}`;
}

/** The marker in `text`, or undefined when `text` is not one. */
export function parseMarker(text: string | null | undefined): Marker | undefined {
  const match = text ? PATTERN.exec(text) : null;
  return match ? { id: match[1], state: match[2] as CopyState } : undefined;
}

/**
 * Whether migration `id` may overwrite a copy marked `marker`: its own (`mine`), one a rolled-back
 * migration abandoned (`abandoned`), or another migration's live copy or unmarked data (`foreign`).
 */
export function ownership(marker: Marker | undefined, id: string): "mine" | "abandoned" | "foreign" {
  if (marker?.id === id) return "mine";
  return marker?.state === "failed" ? "abandoned" : "foreign";
}
