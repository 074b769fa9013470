/**
 * The keys of settings objects, on every surface (the stack schema, the program's config, the parts, the
 * driver's CLI, HTTP API and library): the names no object may hold because JavaScript gives them a
 * meaning of their own, and the known key an unknown one most likely meant.
 */

/**
 * Keys no settings object may hold, at any depth: copied into an object, `__proto__` replaces its
 * prototype, and `constructor` and `prototype` pass checks written with `in` (every object has them).
 */
export const RESERVED_KEYS: readonly string[] = ["__proto__", "constructor", "prototype"];

/** The reserved keys as a message lists them: `"__proto__", "constructor" or "prototype"`. */
export const RESERVED_KEYS_TEXT = `${RESERVED_KEYS.slice(0, -1)
  .map((key) => `"${key}"`)
  .join(", ")} or "${RESERVED_KEYS.at(-1)}"`;

/** Whether `key` is one of {@link RESERVED_KEYS}. */
export function isReservedKey(key: string): boolean {
  return RESERVED_KEYS.includes(key);
}

/** A key as it is compared: lowercase, without `_`, `-` and spaces (`max_unavailable` is `maxUnavailable`). */
function comparable(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, "");
}

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and transpositions of two
 * adjacent characters (`hots` -> `host`) each count 1.
 */
function distance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}

/**
 * The allowed key `key` most likely meant, if one is close enough. Keys are compared without case, `_`,
 * `-` or spaces; one is close within one edit per three characters of `key` (at least one; a swap of two
 * neighbours is one edit) and fewer edits than it has characters: the closest wins, of equally close ones
 * the first in `allowed`. Failing that, `key` may be the start of one allowed key only, at least half of it.
 *
 * `replicsa`, `Replicas` and `re-plicas` mean `replicas`; `hots` means `host`; `stat` means `status`;
 * `id` and `rep` mean nothing of `image`, `replicas`.
 */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  const word = comparable(key);
  const within = Math.max(1, Math.floor(word.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  const startedBy: string[] = [];
  for (const candidate of allowed) {
    const other = comparable(candidate);
    if (word !== "" && other.startsWith(word)) startedBy.push(candidate);
    // The lengths alone may rule a candidate out.
    if (Math.abs(other.length - word.length) > within) continue;
    const d = distance(word, other);
    if (d <= within && d < other.length && (best === undefined || d < best.distance)) best = { candidate, distance: d };
  }
  if (best !== undefined) return best.candidate;
  return startedBy.length === 1 && word.length * 2 >= comparable(startedBy[0]).length ? startedBy[0] : undefined;
}

/** ` (did you mean "x"?)` when {@link closestKey} finds one, else nothing. */
export function didYouMean(key: string, allowed: readonly string[]): string {
  const guess = closestKey(key, allowed);
  return guess === undefined ? "" : ` (did you mean "${guess}"?)`;
}

/** The reason for a key that is not one of `allowed`: the key it most likely meant, then the allowed ones. */
export function unknownKeyReason(key: string, allowed: readonly string[]): string {
  return `is not a known setting${didYouMean(key, allowed)}; allowed: ${allowed.join(", ")}`;
}

/**
 * A problem for each key of `object` that is not one of `allowed` (a typo of a library option, which no
 * schema parses), each key named as `name` writes it: `` `workspace.stateDirr` is not a known setting (did you mean "stateDir"?); allowed: ... ``.
 */
export function unknownKeyProblems(object: object, allowed: readonly string[], name: (key: string) => string): string[] {
  return Object.keys(object)
    .filter((key) => !allowed.includes(key))
    .map((key) => `${name(key)} ${unknownKeyReason(key, allowed)}`);
}
