/**
 * The stack's credentials: their names, their keys in the credentials Secret, how generated passwords are made,
 * and the app secrets a stack still needs. The zod schema of the `secrets` settings is package-private, in
 * `secretSettings.ts`.
 */
import type { PropertyProblem } from "./errors";
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

/** How generated passwords are made. */
export const PASSWORD_PROVIDERS = ["random", "builtin"] as const;

/** Validated password provider. */
export type PasswordProvider = (typeof PASSWORD_PROVIDERS)[number];

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
