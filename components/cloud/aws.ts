import * as pulumi from "@pulumi/pulumi";
import type * as iamModule from "@pulumi/aws/iam";
import type * as s3Module from "@pulumi/aws/s3";
import type * as secretsmanagerModule from "@pulumi/aws/secretsmanager";
import { type AwsInput, type AwsSpec, OIDC_PROVIDER_ARN, serviceAccountSubject } from "../../schema";
import { AwsSchema } from "../../schema/cloudSettings";
import {
  type CloudArgs,
  type CloudDriver,
  CloudIntegration,
  DNS01_SERVICE_ACCOUNT,
  type IdentityRole,
  loadProvider,
  type ObjectDestination,
  type ServiceAccountRef,
  validateCloudArgs,
  type WorkloadIdentity,
} from "./base";

/** Type token of {@link AwsIntegration}. */
export const AWS_INTEGRATION_TYPE = "tenantstack:cloud:AwsIntegration";

/** Arguments of {@link AwsIntegration}: the AWS settings (`AwsInput`) and what to serve. */
export type AwsIntegrationArgs = CloudArgs<AwsInput>;

/** An IAM role assumable by one ServiceAccount through IRSA. */
interface AwsIdentity extends WorkloadIdentity {
  readonly role: iamModule.Role;
}

/** A policy document with one statement per entry. */
function policyDocument(statements: Record<string, unknown>[]): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * EKS: IAM roles for service accounts (IRSA) whose trust policies name exactly one ServiceAccount,
 * AWS Secrets Manager secrets and the SecretStore reading them, the S3 backup bucket, and Route 53 DNS-01
 * access for cert-manager, each policy naming its exact resources.
 */
export class AwsIntegration extends CloudIntegration {
  constructor(name: string, args: AwsIntegrationArgs, opts?: pulumi.ComponentResourceOptions) {
    const valid = validateCloudArgs(`AwsIntegration "${name}"`, "aws", AwsSchema, args);
    super(AWS_INTEGRATION_TYPE, name, valid.args, (parent) => awsDriver(parent, name, valid.settings), opts);
  }
}

function awsDriver(parent: pulumi.Resource, name: string, spec: AwsSpec): CloudDriver<AwsIdentity> {
  const iam = loadProvider<typeof iamModule>("aws", "@pulumi/aws", "iam");
  const child = { parent };
  const [, partition, , issuer] = OIDC_PROVIDER_ARN.exec(spec.oidcProviderArn)!;
  const region = spec.region;
  const grant = (identity: AwsIdentity, purpose: string, statements: Record<string, unknown>[]) =>
    new iam.RolePolicy(`${name}-${purpose}-policy`, { role: identity.role.name, policy: policyDocument(statements) }, child);

  return {
    dns01ServiceAccount: "stack",
    certManager: spec.route53?.certManager && {
      namespace: spec.route53.certManager.namespace,
      name: spec.route53.certManager.serviceAccount,
    },

    identity(role: IdentityRole, serviceAccount: ServiceAccountRef): AwsIdentity {
      const assumeRolePolicy = policyDocument([
        {
          Effect: "Allow",
          Principal: { Federated: spec.oidcProviderArn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${issuer}:sub`]: serviceAccountSubject(serviceAccount.namespace, serviceAccount.name),
              [`${issuer}:aud`]: "sts.amazonaws.com",
            },
          },
        },
      ]);
      const iamRole = new iam.Role(
        `${name}-${role}`,
        { assumeRolePolicy, description: `tenantstack ${serviceAccount.namespace}/${serviceAccount.name}` },
        child,
      );
      return { role: iamRole, annotations: { "eks.amazonaws.com/role-arn": iamRole.arn } };
    },

    secretEntries(entries, reader) {
      const secretsmanager = loadProvider<typeof secretsmanagerModule>("aws", "@pulumi/aws", "secretsmanager");
      const written: pulumi.Resource[] = [];
      const arns = Object.entries(entries).map(([entry, value]) => {
        const secret = new secretsmanager.Secret(`${name}-secret-${entry}`, { name: entry, region }, child);
        written.push(
          new secretsmanager.SecretVersion(
            `${name}-secret-${entry}-version`,
            { secretId: secret.id, secretString: pulumi.secret(value), region },
            child,
          ),
        );
        return secret.arn;
      });
      written.push(
        grant(reader, "external-secrets", [
          { Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: arns },
        ]),
      );
      return written;
    },

    secretStoreProvider: (serviceAccount) => ({
      aws: { service: "SecretsManager", region, auth: { jwt: { serviceAccountRef: { name: serviceAccount } } } },
    }),

    backupBucket(destination: ObjectDestination, retentionDays, writer) {
      if (destination.type !== "s3") throw new Error(`unreachable: ${destination.type} on aws`);
      if (spec.backupBucket === "create") createBucket(parent, name, destination.bucket, region, `${destination.prefix}/`, retentionDays);
      grant(writer, "postgres-backup", [
        {
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
          Resource: `arn:${partition}:s3:::${destination.bucket}/${destination.prefix}/*`,
        },
      ]);
    },

    dns01(zone, identity) {
      const zoneId = spec.route53!.hostedZoneId;
      grant(identity, "dns01", [
        {
          Effect: "Allow",
          Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
          Resource: `arn:${partition}:route53:::hostedzone/${zoneId}`,
          Condition: {
            "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
            "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": [`_acme-challenge.*${zone}`] },
          },
        },
        // Exception to exact resources: a change's id is only known once Route 53 returns it, so
        // route53:GetChange (read-only: the status of a change) is granted on every change.
        { Effect: "Allow", Action: "route53:GetChange", Resource: `arn:${partition}:route53:::change/*` },
      ]);
      return {
        route53: {
          region,
          hostedZoneID: zoneId,
          role: identity.role.arn,
          auth: { kubernetes: { serviceAccountRef: { name: DNS01_SERVICE_ACCOUNT } } },
        },
      };
    },
  };
}

/** The backup bucket: AES-256 encrypted, ACLs disabled, public access blocked, dumps expiring after `retentionDays`. */
function createBucket(parent: pulumi.Resource, name: string, bucketName: string, region: string, prefix: string, retentionDays: number) {
  const s3 = loadProvider<typeof s3Module>("aws", "@pulumi/aws", "s3");
  const child = { parent };
  const bucket = new s3.Bucket(`${name}-backup-bucket`, { bucket: bucketName, region, forceDestroy: false }, { parent, protect: true });
  new s3.BucketServerSideEncryptionConfiguration(
    `${name}-backup-encryption`,
    { bucket: bucket.id, region, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }] },
    child,
  );
  new s3.BucketPublicAccessBlock(
    `${name}-backup-public-access-block`,
    { bucket: bucket.id, region, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    child,
  );
  new s3.BucketOwnershipControls(
    `${name}-backup-ownership`,
    { bucket: bucket.id, region, rule: { objectOwnership: "BucketOwnerEnforced" } },
    child,
  );
  new s3.BucketLifecycleConfiguration(
    `${name}-backup-retention`,
    {
      bucket: bucket.id,
      region,
      rules: [
        {
          id: "expire-dumps",
          status: "Enabled",
          filter: { prefix },
          expiration: { days: retentionDays },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
      ],
    },
    child,
  );
}
