/**
 * The zod schema of where the stack's credentials come from (`secrets`), with its list of the app's secret
 * names, and the check that a workload's plain environment names none of the stack's credentials.
 * Package-private, as `fields.ts` is: the stack's schema, the components and the tools import it, but no
 * entry point exports it and its declarations, which name zod's types, are not published (`package.json`'s
 * `files`); the plain types the schema parses to are published in `types.ts` (generated), the credentials'
 * names and keys in `secrets.ts`.
 */
import { z } from "zod";
import { dnsLabel, duration, envName, intBetween, mapError, mapKey, oneOf, settings, text } from "./fields";
import { credentialSlug } from "./naming";
import { credentialNames, PASSWORD_PROVIDERS, STACK_CREDENTIAL_KEYS, STACK_CREDENTIALS } from "./secrets";

/** Names an app secret may not have: the stack's credentials, by name or by key, which the stack generates itself. */
const RESERVED_APP_SECRET_NAMES: readonly string[] = [...STACK_CREDENTIALS, ...Object.values(STACK_CREDENTIAL_KEYS)];

/** The names of the app's extra secrets: environment variable names, distinct, none of the stack's own credentials. */
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

const passwordProvider = () =>
  oneOf(PASSWORD_PROVIDERS)
    .default("random")
    .describe(
      "How passwords are generated: `random` with `@pulumi/random` (needs the `random` provider plugin), or `builtin` with the Node.js dynamic-resource plugin that ships with the Pulumi CLI. Either way a password is made once and never changes.",
    );

/** Where the stack's credentials come from. */
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
