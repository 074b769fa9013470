/**
 * Field builders shared by every schema, and by the layers above where they check their own input (a
 * component's arguments, the driver's data plane). Each carries one message saying what is allowed; the error
 * formatter (`issues.ts`) adds the field path and the value received. Package-private: no entry point exports
 * it, and its declarations, which name zod's types, are not published (`package.json`'s `files`).
 */
import { z } from "zod";
import { isReservedKey, RESERVED_KEYS_TEXT, unknownKeyReason } from "./keys";
import { RESERVED_TENANT_NAME_MESSAGE, RESERVED_TENANT_NAMES, TENANT_NAME_MAX } from "./naming";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A host name: labels of 1-63 characters, the last (the top-level domain) with a letter, so never an IP address. */
const HOST_LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";
const DNS_SUBDOMAIN = new RegExp(`^(${HOST_LABEL}\\.)+(?=[-a-z0-9]*[a-z])${HOST_LABEL}$`);
const CPU_QUANTITY = /^([1-9][0-9]*m|[0-9]+(\.[0-9]{1,3})?)$/;
const MEMORY_QUANTITY = /^[1-9][0-9]*(Ki|Mi|Gi|Ti)$/;
/**
 * A container image reference, after the distribution reference grammar: an optional registry (a host with a
 * `.` or a port, or `localhost`), lowercase path components, an optional tag, an optional sha256 digest.
 */
const REGISTRY_LABEL = "[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?";
const REGISTRY = `(localhost|${REGISTRY_LABEL}(\\.${REGISTRY_LABEL})+|${REGISTRY_LABEL})(:[0-9]{1,5})?`;
const PATH_COMPONENT = "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*";
const IMAGE = new RegExp(
  `^((?=localhost[:/]|[^/]*[.:][^/]*/)${REGISTRY}/)?${PATH_COMPONENT}(/${PATH_COMPONENT})*(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(@sha256:[a-f0-9]{64})?$`,
);
const PINNED_IMAGE = /(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[a-f0-9]{64})$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DURATION = /^[1-9][0-9]*(s|m|h)$/;
const HTTP_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@/%-]*$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/**
 * Metadata of an optional field without a default: what leaving it out means. The generated types show it as
 * the field's `@default`, the config reference in its default column.
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
 */
export function hostName() {
  return matching(
    DNS_SUBDOMAIN,
    'must be a DNS-1123 host name of two or more dot-separated labels of 1-63 lowercase letters, digits and "-" (the last with a letter: no IP address, wildcard, port or URL), at most 253 characters, such as "acme.example.com"',
  );
}

/**
 * An integer in `[min, max]`.
 */
export function intBetween(min: number, max: number) {
  const message = `must be an integer between ${min} and ${max}`;
  return z.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message });
}

