import { z } from "zod";
import { dnsLabel, duration, envName, intBetween, mapError, mapKey, oneOf, settings, text } from "./fields";
import type { PropertyProblem } from "./errors";
import { credentialSlug } from "./naming";
import type { SecretsSpec } from "./types";

/** The credentials every stack has, whatever its secret source. */
export const STACK_CREDENTIALS = ["postgresPassword", "redisPassword", "appSecretKey"] as const;

/** Keys of the stack credentials in the credentials Secret (and environment variables of the workloads), by credential name. */
export const STACK_CREDENTIAL_KEYS: Readonly<Record<(typeof STACK_CREDENTIALS)[number], string>> = {
  /** The PostgreSQL superuser's password. */
  postgresPassword: "POSTGRES_PASSWORD",
  /** The Redis default user's password. */
  redisPassword: "REDIS_PASSWORD",
  /** The app's own secret key. */
  appSecretKey: "APP_SECRET_KEY",
};

/** The key of a credential in the credentials Secret: the stack's own by {@link STACK_CREDENTIAL_KEYS}; app secrets keep their names. */
export function credentialKey(name: string): string {
  return Object.hasOwn(STACK_CREDENTIAL_KEYS, name) ? STACK_CREDENTIAL_KEYS[name as keyof typeof STACK_CREDENTIAL_KEYS] : name;
}

/** Names an app secret may not have: the stack's credentials, by name or by key, which the stack generates itself. */
const RESERVED_APP_SECRET_NAMES: readonly string[] = [...STACK_CREDENTIALS, ...Object.values(STACK_CREDENTIAL_KEYS)];

/**
 * The names of the app's extra secrets: environment variable names, distinct, none of the stack's own credentials.
 * @internal
 */
export function appSecretNames() {
  return z.array(envName(), { error: "must be a list of environment variable names" }).superRefine((names, ctx) => {
    names.forEach((name, index) => {
      const first = names.indexOf(name);
      const problem = (message: string) => ctx.addIssue({ code: "custom", path: [index], input: name, message });
      if (RESERVED_APP_SECRET_NAMES.includes(name)) {
        problem(
          `must not name a credential the stack generates itself (${RESERVED_APP_SECRET_NAMES.map((n) => `"${n}"`).join(", ")}): its value would replace the generated one; choose another name`,
        );
      } else if (first < index) problem(`must be unique: entry ${first} has it too`);
    });
  });
}

/**
 * Problems of plain environment variables (`env`) that name a credential of the stack: a plaintext value would
 * replace the Secret's. Each is at the variable's name; the value, likely a credential, is never quoted.
 * @internal
 */
export function plaintextCredentialProblems(
  env: Readonly<Record<string, string>>,
  credentialKeys: readonly string[],
): { path: PropertyKey[]; message: string; input: string }[] {
  return Object.keys(env)
    .filter((name) => credentialKeys.includes(name))
    .map((name) => ({
      path: [name],
      input: name,
      message:
        "must not name a credential of the stack (its value comes from the stack's Secret, and a plain variable would replace it with plaintext); set secret values with `secrets.appSecretNames`",
    }));
}

/** How generated passwords are made. */
export const PASSWORD_PROVIDERS = ["random", "builtin"] as const;

/** Validated password provider. */
export type PasswordProvider = (typeof PASSWORD_PROVIDERS)[number];

const passwordProvider = () =>
  oneOf(PASSWORD_PROVIDERS)
    .default("random")
    .describe(
      "How passwords are generated: `random` with `@pulumi/random` (needs the `random` provider plugin), or `builtin` with the Node.js dynamic-resource plugin that ships with the Pulumi CLI. Either way a password is made once and never changes.",
    );

/**
 * Where the stack's credentials come from.
 * @internal
 */
