/**
 * A saved plan sealed for its trip through a runner's log: the Kubernetes executor gives each runner of a
 * `--save-plan` preview or `--saved-plan` update a fresh key in its input Secret, and the plan travels
 * sealed with it (AES-256-GCM), back in the preview's result line and out in the update's Secret. The
 * log, which outlives the Secret, holds only what the key alone opens. The plan goes with the stack
 * settings file of the preview's work directory: the engine encrypted the plan's secret values with the
 * secrets manager that file's salt makes, and a runner's work directory is new each time.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** A new key for one runner's plan (base64). */
export function planKey(): string {
  return randomBytes(32).toString("base64");
}

/** `plan` sealed with `key`: base64 of the nonce, the tag and the ciphertext. */
export function sealPlan(plan: string, key: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(key, "base64"), nonce);
  const sealed = Buffer.concat([cipher.update(plan, "utf8"), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), sealed]).toString("base64");
}

/** The plan `sealed` holds; throws when it was not sealed with `key` or was changed. */
export function unsealPlan(sealed: string, key: string): string {
  const bytes = Buffer.from(sealed, "base64");
  const decipher = createDecipheriv("aes-256-gcm", Buffer.from(key, "base64"), bytes.subarray(0, 12));
  decipher.setAuthTag(bytes.subarray(12, 28));
  return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString("utf8");
}

/** A saved plan, and the stack settings file (`Pulumi.<stack>.yaml`) of the work directory that made it. */
export interface SavedPlan {
  readonly plan: string;
  readonly stackSettings?: string;
}

/** `saved` sealed with `key`. */
export function sealSavedPlan(saved: SavedPlan, key: string): string {
  return sealPlan(JSON.stringify(saved), key);
}

/** The saved plan `sealed` holds; throws when it was not sealed with `key` or was changed. */
export function unsealSavedPlan(sealed: string, key: string): SavedPlan {
  return JSON.parse(unsealPlan(sealed, key)) as SavedPlan;
}
