import { type PropertyProblem, ValidationError } from "./errors";
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
 * problem at once. Values of secret keys never appear in a message.
 *
 * @param allConfig every config value by full key (`tenantstack:api`), objects as JSON text
 * @param isSecret whether a full key was set as a secret
 */
export function readStackConfig(allConfig: Readonly<Record<string, string>>, isSecret: (key: string) => boolean): StackConfig {
  const prefix = `${CONFIG_NAMESPACE}:`;
  const input: Record<string, unknown> = {};
  const problems: PropertyProblem[] = [];
  let appSecretValues: Record<string, string> = {};

  for (const [key, text] of Object.entries(allConfig)) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    if (name === APP_SECRET_VALUES_KEY) {
      const read = readSecretMap(key, text, isSecret(key));
      problems.push(...read.problems);
      appSecretValues = read.values;
    } else {
      input[name] = /^\s*[[{]/.test(text) ? JSON.parse(text) : text;
    }
  }

  let spec: StackSpec | undefined;
  try {
    spec = parseStack(input, { root: prefix, providedAppSecrets: Object.keys(appSecretValues) });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.unshift(...error.properties);
  }
  if (spec === undefined || problems.length > 0) throw new ValidationError("tenantstack stack settings", problems);
  return { spec, appSecretValues };
}

/** Reads the map of app secret values, which must be a secret map of strings. */
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
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value === "string") values[name] = value;
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
