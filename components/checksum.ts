import { createHash } from "node:crypto";

/**
 * The SHA-256 of a value's JSON (or of a string as is): pod annotations that change when what they
 * summarise changes, rolling the pods.
 * @internal
 */
export function checksum(value: unknown): string {
  return createHash("sha256")
    .update(typeof value === "string" ? value : JSON.stringify(value))
    .digest("hex");
}
