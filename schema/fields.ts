/**
 * Field builders shared by every schema. Each carries one message saying what is allowed;
 * the error formatter adds the field path and the value received.
 */
import { z } from "zod";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const CPU_QUANTITY = /^([1-9][0-9]*m|[0-9]+(\.[0-9]{1,3})?)$/;
const MEMORY_QUANTITY = /^[1-9][0-9]*(Ki|Mi|Gi|Ti)$/;
const IMAGE = /^[a-z0-9][A-Za-z0-9._\-/:]*(@sha256:[a-f0-9]{64})?$/;
const PINNED_IMAGE = /(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[a-f0-9]{64})$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CRON = /^(\S+\s+){4}\S+$/;
const DURATION = /^[1-9][0-9]*(s|m|h)$/;
const HTTP_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@/%-]*$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/**
 * Metadata of an optional field without a default: what leaving it out means. The generated types show it as
 * the field's `@default`, the config reference in its default column.
 * @internal
 */
export function omitted(meaning: string): { "x-omitted": string } {
  return { "x-omitted": meaning };
}

/** A string matching `pattern`, with one message for every way it can be wrong. */
function matching(pattern: RegExp, message: string, maxLength = 253) {
  return z.string({ error: message }).max(maxLength, { error: message }).regex(pattern, { error: message });
}

/**
 * A Kubernetes DNS-1123 label (tenant names, namespaces, object names).
 * @internal
 */
export function dnsLabel(maxLength = 63) {
  return matching(
    DNS_LABEL,
    `must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most ${maxLength} characters`,
    maxLength,
  );
}

/**
 * A fully qualified DNS-1123 host name such as `acme.example.com`.
 * @internal
 */
export function hostName() {
  return matching(
    DNS_SUBDOMAIN,
    'must be a DNS-1123 host name of two or more dot-separated labels, lowercase, at most 253 characters, such as "acme.example.com"',
  );
}

/**
 * An integer in `[min, max]`.
 * @internal
 */
export function intBetween(min: number, max: number) {
  const message = `must be an integer between ${min} and ${max}`;
  return z.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message });
}

/**
 * One of a fixed set of strings.
 * @internal
 */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.map((v) => JSON.stringify(v)).join(", ")}` });
}

/**
 * A boolean.
 * @internal
 */
export function flag() {
  return z.boolean({ error: "must be true or false" });
}

/**
 * A Kubernetes CPU quantity such as `250m` or `2`.
 * @internal
 */
export function cpu() {
  return matching(CPU_QUANTITY, 'must be a CPU quantity such as "250m" or "2"', 32);
}

/**
 * A Kubernetes memory quantity with a binary unit such as `512Mi` or `4Gi`.
 * @internal
 */
export function memory() {
  return matching(MEMORY_QUANTITY, 'must be a memory quantity with a binary unit such as "512Mi" or "4Gi"', 32);
}

/**
 * A container image reference pinned by tag or digest.
 * @internal
 */
export function image() {
  const message = 'must be a container image reference with an explicit tag or digest, such as "ghcr.io/acme/api:1.2.3"';
  return matching(IMAGE, message, 512).refine((value) => pinned(value), {
    error: `${message}; \":latest\" and untagged images are not reproducible`,
  });
}

/** Whether an image reference names a tag (other than `latest`) or a digest in its last path segment. */
function pinned(reference: string): boolean {
  const lastSegment = reference.slice(reference.lastIndexOf("/") + 1);
  return PINNED_IMAGE.test(lastSegment) && !lastSegment.endsWith(":latest");
}

/**
 * An environment variable name.
 * @internal
 */
export function envName() {
  return matching(ENV_NAME, "must be an environment variable name: letters, digits and '_', not starting with a digit", 128);
}

/**
 * A five-field cron schedule.
 * @internal
 */
export function cronSchedule() {
  return matching(CRON, 'must be a five-field cron schedule such as "0 3 * * *"', 128);
}

/**
 * A duration in seconds, minutes or hours such as `30s` or `1h`.
 * @internal
 */
export function duration() {
  return matching(DURATION, 'must be a duration such as "30s", "5m" or "1h"', 16);
}

/**
 * An absolute HTTP path.
 * @internal
 */
export function httpPath() {
  return matching(HTTP_PATH, 'must be an absolute HTTP path such as "/healthz"', 512);
}

/**
 * An e-mail address.
 * @internal
 */
export function email() {
  return matching(EMAIL, 'must be an e-mail address such as "ops@example.com"', 254);
}

/**
 * A non-empty string of at most `maxLength` characters.
 * @internal
 */
export function text(maxLength = 253) {
  const message = `must be a non-empty string of at most ${maxLength} characters`;
  return z.string({ error: message }).min(1, { error: message }).max(maxLength, { error: message });
}

/**
 * A map of strings keyed by `key` (label maps, environment maps).
 * @internal
 */
export function stringMap<K extends z.ZodType<string>>(key: K) {
  return z.record(key, z.string({ error: "must be a string" }), { error: "must be a map of strings" });
}

/**
 * A non-empty Kubernetes label value, such as an `app.kubernetes.io/instance`.
 * @internal
 */
export function labelValue() {
  return matching(
    LABEL_VALUE,
    'must be a label value: 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    63,
  ).min(1, { error: 'must be a label value: 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit' });
}

/**
 * Kubernetes labels: keys (an optional DNS subdomain and `/`, then a name) to values.
 * @internal
 */
export function labels() {
  return z.record(
    matching(
      LABEL_KEY,
      'must be a label key: an optional DNS subdomain prefix and "/", then at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
      317,
    ),
    matching(
      LABEL_VALUE,
      'must be a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
      63,
    ),
    { error: (issue) => (issue.code === "invalid_key" ? issue.issues[0]?.message : "must be a map of labels") },
  );
}

/**
 * An object of named settings. An unknown key is rejected with the likely intended key and the allowed
 * ones: one message line per unknown key, in the order of the issue's `keys`.
 * @internal
 */
export function settings<const S extends z.ZodRawShape>(shape: S) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === "unrecognized_keys") return issue.keys.map((key) => unknownKeyMessage(key, allowed)).join("\n");
      if (issue.code === "invalid_type") return "must be a map of settings";
      return undefined;
    },
  });
}

/** The message for a key that is not a setting: its likely intended key, then the allowed ones. */
function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const guess = closest(key, allowed);
  return `is not a known setting${guess ? ` (did you mean "${guess}"?)` : ""}; allowed: ${allowed.join(", ")}`;
}

/** The candidate within edit distance 2 of `word` (or containing it), if any. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate ?? candidates.find((c) => word.length >= 3 && c.toLowerCase().includes(word.toLowerCase()));
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** A CPU quantity (`250m`, `2`, `0.5`) in cores. */
export function cpuCores(quantity: string): number {
  return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity);
}

/** A memory quantity (`512Mi`, `4Gi`) in MiB. */
export function memoryMiB(quantity: string): number {
  const units: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 };
  const match = /^([0-9]+)(Ki|Mi|Gi|Ti)$/.exec(quantity);
  if (!match) throw new Error(`not a memory quantity: ${quantity}`);
  return Number(match[1]) * units[match[2]];
}
