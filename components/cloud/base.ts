/**
 * What every cloud integration shares: its arguments, their validation, the Kubernetes side of workload
 * identity (ServiceAccounts, the SecretStore, cert-manager's token grant), and the order in which a cloud
 * driver is asked for identities, secret entries, the backup bucket and DNS-01 access.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  type BackupDestinationInput,
  type BackupDestinationSpec,
  type Cloud,
  CLOUD_SECRET_STORE,
  CLOUD_SERVICES,
  type CloudSpecs,
  cloudUseProblems,
  TenantstackError,
} from "../../schema";
import { cloudSecretEntryName } from "../../schema/cloudFields";
import { BackupDestinationSchema } from "../../schema/data";
import { problem, type PropertyProblem } from "../../schema/errors";
import { propertyProblemsOf } from "../../schema/issues";
import { dnsLabel, duration, envName, hostName, intBetween, labelValue, settings } from "../../schema/fields";
import { recommendedLabels } from "../labels";
import { BACKUP_SERVICE_ACCOUNT } from "../postgresBackup";
import { InvalidArgsError } from "../validation";

/** ServiceAccount of the SecretStore, in the stack's namespace. */
export const SECRET_STORE_SERVICE_ACCOUNT = "external-secrets";
/** ServiceAccount cert-manager requests Route 53 tokens for, in the stack's namespace (AWS). */
export const DNS01_SERVICE_ACCOUNT = "cert-manager-dns01";

/** A validated Postgres backup destination in object storage. */
export type ObjectDestination = Exclude<BackupDestinationSpec, { type: "volume" }>;
/** A Postgres backup destination in object storage, as written (`prefix` defaults to `postgres`). */
export type ObjectDestinationInput = Exclude<BackupDestinationInput, { type: "volume" }>;

/** Arguments every cloud integration takes, besides its cloud's `settings`. */
export interface CloudIntegrationArgs {
  /** Namespace of the stack: the identities trust its ServiceAccounts, and nothing else. */
  readonly namespace: string;
  /**
   * `app.kubernetes.io/instance` label of every Kubernetes object.
   * @default - the component's name
   */
  readonly instance?: string;
  /**
   * Credentials to keep in the cloud's secret store and read back into one Kubernetes Secret: the integration
   * creates the entries, the identity that reads exactly them, the SecretStore `cloud-secrets` and the
   * ExternalSecret that writes `target`.
   * @default - no entries, no SecretStore and no ExternalSecret
   */
  readonly secrets?: CloudSecrets;
  /**
   * The Postgres backup in object storage: its destination (of this cloud) and how many days dumps are kept.
   * @default - no bucket and no backup identity
   */
  readonly backup?: {
    /** Where the dumps go: an S3, GCS or Azure Blob destination, of this cloud. */
    readonly destination: ObjectDestinationInput;
    /** Days a dump is kept (the bucket's lifecycle rule), from 1 to 3650. */
    readonly retentionDays: number;
  };
  /**
   * DNS zone in which cert-manager solves DNS-01 challenges, such as `example.com`; needs the settings' DNS block.
   * @default - no DNS-01 access
   */
  readonly dns01Zone?: string;
}

/** Credentials kept in a cloud's secret store and the Kubernetes Secret they are read into. */
export interface CloudSecrets {
  /** Name of the Kubernetes Secret the ExternalSecret writes (it keeps the Secret when deleted). */
  readonly target: string;
  /** How often the ExternalSecret re-reads the store, such as `1h`. */
  readonly refreshInterval: string;
  /**
   * The entries by name in the cloud's store (see `cloudSecretName`): the key each gets in `target`, and its
   * value (wrap it with `pulumi.secret`).
   */
  readonly entries: Readonly<
    Record<
      string,
      {
        /** The key of the entry in `target`, an environment variable name. */
        readonly secretKey: string;
        /** The value kept in the store (wrap it with `pulumi.secret`). */
        readonly value: pulumi.Input<string>;
      }
    >
  >;
}

/** The arguments of one cloud's integration. */
export type CloudArgs<S> = CloudIntegrationArgs & {
  /** The cloud's settings, as in a stack's `aws`, `gcp` or `azure` (`AwsInput`, `GcpInput`, `AzureInput`). */
  readonly settings: S;
};

