/**
 * The one redaction rule for every message that leaves the project (CLI output, HTTP errors, logs,
 * thrown messages): the password of every URL (`scheme://user:password@`), every `password=...`
 * setting and each known secret value are replaced; file contents are never put into a message at all.
 */

/** What a hidden value is replaced with. */
export const REDACTED = "***";

/** A known secret shorter than this is not searched for: it would blank out ordinary words. */
export const SECRET_MIN_LENGTH = 4;

// The password runs to the last `@` before the host (a password may hold `@`), never past a `/` or a space.
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]*)(:[^\s/]*)?@/gi;
const PASSWORD_SETTING = /(password\s*=\s*)(\S+)/gi;

/** The sources of secret values added by {@link addSecretSource}. */
const secretSources: (() => Iterable<string>)[] = [];

/**
 * Adds a source of secret values that every later {@link redact} in this process hides as well, read at each
 * call: the driver adds the passphrase and API token of its environment and the secrets given to it as
 * options, so that the message of every error of the family (`errors.ts`) hides them from the start.
 */
export function addSecretSource(source: () => Iterable<string>): void {
  secretSources.push(source);
}

/**
 * `text` with the password of every URL and every `password=...` setting replaced by `***`, and each
 * of `secrets` and of the sources added by {@link addSecretSource} (at least {@link SECRET_MIN_LENGTH}
 * characters) replaced by `***` wherever it occurs.
 */
export function redact(text: string, secrets: Iterable<string> = []): string {
  let result = text
    .replace(
      URL_CREDENTIALS,
      (_match, scheme: string, user: string, password?: string) => `${scheme}${user}${password ? `:${REDACTED}` : ""}@`,
    )
    .replace(PASSWORD_SETTING, `$1${REDACTED}`);
  // Longest first, so a secret that contains another is hidden whole.
  const known = [...new Set([...secrets, ...secretSources.flatMap((source) => [...source()])])]
    .filter((s) => s.length >= SECRET_MIN_LENGTH)
    .sort((a, b) => b.length - a.length);
  for (const secret of known) result = result.split(secret).join(REDACTED);
  return result;
}

/** `value` with every string in it, at any depth, redacted by `rule` (for JSON bodies and wire forms). */
export function redactDeep<T>(value: T, rule: (text: string) => string = (text) => redact(text)): T {
  if (typeof value === "string") return rule(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item, rule)) as T;
  if (value !== null && typeof value === "object" && !(value instanceof Date))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, rule)])) as T;
  return value;
}

/**
 * Where a JSON text stops being valid, as `line L, column C` (1-based), from a `JSON.parse` error; the
 * parser's own message quotes the text, so only this position may be shown.
 */
export function jsonErrorPosition(text: string, error: unknown): string {
  const offset = jsonErrorOffset(text, error);
  const before = text.slice(0, offset).split("\n");
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/** The offset of the first character that makes `text` invalid JSON (its length when it ends too early). */
function jsonErrorOffset(text: string, error: unknown): number {
  const stated = /position (\d+)/.exec(error instanceof Error ? error.message : "");
  if (stated) return Math.min(Number(stated[1]), text.length);
  // Prefixes up to the bad character are merely incomplete; the shortest bad prefix ends with it.
  const bad = (length: number) => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (e) {
      const at = /position (\d+)/.exec((e as Error).message);
      return !/end of JSON input/.test((e as Error).message) && (at === null || Number(at[1]) < length);
    }
  };
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (bad(mid + 1)) high = mid;
    else low = mid + 1;
  }
  return low;
}
