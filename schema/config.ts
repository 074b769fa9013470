import { type PropertyProblem, SECRET_NOT_SHOWN, ValidationError } from "./errors";
import { envName } from "./fields";
import { parseStack, type StackSpec } from "./stack";

/** The Pulumi config namespace of tenantstack. */
export const CONFIG_NAMESPACE = "tenantstack";

/** The config key holding the app's secret values (a secret map). */
export const APP_SECRET_VALUES_KEY = "appSecretValues";

/** A stack read from Pulumi config. */
export interface StackConfig {
  /** The validated stack. */
  readonly spec: StackSpec;
  /** The app's secret values by name; the caller wraps them as Pulumi secrets. */
  readonly appSecretValues: Readonly<Record<string, string>>;
}

/**
 * Reads and validates a stack from Pulumi config (`pulumi.runtime.allConfig()`), reporting every
 * problem at once in a {@link ValidationError}; never throws anything else for a bad value. A value that is
 * not valid JSON is named by its key, without its text. Values of secret keys never appear in a message: a
 * problem in one says the value is secret instead of quoting it, names no unknown key of it, and any text
 * or number from a secret value is replaced by `<secret>` in every message (one shorter than
 * {@link MIN_SCRUBBED_LENGTH} characters where the message quotes a value).
 *
 * @param allConfig every config value by full key (`tenantstack:api`), objects as JSON text
 * @param isSecret whether a full key was set as a secret
 */
export function readStackConfig(allConfig: Readonly<Record<string, string>>, isSecret: (key: string) => boolean): StackConfig {
  const prefix = `${CONFIG_NAMESPACE}:`;
  // Without a prototype, a key such as `__proto__` stays a key (and is refused as an unknown setting).
  const input: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const problems: PropertyProblem[] = [];
  const secretSettings: string[] = [];
  const secretValues: unknown[] = [];
  const unreadable: string[] = [];
  let appSecretValues: Record<string, string> = {};

  for (const [key, text] of Object.entries(allConfig)) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    const secret = isSecret(key);
    if (name === APP_SECRET_VALUES_KEY) {
      const read = readSecretMap(key, text, secret);
      problems.push(...read.problems);
      appSecretValues = read.values;
      // Never quoted; scrubbed all the same, should another setting hold one of them.
      secretValues.push(text, read.values);
      continue;
    }
    if (secret) secretSettings.push(name);
    const read = configValue(key, text, secret);
    if (secret) secretValues.push(read.problem ? text : read.value);
    if (read.problem) {
      problems.push(read.problem);
      unreadable.push(key);
    } else input[name] = read.value;
  }

  let spec: StackSpec | undefined;
  try {
    spec = parseStack(input, { root: prefix, providedAppSecrets: Object.keys(appSecretValues), secretSettings });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // A value that did not parse has its problem already, not also that of a missing setting.
    problems.unshift(...error.properties.filter((p) => !unreadable.some((key) => within(p.propertyPath, key))));
  }
  if (spec === undefined || problems.length > 0) {
    throw new ValidationError("tenantstack stack settings", scrubbed(problems, secretValues));
  }
  return { spec, appSecretValues };
}

/** Whether a property path is `key` or lies inside it. */
function within(path: string, key: string): boolean {
  return path === key || path.startsWith(`${key}.`) || path.startsWith(`${key}[`);
}

/** Texts shorter than this are scrubbed from messages only where a message quotes a value: `(x)`, `"x"`, `` `x` ``. */
export const MIN_SCRUBBED_LENGTH = 4;

/** The problems with every text of a secret value (its strings and numbers) replaced by `<secret>`. */
function scrubbed(problems: readonly PropertyProblem[], secretValues: readonly unknown[]): PropertyProblem[] {
  const texts = [...new Set(secretValues.flatMap(textsOf))].filter((t) => t !== "").sort((a, b) => b.length - a.length);
  const scrub = (line: string) =>
    texts.reduce((result, t) => {
      if (t.length >= MIN_SCRUBBED_LENGTH) return result.split(t).join("<secret>");
      // A short text is hidden where a message quotes a value, not inside the message's own words.
      return [`(${t})`, `"${t}"`, `\`${t}\``].reduce((r, quoted) => r.split(quoted).join(`${quoted[0]}<secret>${quoted.at(-1)}`), result);
    }, line);
  return problems.map((p) => ({ propertyPath: scrub(p.propertyPath), reason: scrub(p.reason) }));
}

/** Every string and number in a value, and its JSON forms (`true` and `false` are no secret). */
function textsOf(value: unknown): string[] {
  if (typeof value === "string") return [value, JSON.stringify(value)];
  if (typeof value === "number") return [String(value)];
  if (Array.isArray(value)) return [JSON.stringify(value), ...value.flatMap(textsOf)];
  if (value !== null && typeof value === "object") return [JSON.stringify(value), ...Object.values(value).flatMap(textsOf)];
  return [];
}

/** A config value: objects and lists (text starting with `{` or `[`) as JSON, anything else as text. */
function configValue(key: string, text: string, secret: boolean): { value?: unknown; problem?: PropertyProblem } {
  if (!/^\s*[[{]/.test(text)) return { value: text };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    // The parser's message may quote the text; only the position is kept.
    const at = /position ([0-9]+)/.exec(String(error))?.[1];
    const where = at === undefined ? "" : ` (at character ${Number(at) + 1})`;
    const how = `set it with \`pulumi config set${secret ? " --secret" : ""} --path '${key}.FIELD' VALUE\` or as one JSON value`;
    return {
      problem: {
        propertyPath: key,
        reason: `must be valid JSON: it starts like a map or list but does not parse${where}; ${how}${secret ? ` ${SECRET_NOT_SHOWN}` : ""}`,
      },
    };
  }
}

/** Reads the map of app secret values, which must be a secret map of strings keyed by environment variable names. */
function readSecretMap(key: string, text: string, secret: boolean): { values: Record<string, string>; problems: PropertyProblem[] } {
  const how = `set each value with \`pulumi config set --secret --path '${key}.NAME'\``;
  if (!secret) return { values: {}, problems: [{ propertyPath: key, reason: `must be set as a secret; ${how} (its value is not shown)` }] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return {
      values: {},
      problems: [{ propertyPath: key, reason: `must be a map of names to secret strings; ${how} (its value is not shown)` }],
    };
  }
  const values: Record<string, string> = {};
  const problems: PropertyProblem[] = [];
  const names = envName();
  for (const [name, value] of Object.entries(parsed)) {
    if (!names.safeParse(name).success) {
      problems.push({
        propertyPath: key,
        reason: `must be keyed by environment variable names, such as OPENAI_API_KEY (its value is not shown)`,
      });
    } else if (typeof value === "string") values[name] = value;
    else problems.push({ propertyPath: `${key}.${name}`, reason: "must be a string (its value is not shown)" });
  }
  return { values, problems };
}

/**
 * The Pulumi config of a stack's settings, the inverse of {@link readStackConfig}: one
 * `tenantstack:<key>` entry per top-level setting, objects and lists as JSON text.
 */
export function stackConfigOf(input: object): Record<string, string> {
  const entries = Object.entries(input)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => [`${CONFIG_NAMESPACE}:${key}`, typeof value === "string" ? value : JSON.stringify(value)]);
  return Object.fromEntries(entries);
}
