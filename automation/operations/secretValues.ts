/**
 * Secrets as the engine's events carry them: blinded, a serialized secret (the signature key) whose
 * ciphertext is `[secret]`. Only their place is ever used, never a value.
 */

/** The key (and value) that marks a secret in serialized state. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";

/** Whether a value of an engine event is a (blinded) secret. */
export function isSecretValue(value: unknown): boolean {
  return typeof value === "object" && value !== null && SECRET_SIGNATURE in value;
}

/** A value with the secrets nested in it replaced by `[secret]`. */
export function maskedSecrets(value: unknown): unknown {
  if (isSecretValue(value)) return "[secret]";
  if (Array.isArray(value)) return value.map(maskedSecrets);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskedSecrets(v)]));
  return value;
}
