import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  credentialNames,
  missingAppSecretProblems,
  type SecretsInput,
  type SecretsSpec,
  tenantDatabase,
  tenantKeyPrefix,
  tenantRedisUser,
} from "../schema";
import { dnsLabel, envName, oneOf, tenantNames } from "../schema/fields";
import { SecretsSchema } from "../schema/secretSettings";
import { input, namespaceArg, parseArgs } from "./validation";
import { z } from "zod";
import {
  CREDENTIALS_SECRET,
  credentialKey,
  PORTS,
  REDIS_TENANT_ACL_KEY,
  SERVICES,
  TENANT_CREDENTIALS_SECRET,
  tenantKeys,
} from "./contract";
import { checksum } from "./checksum";
import { generatedPassword } from "./password";

/** Type token of {@link Secrets}. */
export const SECRETS_TYPE = "tenantstack:security:Secrets";

/** Arguments of {@link Secrets}. */
export interface SecretsArgs {
  /** Namespace of the stack. */
  readonly namespace: pulumi.Input<string>;
  /** Where the credentials come from, as in a stack's `secrets`; an omitted field takes its default. */
  readonly spec: SecretsInput;
  /**
   * Names of the tenants (distinct DNS-1123 labels of at most 40 characters): each gets a database role and,
   * with `redisIsolation: acl`, a Redis user.
   */
  readonly tenants: readonly string[];
  /**
   * How tenants are kept apart in Redis.
   * @default "acl"
   */
  readonly redisIsolation?: "acl" | "prefix";
  /**
   * Values of the app secrets named in `spec.appSecretNames`, required with generated secrets.
   * @default {}
   */
  readonly appSecretValues?: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * Where a part reads the stack's credentials from: a {@link Secrets} component (pass it whole:
 * `credentials: secrets`), or the names of two Secrets holding the same keys. A part given the Secrets
 * component is created after it (an ordering, `dependsOn`, not a property dependency: a Secret whose data
 * changes is replaced, deleting it first, and the engine replaces with it every object whose inputs come
 * from its outputs, the protected data stores included; names known in advance avoid that). A name given
 * as an Output of a Secret of your own makes the objects reading it dependent on that Secret in the same way.
 */
export interface StackCredentials {
  /**
   * Name of the Secret of the stack credentials (`POSTGRES_PASSWORD`, `REDIS_PASSWORD`, `APP_SECRET_KEY` and
   * the app secrets), in the part's namespace.
   */
  readonly credentialsSecretName: pulumi.Input<string>;
  /** Name of the Secret of the tenants' credentials (each tenant's database and Redis credentials and the Redis ACL lines). */
  readonly tenantCredentialsSecretName: pulumi.Input<string>;
}

/**
 * What a {@link StackCredentials} argument may hold: two Secret names, each an Output or a DNS-1123 label.
 * @internal
 */
export function credentialsArg() {
  const name = input(dnsLabel(253));
  return z.object(
    { credentialsSecretName: name, tenantCredentialsSecretName: name },
    { error: "must be the stack's Secrets, or the names of its two Secrets" },
  );
}

/**
 * A part's options: made to wait for a {@link Secrets} component given as its `credentials` (see
 * {@link StackCredentials} for why this is `dependsOn` and not the Secrets' outputs).
 * @internal
 */
export function afterCredentials(
  credentials: StackCredentials,
  opts: pulumi.ComponentResourceOptions | undefined,
): pulumi.ComponentResourceOptions | undefined {
  if (!pulumi.Resource.isInstance(credentials)) return opts;
  const more = opts?.dependsOn;
  // The SDK flattens a dependsOn list of resources, lists, Promises and Outputs of them alike.
  return { ...opts, dependsOn: more === undefined ? [credentials] : [credentials, more as pulumi.Input<pulumi.Resource>] };
}

/**
 * The stack's credentials: a Secret of stack credentials (generated once, or read
 * from a secret store by an ExternalSecret) and a Secret of per-tenant credentials (always generated).
 */
