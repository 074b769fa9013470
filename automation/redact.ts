/**
 * The driver's side of the one redaction rule (`schema/redact.ts`): the secrets it knows of — the
 * passphrase and API token of its environment, and every value given to {@link rememberSecret} (a
 * passphrase or token passed as an option) — are hidden along with URL passwords in every message
 * that leaves it: CLI output, HTTP errors, logs and thrown errors (added to the rule itself, so that
 * the message of every error of the family hides them from the start).
 */
import { addSecretSource, redact as redactWith, redactDeep as redactDeepWith } from "../schema/redact";

/** Environment variables that hold secrets. */
export const SECRET_VARIABLES = ["TENANTSTACK_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE", "TENANTSTACK_API_TOKEN"] as const;

const remembered = new Set<string>();

/** The secrets of `env` and the remembered ones. */
function knownSecrets(env: NodeJS.ProcessEnv): string[] {
  const fromEnv = SECRET_VARIABLES.map((name) => env[name]).filter((v): v is string => v !== undefined);
  return [...fromEnv, ...remembered];
}

addSecretSource(() => knownSecrets(process.env));

/** Hides `value` in every later message of this process. */
export function rememberSecret(value: string | undefined): void {
  if (value) remembered.add(value);
}

/** `text` with URL passwords, `password=` settings and every known secret value replaced by `***`. */
export function redact(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return redactWith(text, knownSecrets(env));
}

/** `value` with every string in it, at any depth, redacted (for JSON bodies and wire forms). */
export function redactDeep<T>(value: T): T {
  return redactDeepWith(value, (text) => redact(text));
}