export const SecretsSchema = z
  .discriminatedUnion(
    "source",
    [
      settings({
        source: z.literal("generated").describe("Passwords generated once and kept in state as secrets."),
        passwordLength: intBetween(16, 128).default(32).describe("Length of generated passwords."),
        passwordProvider: passwordProvider(),
        appSecretNames: appSecretNames()
          .default([])
          .describe(
            "Extra secret environment variables of the app, set with `pulumi config set --secret --path 'tenantstack:appSecretValues.NAME'`; not the stack's own credentials (`POSTGRES_PASSWORD`, `REDIS_PASSWORD`, `APP_SECRET_KEY`).",
          ),
      }),
      settings({
        source: z
          .literal("cloud")
          .describe(
            "Passwords generated once, written to the cloud's secret store (AWS Secrets Manager, GCP Secret Manager, Azure Key Vault) as `<namespace>-<credential>` and read back by an `external-secrets.io/v1` ExternalSecret through the SecretStore `cloud-secrets` of the cloud integration. Needs `cloud` other than `none`.",
          ),
        passwordLength: intBetween(16, 128).default(32).describe("Length of generated passwords."),
        passwordProvider: passwordProvider(),
        appSecretNames: appSecretNames()
          .default([])
          .describe(
            "Extra secret environment variables of the app, set with `pulumi config set --secret --path 'tenantstack:appSecretValues.NAME'` and stored in the cloud's secret store too; not the stack's own credentials.",
          ),
        refreshInterval: duration().default("1h").describe("How often the ExternalSecret re-reads the store."),
      }),
      settings({
        source: z.literal("external").describe("ExternalSecrets (`external-secrets.io/v1`) read the credentials from a secret store."),
        passwordLength: intBetween(16, 128).default(32).describe("Length of the per-tenant passwords, which are always generated."),
        passwordProvider: passwordProvider(),
        store: settings({
          kind: oneOf(["SecretStore", "ClusterSecretStore"]).default("ClusterSecretStore").describe("Kind of the store."),
          name: dnsLabel(253).describe("Name of the store."),
        }).describe("The SecretStore or ClusterSecretStore the credentials are read from."),
        refreshInterval: duration().default("1h").describe("How often the ExternalSecret re-reads the store."),
        appSecretNames: appSecretNames()
          .default([])
          .describe("Extra secret environment variables of the app; not the stack's own credentials."),
        remoteKeys: z
          .record(mapKey("a credential name"), text(512), { error: mapError("must be a map from credential name to remote key") })
          .describe(
            "Remote key of each credential: `postgresPassword`, `redisPassword`, `appSecretKey` and every name in `appSecretNames`.",
          ),
      }),
    ],
    { error: 'must be one of "generated", "cloud", "external"' },
  )
  .prefault({ source: "generated" })
  .superRefine((secrets, ctx) => {
    if (secrets.source === "cloud") {
      const seen = new Map<string, string>();
      secrets.appSecretNames.forEach((name, index) => {
        // A stack credential's own name has its problem already (`appSecretNames()`).
        if (RESERVED_APP_SECRET_NAMES.includes(name)) return;
        const remote = credentialSlug(name);
        const other = seen.get(remote) ?? STACK_CREDENTIALS.find((c) => credentialSlug(c) === remote);
        if (other !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["appSecretNames", index],
            input: name,
            message: `must differ from "${other}" in more than case and "_": both would be stored as "<namespace>-${remote}"`,
          });
        }
        seen.set(remote, name);
      });
    }
    if (secrets.source !== "external") return;
    const names = credentialNames(secrets);
    for (const key of Object.keys(secrets.remoteKeys)) {
      if (!names.includes(key)) {
        ctx.addIssue({
          code: "custom",
          path: ["remoteKeys", key],
          input: key,
          message: `must be keyed by a credential name: one of ${names.map((n) => `"${n}"`).join(", ")}`,
        });
      }
    }
    const missing = names.filter((name) => !Object.hasOwn(secrets.remoteKeys, name));
    if (missing.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["remoteKeys"],
        input: Object.keys(secrets.remoteKeys),
        message: `must name a remote key for ${missing.map((n) => `"${n}"`).join(", ")}`,
      });
    }
  })
  .describe("Credentials of the stack.");

/** Every credential name the stack's Secret holds. */
export function credentialNames(secrets: Pick<SecretsSpec, "appSecretNames">): readonly string[] {
  return [...STACK_CREDENTIALS, ...secrets.appSecretNames];
}

/** Where the app secrets' names and values are set, for messages. */
export interface AppSecretPaths {
  /** Path of the map of values, such as `tenantstack:appSecretValues` or `appSecretValues`. */
  readonly values: string;
  /** Path of the list of names, such as `tenantstack:secrets.appSecretNames` or `spec.appSecretNames`. */
  readonly names: string;
  /** Whether the values are Pulumi config (the message then says how to set one). */
  readonly config: boolean;
}

/** Problems for app secrets that generated-secrets stacks need but were not provided. */
export function missingAppSecretProblems(secrets: SecretsSpec, provided: readonly string[], paths: AppSecretPaths): PropertyProblem[] {
  if (secrets.source === "external") return [];
  return secrets.appSecretNames
    .filter((name) => !provided.includes(name))
    .map((name) => {
      const path = `${paths.values}.${name}`;
      const how = paths.config ? `\`pulumi config set --secret --path '${path}'\`` : "wrap it with `pulumi.secret`";
      return { propertyPath: path, reason: `is required by \`${paths.names}\`: provide it as a secret (${how})` };
    });
}