export class Secrets extends pulumi.ComponentResource implements StackCredentials {
  /** Name of the Secret holding the stack credentials as environment variables: always `credentials`. */
  public readonly credentialsSecretName: string = CREDENTIALS_SECRET;
  /** Name of the Secret holding the tenants' credentials: always `tenant-credentials`. */
  public readonly tenantCredentialsSecretName: string = TENANT_CREDENTIALS_SECRET;
  /** Keys of the stack credentials Secret. */
  public readonly credentialKeys: readonly string[];
  /** Changes whenever a stack credential changes (a secret). */
  public readonly credentialsChecksum: pulumi.Output<string>;
  /** Each tenant's Postgres connection URL (a secret). */
  public readonly tenantDatabaseUrls: pulumi.Output<Record<string, string>>;
  /**
   * With `source: cloud`, the stack credentials (secrets) by credential name, for the cloud's secret store,
   * from which the cloud integration's ExternalSecret writes the credentials Secret.
   */
  public readonly cloudValues: Readonly<Record<string, pulumi.Output<string>>> | undefined;

  constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    const appSecretValues = args.appSecretValues ?? {};
    const { spec } = parseArgs(
      `Secrets "${name}"`,
      {
        namespace: namespaceArg(),
        spec: SecretsSchema,
        tenants: tenantNames(),
        redisIsolation: oneOf(["acl", "prefix"]).optional(),
        appSecretValues: z
          .record(envName(), z.unknown(), {
            error: (issue) => (issue.code === "invalid_key" ? issue.issues[0]?.message : "must be a map of secret values by name"),
          })
          .optional(),
      },
      args,
      ({ spec }) =>
        missingAppSecretProblems(spec, Object.keys(appSecretValues), {
          values: "appSecretValues",
          names: "spec.appSecretNames",
          config: false,
        }),
    );
    super(SECRETS_TYPE, name, {}, opts);

    const password = (purpose: string) =>
      generatedPassword(`${name}-${purpose}`, { length: spec.passwordLength, provider: spec.passwordProvider }, { parent: this });

    this.credentialKeys = credentialNames(spec).map(credentialKey);
    const credentials = this.credentialsSecret(name, args.namespace, spec, appSecretValues, password);
    this.credentialsChecksum = credentials.checksum;
    this.cloudValues = credentials.cloudValues;

    const tenants = this.tenantCredentials(args.tenants, args.redisIsolation ?? "acl", password);
    // Parts depend on the Secrets through `dependsOn`, never on their outputs (see StackCredentials).
    new k8s.core.v1.Secret(
      `${name}-tenant-credentials`,
      { metadata: { name: TENANT_CREDENTIALS_SECRET, namespace: args.namespace }, type: "Opaque", data: secretData(tenants.data) },
      { parent: this },
    );
    this.tenantDatabaseUrls = tenants.databaseUrls;

