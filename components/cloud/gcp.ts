import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type * as dnsModule from "@pulumi/gcp/dns";
import type * as secretmanagerModule from "@pulumi/gcp/secretmanager";
import type * as serviceaccountModule from "@pulumi/gcp/serviceaccount";
import type * as storageModule from "@pulumi/gcp/storage";
import { type GcpInput, type GcpSpec, workloadPoolOf } from "../../schema";
import { GcpSchema } from "../../schema/cloudSettings";
import {
  type CloudArgs,
  type CloudDriver,
  CloudIntegration,
  type IdentityRole,
  loadProvider,
  type ObjectDestination,
  type ServiceAccountRef,
  validateCloudArgs,
  type WorkloadIdentity,
} from "./base";

/** Type token of {@link GcpIntegration}. */
export const GCP_INTEGRATION_TYPE = "tenantstack:cloud:GcpIntegration";

/** Arguments of {@link GcpIntegration}: the GCP settings (`GcpInput`) and what to serve. */
export type GcpIntegrationArgs = CloudArgs<GcpInput>;

/** A Google service account that one Kubernetes ServiceAccount impersonates through GKE Workload Identity. */
interface GcpIdentity extends WorkloadIdentity {
  /** `serviceAccount:<email>`, the member IAM bindings grant. */
  readonly member: pulumi.Output<string>;
}

/** Short names of the roles in service account ids. */
const ROLE_IDS: Record<IdentityRole, string> = { "external-secrets": "eso", "postgres-backup": "backup", dns01: "dns01" };

/**
 * The id of the Google service account of one Kubernetes ServiceAccount: `ts-<role>-<hash>`, within the
 * 6-30 characters GCP allows, the same on every run.
 * @internal
 */
export function gcpAccountId(role: IdentityRole, serviceAccount: ServiceAccountRef): string {
  const hash = createHash("sha256").update(`${serviceAccount.namespace}/${serviceAccount.name}`).digest("hex");
  return `ts-${ROLE_IDS[role]}-${hash.slice(0, 12)}`;
}

/**
 * GKE: Google service accounts bound through Workload Identity to exactly one Kubernetes ServiceAccount
 * each, Secret Manager secrets readable by the SecretStore's account only, the GCS backup bucket with
 * object creation granted under the dumps' prefix only, and Cloud DNS access to the one managed zone.
 */
export class GcpIntegration extends CloudIntegration {
  constructor(name: string, args: GcpIntegrationArgs, opts?: pulumi.ComponentResourceOptions) {
    const valid = validateCloudArgs(`GcpIntegration "${name}"`, "gcp", GcpSchema, args);
    super(GCP_INTEGRATION_TYPE, name, valid.args, (parent) => gcpDriver(parent, name, valid.settings), opts);
  }
}

function gcpDriver(parent: pulumi.Resource, name: string, spec: GcpSpec): CloudDriver<GcpIdentity> {
  const serviceaccount = loadProvider<typeof serviceaccountModule>("gcp", "@pulumi/gcp", "serviceaccount");
  const child = { parent };
  const project = spec.project;
  const certManager = spec.cloudDns?.certManager;

  return {
    dns01ServiceAccount: "cert-manager",
    certManager: certManager && { namespace: certManager.namespace, name: certManager.serviceAccount },

    identity(role, serviceAccount) {
      const account = new serviceaccount.Account(
        `${name}-${role}`,
        {
          accountId: gcpAccountId(role, serviceAccount),
          project,
          displayName: `tenantstack ${serviceAccount.namespace}/${serviceAccount.name}`,
        },
        child,
      );
      new serviceaccount.IAMMember(
        `${name}-${role}-workload-identity`,
        {
          serviceAccountId: account.name,
          role: "roles/iam.workloadIdentityUser",
          member: `serviceAccount:${workloadPoolOf(spec)}[${serviceAccount.namespace}/${serviceAccount.name}]`,
        },
        child,
      );
      return {
        member: pulumi.interpolate`serviceAccount:${account.email}`,
        annotations: { "iam.gke.io/gcp-service-account": account.email },
      };
    },

    secretEntries(entries, reader) {
      const secretmanager = loadProvider<typeof secretmanagerModule>("gcp", "@pulumi/gcp", "secretmanager");
      return Object.entries(entries).flatMap(([entry, value]) => {
        const secret = new secretmanager.Secret(
          `${name}-secret-${entry}`,
          { secretId: entry, project, replication: { userManaged: { replicas: [{ location: spec.region }] } } },
          child,
        );
        return [
          new secretmanager.SecretVersion(
            `${name}-secret-${entry}-version`,
            { secret: secret.id, secretData: pulumi.secret(value) },
            child,
          ),
          new secretmanager.SecretIamMember(
            `${name}-secret-${entry}-reader`,
            { project, secretId: secret.secretId, role: "roles/secretmanager.secretAccessor", member: reader.member },
            child,
          ),
        ];
      });
    },

    secretStoreProvider: (serviceAccount) => ({
      gcpsm: { projectID: project, auth: { workloadIdentity: { serviceAccountRef: { name: serviceAccount } } } },
    }),

    backupBucket(destination: ObjectDestination, retentionDays, writer) {
      if (destination.type !== "gcs") throw new Error(`unreachable: ${destination.type} on gcp`);
      const storage = loadProvider<typeof storageModule>("gcp", "@pulumi/gcp", "storage");
      const prefix = `${destination.prefix}/`;
      const bucket =
        spec.backupBucket === "create"
          ? new storage.Bucket(
              `${name}-backup-bucket`,
              {
                name: destination.bucket,
                project,
                location: spec.region,
                uniformBucketLevelAccess: true,
                publicAccessPrevention: "enforced",
                forceDestroy: false,
                lifecycleRules: [{ action: { type: "Delete" }, condition: { age: retentionDays, matchesPrefixes: [prefix] } }],
              },
              { parent, protect: true },
            ).name
          : destination.bucket;
      new storage.BucketIAMMember(
        `${name}-postgres-backup-writer`,
        {
          bucket,
          role: "roles/storage.objectCreator",
          member: writer.member,
          condition: {
            title: "postgres-backup-prefix",
            description: "Only objects under the dumps' prefix.",
            expression: `resource.name.startsWith("projects/_/buckets/${destination.bucket}/objects/${prefix}")`,
          },
        },
        child,
      );
    },

    dns01(_zone, identity) {
      const dns = loadProvider<typeof dnsModule>("gcp", "@pulumi/gcp", "dns");
      const managedZone = spec.cloudDns!.managedZone;
      new dns.DnsManagedZoneIamMember(
        `${name}-dns01-zone`,
        { project, managedZone, role: "roles/dns.admin", member: identity.member },
        child,
      );
      return { cloudDNS: { project, hostedZoneName: managedZone } };
    },
  };
}