/**
 * One of a fixed set of strings.
 */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.map((v) => JSON.stringify(v)).join(", ")}` });
}

/**
 * A boolean.
 */
export function flag() {
  return z.boolean({ error: "must be true or false" });
}

/**
 * A Kubernetes CPU quantity such as `250m` or `2`.
 */
export function cpu() {
  return matching(CPU_QUANTITY, 'must be a CPU quantity such as "250m" or "2"', 32);
}

/**
 * Whether a CPU quantity is well formed and above 0.
 */
export function positiveCpu(quantity: string): boolean {
  return !CPU_QUANTITY.test(quantity) || cpuCores(quantity) > 0;
}

/**
 * Whether a quantity is well formed: a CPU quantity, or a memory quantity with a binary unit.
 */
export function wellFormedQuantity(quantity: string): boolean {
  return CPU_QUANTITY.test(quantity) || MEMORY_QUANTITY.test(quantity);
}

/**
 * A Kubernetes memory quantity with a binary unit such as `512Mi` or `4Gi`.
 */
export function memory() {
  return matching(MEMORY_QUANTITY, 'must be a memory quantity with a binary unit such as "512Mi" or "4Gi"', 32);
}

/**
 * A container image reference pinned by tag or digest.
 */
export function image() {
  const message =
    'must be a container image reference (lowercase repository, one tag and/or a digest) with an explicit tag or digest, such as "ghcr.io/acme/api:1.2.3"';
  // A reference that does not parse has its problem already, not also that of being unpinned.
  return matching(IMAGE, message, 512).refine((value) => !IMAGE.test(value) || pinned(value), {
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
 */
export function envName() {
  return matching(ENV_NAME, "must be an environment variable name: letters, digits and '_', not starting with a digit", 128).refine(
    (name) => !isReservedKey(name),
    { error: `must be an environment variable name other than ${RESERVED_KEYS_TEXT}` },
  );
}

/**
 * A key of a map that is copied into a plain object: any string but a reserved key (`__proto__`, `constructor`, `prototype`).
 * @param what what the key names, as a message says it
 */
export function mapKey(what = "a name") {
  const message = `must be ${what} other than ${RESERVED_KEYS_TEXT}`;
  return z.string({ error: message }).refine((key) => !isReservedKey(key), { error: message });
}

/**
 * The error of a map (`z.record`): a bad key is named with what its schema allows, anything else with `message`.
 */
export function mapError(message: string) {
  return (issue: z.core.$ZodRawIssue) => (issue.code === "invalid_key" ? issue.issues[0]?.message : message);
}

/**
 * A five-field cron schedule.
 */
export function cronSchedule() {
  const message =
    'must be a five-field cron schedule such as "0 3 * * *" (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec, day of week 0-6 or sun-sat; each "*", a value, a range "a-b", a list "a,b" and an optional "/step"), or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly';
  // The shape (five fields or a macro) is a pattern, so the JSON Schema carries it; the ranges are checked in code.
  return z
    .string({ error: message })
    .max(128, { error: message })
    .regex(CRON_SHAPE, { error: message })
    .refine((value) => !CRON_SHAPE.test(value) || validCron(value), { error: message });
}

/** The fields of a five-field cron schedule: their ranges and names. */
const CRON_FIELDS: readonly { readonly min: number; readonly max: number; readonly names?: readonly string[] }[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
  { min: 0, max: 6, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];
const CRON_SHAPE = /^(@[a-z]+|\S+(\s+\S+){4})$/;
const CRON_MACROS: readonly string[] = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

/** Whether a schedule is one Kubernetes CronJobs accept (robfig/cron's standard parser): five fields in range, or a macro. */
function validCron(schedule: string): boolean {
  const trimmed = schedule.trim();
  if (CRON_MACROS.includes(trimmed)) return true;
  const fields = trimmed.split(/\s+/);
  return fields.length === CRON_FIELDS.length && fields.every((field, i) => validCronField(field, CRON_FIELDS[i]));
}

/** Whether one cron field holds a list of `*`, values or ranges, each with an optional step, within its range. */
function validCronField(field: string, range: (typeof CRON_FIELDS)[number]): boolean {
  const value = (text: string): number | undefined => {
    const named = range.names?.indexOf(text.toLowerCase()) ?? -1;
    if (named >= 0) return named + (range.min === 1 ? 1 : 0);
    if (!/^[0-9]{1,2}$/.test(text)) return undefined;
    const number = Number(text);
    return number >= range.min && number <= range.max ? number : undefined;
  };
  return field.split(",").every((item) => {
    const match = /^([^/]+)(\/([0-9]{1,2}))?$/.exec(item);
    if (!match) return false;
    const [, span, , step] = match;
    if (step !== undefined && (Number(step) < 1 || Number(step) > range.max)) return false;
    if (span === "*") return true;
    const ends = span.split("-");
    if (ends.length > 2) return false;
    const [from, to] = ends.map(value);
    if (from === undefined || (ends.length === 2 && (to === undefined || to < from))) return false;
    return true;
  });
}

/**
 * A duration in seconds, minutes or hours such as `30s` or `1h`.
 */
export function duration() {
  return matching(DURATION, 'must be a duration such as "30s", "5m" or "1h"', 16);
}

/**
 * An absolute HTTP path.
 */
export function httpPath() {
  return matching(HTTP_PATH, 'must be an absolute HTTP path such as "/healthz"', 512);
}

/**
 * An e-mail address.
 */
export function email() {
  return matching(EMAIL, 'must be an e-mail address such as "ops@example.com"', 254);
}

/**
 * A non-empty string of at most `maxLength` characters.
 */
export function text(maxLength = 253) {
  const message = `must be a non-empty string of at most ${maxLength} characters`;
  return z.string({ error: message }).min(1, { error: message }).max(maxLength, { error: message });
}

/**
 * A map of strings keyed by `key` (label maps, environment maps).
 */
export function stringMap<K extends z.ZodType<string>>(key: K) {
  return z.record(key, z.string({ error: "must be a string" }), { error: mapError("must be a map of strings") });
}

/**
 * A non-empty Kubernetes label value, such as an `app.kubernetes.io/instance`.
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
    { error: mapError("must be a map of labels") },
  );
}

/**
 * An object of named settings. An unknown key is rejected with the likely intended key and the allowed
 * ones: one message line per unknown key, in the order of the issue's `keys`.
 */
export function settings<const S extends z.ZodRawShape>(shape: S) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === "unrecognized_keys") return issue.keys.map((key) => unknownKeyReason(key, allowed)).join("\n");
      if (issue.code === "invalid_type") return "must be a map of settings";
      return undefined;
    },
  });
}

/**
 * A tenant name: a DNS-1123 label of at most {@link TENANT_NAME_MAX} characters, other than a reserved name
 * (`shared`, which would name the environment's shared stack). The one rule for every surface that takes one.
 */
export function tenantName() {
  return dnsLabel(TENANT_NAME_MAX).refine((name) => !RESERVED_TENANT_NAMES.includes(name), { error: RESERVED_TENANT_NAME_MESSAGE });
}

/**
 * A list of distinct tenant names (a part's `tenants`).
 */
export function tenantNames() {
  return z.array(tenantName(), { error: "must be a list of tenant names" }).superRefine((names, ctx) => {
    names.forEach((name, index) => {
      const first = names.indexOf(name);
      if (first < index)
        ctx.addIssue({ code: "custom", path: [index], input: name, message: `must be unique: tenant ${first} has it too` });
    });
  });
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
