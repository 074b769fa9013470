/**
 * Where stacks keep their state and how their secrets are encrypted: pure checks of the URLs a
 * workspace is given, so bad input fails before any stack is touched.
 */
import * as os from "node:os";
import * as path from "node:path";

/** Backend schemes passed through to the engine as they are. */
export const REMOTE_BACKENDS = ["s3://", "gs://", "azblob://", "https://api.pulumi.com"] as const;
/** Secrets provider URL schemes passed through to the engine as they are. */
export const KMS_PROVIDERS = ["awskms://", "gcpkms://", "azurekeyvault://", "hashivault://"] as const;

/** The default file backend under a state directory. */
export function defaultBackendUrl(stateDir: string): string {
  return `file://${path.resolve(stateDir, "state")}`;
}

/** The directory of a `file://` backend URL (its query dropped, `~` expanded); undefined for any other backend. */
export function fileBackendDir(url: string): string | undefined {
  if (!url.startsWith("file://")) return undefined;
  const dir = url.slice("file://".length).split("?")[0];
  return dir === "~" || dir.startsWith("~/") ? path.join(os.homedir(), dir.slice(1)) : dir;
}

/**
 * The URL the engine is given for a backend: a `file://` backend without a `metadata` option gets
 * `metadata=skip`, so its blob store (gocloud.dev fileblob) writes each file with a temporary file
 * and a rename only. By default it also rewrites a `<file>.attrs` sidecar in place before that
 * rename, and an engine killed then leaves an empty sidecar that makes the checkpoint unloadable
 * (`failed to load checkpoint: EOF`). Nothing of Pulumi reads what the sidecar holds; a missing one
 * reads as defaults. Other backends are passed as they are.
 */
export function engineBackendUrl(url: string): string {
  if (!url.startsWith("file://") || /[?&]metadata=/.test(url)) return url;
  return `${url}${url.includes("?") ? "&" : "?"}metadata=skip`;
}

/**
 * The backend URL to use, or a problem line: `file://` (an absolute path), S3, GCS, Azure Blob or
 * Pulumi Cloud; anything else is refused.
 */
export function checkBackendUrl(url: string): string | undefined {
  if (url.startsWith("file://")) {
    const dir = url.slice("file://".length);
    return dir.startsWith("/") || dir === "~" || dir.startsWith("~/")
      ? undefined
      : `\`backendUrl\` must be file:// followed by an absolute path (got "${url}")`;
  }
  const bucket = /^(s3|gs|azblob):\/\/[^/\s]+/.test(url);
  const cloud = url === "https://api.pulumi.com" || url.startsWith("https://api.pulumi.com/");
  if (bucket || cloud) return undefined;
  return `\`backendUrl\` must start with file://, ${REMOTE_BACKENDS.join(", ")} (got "${url}")`;
}

/** How the stacks' secrets are encrypted. */
export type SecretsProvider = { readonly kind: "passphrase" } | { readonly kind: "url"; readonly url: string };

/**
 * Resolves the secrets provider: `passphrase` (which needs a passphrase) or a KMS, Key Vault or Vault
 * URL. Returns the provider and the problems found.
 */
export function checkSecretsProvider(provider: string, passphrase: string | undefined): { provider?: SecretsProvider; problems: string[] } {
  if (provider === "passphrase") {
    if (passphrase === undefined || passphrase === "") {
      return {
        problems: [
          "`passphrase` is required with the passphrase secrets provider: set TENANTSTACK_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE), or choose a KMS secrets provider",
        ],
      };
    }
    return { provider: { kind: "passphrase" }, problems: [] };
  }
  if (KMS_PROVIDERS.some((prefix) => provider.startsWith(prefix) && provider.length > prefix.length)) {
    return { provider: { kind: "url", url: provider }, problems: [] };
  }
  // The value is not repeated: a passphrase given here by mistake must not be printed.
  return {
    problems: [
      `\`secretsProvider\` must be "passphrase" or a URL starting with ${KMS_PROVIDERS.join(", ")} (the value given is not shown)`,
    ],
  };
}