    this.registerOutputs({
      credentialsSecretName: this.credentialsSecretName,
      tenantCredentialsSecretName: this.tenantCredentialsSecretName,
      credentialKeys: this.credentialKeys,
      credentialsChecksum: this.credentialsChecksum,
      tenantDatabaseUrls: this.tenantDatabaseUrls,
    });
  }

  /** The stack credentials Secret: generated values, or an ExternalSecret that writes the same Secret. */
  private credentialsSecret(
    name: string,
    namespace: pulumi.Input<string>,
    spec: SecretsSpec,
    appSecretValues: Readonly<Record<string, pulumi.Input<string>>>,
    password: (purpose: string) => pulumi.Output<string>,
  ): { checksum: pulumi.Output<string>; cloudValues?: Record<string, pulumi.Output<string>> } {
    const metadata = { name: CREDENTIALS_SECRET, namespace };
    if (spec.source === "external") {
      new k8s.apiextensions.CustomResource(
        `${name}-credentials`,
        {
          apiVersion: "external-secrets.io/v1",
          kind: "ExternalSecret",
          metadata,
          spec: {
            refreshInterval: spec.refreshInterval,
            secretStoreRef: { kind: spec.store.kind, name: spec.store.name },
            target: { name: CREDENTIALS_SECRET, creationPolicy: "Owner", deletionPolicy: "Retain" },
            data: credentialNames(spec).map((credential) => ({
              secretKey: credentialKey(credential),
              remoteRef: { key: spec.remoteKeys[credential] },
            })),
          },
        },
        { parent: this },
      );
      return { checksum: pulumi.output(checksum([spec.store, spec.remoteKeys])) };
    }

    const values: Record<string, pulumi.Input<string>> = {
      [credentialKey("postgresPassword")]: password("postgres-password"),
      [credentialKey("redisPassword")]: password("redis-password"),
      [credentialKey("appSecretKey")]: password("app-secret-key"),
    };
    for (const secretName of spec.appSecretNames) values[secretName] = pulumi.secret(appSecretValues[secretName]);
    if (spec.source === "cloud") return cloudCredentials(spec, values);
    const plain = pulumi.secret(pulumi.all(values));
    new k8s.core.v1.Secret(`${name}-credentials`, { metadata, type: "Opaque", data: secretData(plain) }, { parent: this });
    return { checksum: pulumi.secret(plain.apply(checksum)) };
  }

  /** Per-tenant passwords, connection URLs and Redis ACL lines. */
  private tenantCredentials(
    tenants: readonly string[],
    redisIsolation: "acl" | "prefix",
    password: (purpose: string) => pulumi.Output<string>,
  ) {
    const data: Record<string, pulumi.Input<string>> = {};
    const databaseUrls: Record<string, pulumi.Input<string>> = {};
    const aclLines: pulumi.Output<string>[] = [];
    for (const tenant of tenants) {
      const keys = tenantKeys(tenant);
      const database = tenantDatabase(tenant);
      const databasePassword = password(`tenant-${tenant}-database-password`);
      const url = pulumi.interpolate`postgresql://${database}:${databasePassword}@${SERVICES.postgres}:${PORTS.postgres}/${database}`;
      data[keys.databasePassword] = databasePassword;
      data[keys.databaseUrl] = url;
      data[keys.redisKeyPrefix] = tenantKeyPrefix(tenant);
      databaseUrls[tenant] = url;
      if (redisIsolation === "acl") {
        const user = tenantRedisUser(tenant);
        const redisPassword = password(`tenant-${tenant}-redis-password`);
        const prefix = tenantKeyPrefix(tenant);
        data[keys.redisUrl] = pulumi.interpolate`redis://${user}:${redisPassword}@${SERVICES.redis}:${PORTS.redis}/0`;
        aclLines.push(pulumi.interpolate`user ${user} on >${redisPassword} ~${prefix}* &${prefix}* +@all -@admin -@dangerous`);
      }
    }
    data[REDIS_TENANT_ACL_KEY] = pulumi.all(aclLines).apply((lines) => lines.map((line) => `${line}\n`).join(""));
    return { data: pulumi.secret(pulumi.all(data)), databaseUrls: pulumi.secret(pulumi.all(databaseUrls)) };
  }
}

/** `source: cloud`: the values go to the cloud's secret store, whose ExternalSecret (of the cloud integration) writes the Secret. */
function cloudCredentials(spec: SecretsSpec, values: Record<string, pulumi.Input<string>>) {
  const secretValues = pulumi.secret(pulumi.all(values));
  return {
    checksum: pulumi.secret(secretValues.apply(checksum)),
    cloudValues: Object.fromEntries(
      credentialNames(spec).map((credential) => [credential, pulumi.secret(values[credentialKey(credential)])]),
    ),
  };
}

/**
 * A Secret's `data`, each value base64-encoded here. Given `stringData`, the provider encodes it into
 * `data` itself, but only once the values are known: a plan saved by a preview of a new stack (its
 * generated passwords unknown) then names `stringData`, the update sends `data`, and the saved plan
 * never matches.
 */
function secretData(values: pulumi.Input<Record<string, pulumi.Input<string>>>): pulumi.Output<Record<string, string>> {
  const encoded = pulumi
    .output(values)
    .apply((plain) =>
      Object.fromEntries(Object.entries(plain).map(([key, value]) => [key, Buffer.from(value, "utf8").toString("base64")])),
    );
  return pulumi.secret(encoded);
}