const BackupArgsSchema = settings({ destination: BackupDestinationSchema, retentionDays: intBetween(1, 3650) });
const SecretsArgsSchema = settings({
  target: dnsLabel(253),
  refreshInterval: duration(),
  entries: z
    .record(cloudSecretEntryName(), settings({ secretKey: envName(), value: z.unknown() }))
    .refine((entries) => Object.keys(entries).length > 0, { error: "must name at least one entry" }),
});

/** A cloud integration's validated arguments, as its subclass passes them to {@link CloudIntegration}'s constructor. */
export type ValidCloudArgs = Omit<CloudIntegrationArgs, "backup"> & {
  readonly backup?: { readonly destination: ObjectDestination; readonly retentionDays: number };
};

/**
 * Validates a cloud integration's arguments, reporting every problem at once before anything is registered.
 * @param component the integration, such as `AwsIntegration "cloud"`
 * @internal
 */
export function validateCloudArgs<C extends Cloud>(
  component: string,
  cloud: C,
  schema: z.ZodType<CloudSpecs[C]>,
  args: CloudArgs<unknown>,
): { settings: CloudSpecs[C]; args: ValidCloudArgs } {
  const problems: PropertyProblem[] = [];
  const check = <T>(schema: z.ZodType<T>, input: unknown, root: string): T | undefined => {
    const result = schema.safeParse(input, { reportInput: true });
    if (!result.success) problems.push(...propertyProblemsOf(result.error.issues, root));
    return result.success ? result.data : undefined;
  };
  const spec = check(schema, args.settings, "settings");
  check(dnsLabel(), args.namespace, "namespace");
  if (args.instance !== undefined) check(labelValue(), args.instance, "instance");
  const backup = args.backup === undefined ? undefined : check(BackupArgsSchema, args.backup, "backup");
  if (backup?.destination.type === "volume") {
    problems.push(problem("", ["backup", "destination", "type"], `must be "${CLOUD_SERVICES[cloud].destination}"`, "volume"));
  }
  if (args.dns01Zone !== undefined) check(hostName(), args.dns01Zone, "dns01Zone");
  if (args.secrets !== undefined) check(SecretsArgsSchema, args.secrets, "secrets");
  if (spec !== undefined) {
    const use = {
      cloud,
      settings: spec,
      settingsPath: ["settings"],
      backup:
        backup && backup.destination.type !== "volume" ? { destination: backup.destination, path: ["backup", "destination"] } : undefined,
      dns01: args.dns01Zone === undefined ? undefined : { provider: CLOUD_SERVICES[cloud].dnsProvider, path: ["dns01Zone"] },
    };
    problems.push(...cloudUseProblems(use).map((p) => problem("", p.path, p.message, p.input)));
  }
  if (problems.length > 0 || spec === undefined || backup?.destination.type === "volume") {
    throw new InvalidArgsError(component, problems);
  }
  return { settings: spec, args: { ...args, backup: backup && { destination: backup.destination, retentionDays: backup.retentionDays } } };
}

/** A cloud whose provider package (an optional peer dependency) is not installed next to tenantstack. */
export class ProviderPackageMissingError extends TenantstackError {
  constructor(
    /** The cloud that needs it. */
    readonly cloud: Cloud,
    /** The npm package, such as `@pulumi/aws`. */
    readonly packageName: string,
  ) {
    super(
      "provider_package_missing",
      `\`cloud: ${cloud}\` needs the npm package ${packageName}: install it next to tenantstack (npm install ${packageName}).`,
    );
    this.name = "ProviderPackageMissingError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.cloud, this.packageName];
  }
}

TenantstackError.register(ProviderPackageMissingError);

/**
 * Loads a cloud provider's submodule only when that cloud is used: the provider packages are optional peer
 * dependencies, so `cloud: none` never needs them.
 * @internal
 */
export function loadProvider<T>(cloud: Cloud, packageName: string, submodule: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(`${packageName}/${submodule}`) as T;
  } catch (error) {
    if ((error as { code?: string }).code === "MODULE_NOT_FOUND" && String((error as Error).message).includes(packageName)) {
      throw new ProviderPackageMissingError(cloud, packageName);
    }
    throw error;
  }
}

/** An input as an output of its plain type (`pulumi.output` types nested inputs too strictly for records). */
function outputOf<T>(input: pulumi.Input<unknown>): pulumi.Output<T> {
  return pulumi.output(input) as unknown as pulumi.Output<T>;
}

