/**
 * What every cloud integration shares: its arguments, their validation, the Kubernetes side of workload
 * identity (ServiceAccounts, the SecretStore, cert-manager's token grant), and the order in which a cloud
 * driver is asked for identities, secret entries, the backup bucket and DNS-01 access.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import {
  BackupDestinationSchema,
  type Cloud,
  CLOUD_SECRET_STORE,
  CLOUD_SERVICES,
  type CloudSpecs,
  cloudUseProblems,
  ValidationError,
} from "../../schema";
import { problemLine, problemsOf } from "../../schema/errors";
import { dnsLabel, hostName, intBetween, settings } from "../../schema/fields";
import { recommendedLabels } from "../labels";

/** ServiceAccount of the SecretStore, in the stack's namespace. */
export const SECRET_STORE_SERVICE_ACCOUNT = "external-secrets";
/** ServiceAccount of the Postgres backup CronJob (created by `PostgresBackup`). */
export const BACKUP_SERVICE_ACCOUNT = "postgres-backup";
/** ServiceAccount cert-manager requests Route 53 tokens for, in the stack's namespace (AWS). */
export const DNS01_SERVICE_ACCOUNT = "cert-manager-dns01";

/** A Postgres backup destination in object storage. */
export type ObjectDestination = Exclude<z.output<typeof BackupDestinationSchema>, { type: "volume" }>;

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
   * Entries to create in the cloud's secret store, by entry name (see `cloudSecretName`), with their values
   * (wrap them with `pulumi.secret`). With entries, the integration also creates the SecretStore
   * `cloud-secrets` and the identity that reads exactly these entries.
   * @default {} - no entries and no SecretStore
   */
  readonly secretEntries?: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * The Postgres backup in object storage: its destination (of this cloud) and how many days dumps are kept.
   * @default - no bucket and no backup identity
   */
  readonly backup?: { readonly destination: ObjectDestination; readonly retentionDays: number };
  /**
   * DNS zone in which cert-manager solves DNS-01 challenges, such as `example.com`; needs the settings' DNS block.
   * @default - no DNS-01 access
   */
  readonly dns01Zone?: string;
}

/** The arguments of one cloud's integration. */
export type CloudArgs<S> = CloudIntegrationArgs & {
  /** The cloud's settings, validated against its schema (`AwsSchema`, `GcpSchema`, `AzureSchema`). */
  readonly settings: S;
};

const BackupArgsSchema = settings({ destination: BackupDestinationSchema, retentionDays: intBetween(1, 3650) });

/**
 * Validates a cloud integration's arguments, reporting every problem at once before anything is registered.
 * @internal
 */
export function validateCloudArgs<C extends Cloud>(cloud: C, schema: z.ZodType<CloudSpecs[C]>, args: CloudArgs<unknown>): CloudSpecs[C] {
  const problems: string[] = [];
  const check = <T>(schema: z.ZodType<T>, input: unknown, root: string): T | undefined => {
    const result = schema.safeParse(input, { reportInput: true });
    if (!result.success) problems.push(...problemsOf(result.error.issues, root));
    return result.success ? result.data : undefined;
  };
  const spec = check(schema, args.settings, "settings");
  check(dnsLabel(), args.namespace, "namespace");
  const backup = args.backup === undefined ? undefined : check(BackupArgsSchema, args.backup, "backup");
  if (args.dns01Zone !== undefined) check(hostName(), args.dns01Zone, "dns01Zone");
  if (spec !== undefined) {
    const use = {
      cloud,
      settings: spec,
      settingsPath: ["settings"],
      backup: backup && backup.destination.type !== "volume" ? { destination: backup.destination, path: ["backup", "destination"] } : undefined,
      dns01: args.dns01Zone === undefined ? undefined : { provider: CLOUD_SERVICES[cloud].dnsProvider, path: ["dns01Zone"] },
    };
    problems.push(...cloudUseProblems(use).map((p) => problemLine("", p.path, p.message, p.input)));
  }
  if (problems.length > 0 || spec === undefined) throw new ValidationError(`${cloud} integration settings`, problems);
  return spec;
}

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
      throw new Error(`\`cloud: ${cloud}\` needs the npm package ${packageName}: install it next to tenantstack (npm install ${packageName}).`);
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
 * How one cloud provides what an integration needs. Every resource it creates names exact resources and
 * has the integration as parent.
 * @internal
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
  /** Name of the SecretStore serving the secret entries, when there are entries. */
  readonly secretStoreName: pulumi.Output<string> | undefined;
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
  public readonly dns01Provider: pulumi.Output<Record<string, unknown>> | undefined;
  public readonly certManagerServiceAccountAnnotations: pulumi.Output<Record<string, string>>;

  protected constructor(
    type: string,
    name: string,
    args: CloudIntegrationArgs,
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

    const entries = args.secretEntries ?? {};
    this.secretStoreName = undefined;
    if (Object.keys(entries).length > 0) {
      const reader = driver.identity("external-secrets", { namespace, name: SECRET_STORE_SERVICE_ACCOUNT });
      const account = serviceAccount("external-secrets", SECRET_STORE_SERVICE_ACCOUNT, reader);
      const written = driver.secretEntries(entries, reader);
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
      this.secretStoreName = store.metadata.name;
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