/** A workload identity of a cloud that exactly one Kubernetes ServiceAccount may use. */
export interface WorkloadIdentity {
  /** Annotations that bind the ServiceAccount to the identity. */
  readonly annotations: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Labels the pods using the ServiceAccount need.
   * @default {}
   */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/** A Kubernetes ServiceAccount, by namespace and name. */
export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

/** The roles a cloud integration creates identities for. */
export type IdentityRole = "external-secrets" | "postgres-backup" | "dns01";

/**
 * How one cloud provides what an integration needs, as its subclass passes it to {@link CloudIntegration}'s
 * constructor. Every resource it creates names exact resources and has the integration as parent.
 */
export interface CloudDriver<I extends WorkloadIdentity> {
  /** Which ServiceAccount cert-manager uses for DNS-01: one in the stack's namespace (it requests its tokens), or its own. */
  readonly dns01ServiceAccount: "stack" | "cert-manager";
  /** cert-manager's own ServiceAccount, from the DNS settings. */
  readonly certManager?: ServiceAccountRef;
  /** An identity that only `serviceAccount` may use. */
  identity(role: IdentityRole, serviceAccount: ServiceAccountRef): I;
  /** The secret store entries with their values, readable by `reader` only; returns what to wait for. */
  secretEntries(entries: Readonly<Record<string, pulumi.Input<string>>>, reader: I): pulumi.Resource[];
  /** The SecretStore's `spec.provider`, authenticating as the ServiceAccount `serviceAccount`. */
  secretStoreProvider(serviceAccount: string): pulumi.Input<Record<string, unknown>>;
  /** The backup bucket (created or existing), writable by `writer` under the destination's prefix. */
  backupBucket(destination: ObjectDestination, retentionDays: number, writer: I): void;
  /** cert-manager's DNS-01 provider block for `zone`, with access for `identity` to exactly that zone. */
  dns01(zone: string, identity: I): pulumi.Input<Record<string, unknown>>;
}

/** What a cloud integration gives the rest of the stack. */
export interface CloudWiring {
  /** Annotations of the Postgres backup ServiceAccount (empty without an object store backup). */
  readonly backupServiceAccountAnnotations: pulumi.Output<Record<string, string>>;
  /** Labels of the Postgres backup pods (Azure workload identity needs one). */
  readonly backupPodLabels: Readonly<Record<string, string>>;
  /** Name of the SecretStore serving the secret entries, with `secrets`. */
  readonly secretStoreName: pulumi.Output<string> | undefined;
  /** Name of the ExternalSecret (and of the Secret it writes), with `secrets`. */
  readonly credentialsSecretName: pulumi.Output<string> | undefined;
  /** cert-manager's DNS-01 provider block (`route53`, `cloudDNS` or `azureDNS`), with DNS-01. */
  readonly dns01Provider: pulumi.Output<Record<string, unknown>> | undefined;
  /**
   * Annotations cert-manager's own ServiceAccount needs for DNS-01 (set them where cert-manager is installed),
   * empty when cert-manager needs none.
   */
  readonly certManagerServiceAccountAnnotations: pulumi.Output<Record<string, string>>;
}

/**
 * A cloud integration: the base of `AwsIntegration`, `GcpIntegration` and `AzureIntegration`, which
 * validate their arguments and pass the driver of their cloud.
 */
export abstract class CloudIntegration extends pulumi.ComponentResource implements CloudWiring {
  public readonly backupServiceAccountAnnotations: pulumi.Output<Record<string, string>>;
  public readonly backupPodLabels: Readonly<Record<string, string>>;
  public readonly secretStoreName: pulumi.Output<string> | undefined;
  public readonly credentialsSecretName: pulumi.Output<string> | undefined;
  public readonly dns01Provider: pulumi.Output<Record<string, unknown>> | undefined;
  public readonly certManagerServiceAccountAnnotations: pulumi.Output<Record<string, string>>;

  protected constructor(
    type: string,
    name: string,
    args: ValidCloudArgs,
    driverOf: (parent: pulumi.Resource) => CloudDriver<WorkloadIdentity>,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super(type, name, {}, opts);
    const driver = driverOf(this);
    const namespace = args.namespace;
    const labels = recommendedLabels(args.instance ?? name, "cloud-identity");
    const serviceAccount = (role: IdentityRole, saName: string, identity?: WorkloadIdentity) =>
      new k8s.core.v1.ServiceAccount(
        `${name}-${role}-service-account`,
        { metadata: { name: saName, namespace, labels, annotations: identity?.annotations }, automountServiceAccountToken: false },
        { parent: this },
      );

    this.secretStoreName = undefined;
    this.credentialsSecretName = undefined;
    if (args.secrets) {
      const secrets = args.secrets;
      const reader = driver.identity("external-secrets", { namespace, name: SECRET_STORE_SERVICE_ACCOUNT });
      const account = serviceAccount("external-secrets", SECRET_STORE_SERVICE_ACCOUNT, reader);
      const values = Object.fromEntries(Object.entries(secrets.entries).map(([entry, { value }]) => [entry, pulumi.secret(value)]));
      const written = driver.secretEntries(values, reader);
      const store = new k8s.apiextensions.CustomResource(
        `${name}-secret-store`,
        {
          apiVersion: "external-secrets.io/v1",
          kind: "SecretStore",
          metadata: { name: CLOUD_SECRET_STORE, namespace, labels },
          spec: { provider: driver.secretStoreProvider(SECRET_STORE_SERVICE_ACCOUNT) },
        },
        { parent: this, dependsOn: [account, ...written] },
      );
      const external = new k8s.apiextensions.CustomResource(
        `${name}-external-secret`,
        {
          apiVersion: "external-secrets.io/v1",
          kind: "ExternalSecret",
          metadata: { name: secrets.target, namespace, labels },
          spec: {
            refreshInterval: secrets.refreshInterval,
            secretStoreRef: { kind: "SecretStore", name: CLOUD_SECRET_STORE },
            target: { name: secrets.target, creationPolicy: "Owner", deletionPolicy: "Retain" },
            data: Object.entries(secrets.entries).map(([entry, { secretKey }]) => ({ secretKey, remoteRef: { key: entry } })),
          },
        },
        { parent: this, dependsOn: [store] },
      );
      this.secretStoreName = store.metadata.name;
      this.credentialsSecretName = external.metadata.name;
    }

    let backup: WorkloadIdentity | undefined;
    if (args.backup) {
      backup = driver.identity("postgres-backup", { namespace, name: BACKUP_SERVICE_ACCOUNT });
      driver.backupBucket(args.backup.destination, args.backup.retentionDays, backup);
    }
    this.backupServiceAccountAnnotations = outputOf<Record<string, string>>(backup?.annotations ?? {});
    this.backupPodLabels = backup?.podLabels ?? {};

    this.dns01Provider = undefined;
    this.certManagerServiceAccountAnnotations = outputOf<Record<string, string>>({});
    if (args.dns01Zone !== undefined) {
      if (driver.dns01ServiceAccount === "stack") {
        const identity = driver.identity("dns01", { namespace, name: DNS01_SERVICE_ACCOUNT });
        serviceAccount("dns01", DNS01_SERVICE_ACCOUNT);
        this.grantTokenRequests(name, namespace, labels, driver.certManager!);
        this.dns01Provider = outputOf<Record<string, unknown>>(driver.dns01(args.dns01Zone, identity));
      } else {
        const identity = driver.identity("dns01", driver.certManager!);
        this.certManagerServiceAccountAnnotations = outputOf<Record<string, string>>(identity.annotations);
        this.dns01Provider = outputOf<Record<string, unknown>>(driver.dns01(args.dns01Zone, identity));
      }
    }

    this.registerOutputs({
      backupServiceAccountAnnotations: this.backupServiceAccountAnnotations,
      backupPodLabels: this.backupPodLabels,
      secretStoreName: this.secretStoreName,
      credentialsSecretName: this.credentialsSecretName,
      dns01Provider: this.dns01Provider,
      certManagerServiceAccountAnnotations: this.certManagerServiceAccountAnnotations,
    });
  }

  /** Lets cert-manager's controller request tokens for the DNS-01 ServiceAccount, and nothing else. */
  private grantTokenRequests(name: string, namespace: string, labels: Record<string, string>, certManager: ServiceAccountRef) {
    const role = new k8s.rbac.v1.Role(
      `${name}-dns01-token-role`,
      {
        metadata: { name: `${DNS01_SERVICE_ACCOUNT}-token`, namespace, labels },
        rules: [{ apiGroups: [""], resources: ["serviceaccounts/token"], resourceNames: [DNS01_SERVICE_ACCOUNT], verbs: ["create"] }],
      },
      { parent: this },
    );
    new k8s.rbac.v1.RoleBinding(
      `${name}-dns01-token-binding`,
      {
        metadata: { name: `${DNS01_SERVICE_ACCOUNT}-token`, namespace, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: certManager.name, namespace: certManager.namespace }],
      },
      { parent: this },
    );
  }
}
