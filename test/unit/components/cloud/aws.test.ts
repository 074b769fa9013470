import * as assert from "node:assert/strict";
import { AwsIntegration, type AwsIntegrationArgs, InvalidArgsError } from "../../../../components";
import { problemLines } from "../invalidArgs";
import { awsStack, without } from "../../fixtures";
import { buildStack, capture, isSecret, one, propsOf, resolve } from "../capture";
import { cloudResourceNames, K8S } from "./expect";

const OIDC_PROVIDER = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B7";
const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B7";
const roleArn = (role: string) => `arn:aws:iam::123456789012:role/prod-cloud-${role}`;
const secretArn = (entry: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:tenantstack-prod-${entry}-AbCdEf`;

describe("AwsIntegration in an AppStack", () => {
  const { app, resources } = buildStack("prod", awsStack());
  const policyOf = async (purpose: string) =>
    JSON.parse((await propsOf(resources, "aws:iam/rolePolicy:RolePolicy", `-${purpose}-policy`)).policy);

  it("creates exactly the IAM roles, secrets and bucket of the stack", () => {
    const entries = ["postgres-password", "redis-password", "app-secret-key"];
    assert.deepEqual(cloudResourceNames(resources), [
      "aws:iam/role:Role prod-cloud-external-secrets",
      ...entries.flatMap((e) => [
        `aws:secretsmanager/secret:Secret prod-cloud-secret-tenantstack-prod-${e}`,
        `aws:secretsmanager/secretVersion:SecretVersion prod-cloud-secret-tenantstack-prod-${e}-version`,
      ]),
      "aws:iam/rolePolicy:RolePolicy prod-cloud-external-secrets-policy",
      "aws:iam/role:Role prod-cloud-postgres-backup",
      "aws:s3/bucket:Bucket prod-cloud-backup-bucket",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration prod-cloud-backup-encryption",
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock prod-cloud-backup-public-access-block",
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls prod-cloud-backup-ownership",
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration prod-cloud-backup-retention",
      "aws:iam/rolePolicy:RolePolicy prod-cloud-postgres-backup-policy",
      "aws:iam/role:Role prod-cloud-dns01",
      "aws:iam/rolePolicy:RolePolicy prod-cloud-dns01-policy",
    ]);
  });

  it("lets each role be assumed by exactly one ServiceAccount through the cluster's OIDC provider", async () => {
    for (const [role, subject] of [
      ["external-secrets", "system:serviceaccount:tenantstack-prod:external-secrets"],
      ["postgres-backup", "system:serviceaccount:tenantstack-prod:postgres-backup"],
      ["dns01", "system:serviceaccount:tenantstack-prod:cert-manager-dns01"],
    ]) {
      const props = await propsOf(resources, "aws:iam/role:Role", `-cloud-${role}`);
      assert.deepEqual(JSON.parse(props.assumeRolePolicy), {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: OIDC_PROVIDER },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringEquals: { [`${ISSUER}:sub`]: subject, [`${ISSUER}:aud`]: "sts.amazonaws.com" } },
          },
        ],
      });
    }
  });

  it("keeps the credentials in Secrets Manager as secret values, readable by the SecretStore's role only", async () => {
    const version = one(resources, "aws:secretsmanager/secretVersion:SecretVersion", "-postgres-password-version");
    assert.equal(await isSecret(version.props.secretString as never), true);
    assert.equal(await resolve(version.props.secretString as never), "generated-prod-secrets-postgres-password");
    const secret = await propsOf(resources, "aws:secretsmanager/secret:Secret", "-tenantstack-prod-postgres-password");
    assert.deepEqual([secret.name, secret.region], ["tenantstack-prod-postgres-password", "eu-west-1"]);
    assert.deepEqual(
      (await propsOf(resources, "aws:iam/rolePolicy:RolePolicy", "-external-secrets-policy")).role,
      "prod-cloud-external-secrets",
    );
    assert.deepEqual((await policyOf("external-secrets")).Statement, [
      {
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        Resource: [secretArn("postgres-password"), secretArn("redis-password"), secretArn("app-secret-key")],
      },
    ]);
  });

  it("serves the credentials Secret through a SecretStore authenticating as its ServiceAccount", async () => {
    const account = await propsOf(resources, K8S.serviceAccount, "-cloud-external-secrets-service-account");
    assert.deepEqual(account.metadata.annotations, { "eks.amazonaws.com/role-arn": roleArn("external-secrets") });
    assert.equal(account.automountServiceAccountToken, false);
    const store = await propsOf(resources, K8S.secretStore, "-cloud-secret-store");
    assert.deepEqual(store.metadata.name, "cloud-secrets");
    assert.deepEqual(store.spec, {
      provider: {
        aws: { service: "SecretsManager", region: "eu-west-1", auth: { jwt: { serviceAccountRef: { name: "external-secrets" } } } },
      },
    });
    const external = await propsOf(resources, K8S.externalSecret, "-cloud-external-secret");
    assert.deepEqual(external.spec.secretStoreRef, { kind: "SecretStore", name: "cloud-secrets" });
    assert.deepEqual(
      external.spec.data.map((d: any) => [d.secretKey, d.remoteRef.key]),
      [
        ["POSTGRES_PASSWORD", "tenantstack-prod-postgres-password"],
        ["REDIS_PASSWORD", "tenantstack-prod-redis-password"],
        ["APP_SECRET_KEY", "tenantstack-prod-app-secret-key"],
      ],
    );
    assert.equal(resources.filter((r) => r.type === K8S.secret && r.name.endsWith("-secrets-credentials")).length, 0);
  });

  it("creates an encrypted private bucket that expires dumps, writable under the prefix only by the backup role", async () => {
    const bucket = one(resources, "aws:s3/bucket:Bucket");
    const props: any = await resolve(bucket.props);
    assert.deepEqual([props.bucket, props.region, props.forceDestroy], ["acme-ai-backups", "eu-west-1", false]);
    assert.equal(bucket.opts.protect, true);
    const encryption = await propsOf(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
    assert.deepEqual(encryption.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }]);
    const block = await propsOf(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
    assert.deepEqual(
      [block.blockPublicAcls, block.blockPublicPolicy, block.ignorePublicAcls, block.restrictPublicBuckets],
      [true, true, true, true],
    );
    const lifecycle = await propsOf(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
    assert.deepEqual(lifecycle.rules, [
      {
        id: "expire-dumps",
        status: "Enabled",
        filter: { prefix: "postgres/" },
        expiration: { days: 30 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      },
    ]);
    assert.deepEqual((await policyOf("postgres-backup")).Statement, [
      { Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload"], Resource: "arn:aws:s3:::acme-ai-backups/postgres/*" },
    ]);
    const backupAccount = await propsOf(resources, K8S.serviceAccount, "-postgres-backup-service-account");
    assert.deepEqual(backupAccount.metadata.annotations, { "eks.amazonaws.com/role-arn": roleArn("postgres-backup") });
  });

  it("solves DNS-01 on the one hosted zone with TXT records only, through a token cert-manager may request", async () => {
    const statements = (await policyOf("dns01")).Statement;
    assert.deepEqual(statements[0], {
      Effect: "Allow",
      Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
      Resource: "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ",
      Condition: {
        "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
        "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*example.com"] },
      },
    });
    assert.deepEqual(statements[1], { Effect: "Allow", Action: "route53:GetChange", Resource: "arn:aws:route53:::change/*" });
    const issuer = await propsOf(resources, K8S.issuer);
    assert.deepEqual(issuer.spec.acme.solvers[0].dns01, {
      route53: {
        region: "eu-west-1",
        hostedZoneID: "Z0123456789ABCDEFGHIJ",
        role: roleArn("dns01"),
        auth: { kubernetes: { serviceAccountRef: { name: "cert-manager-dns01" } } },
      },
    });
    const role = await propsOf(resources, "kubernetes:rbac.authorization.k8s.io/v1:Role", "-dns01-token-role");
    assert.deepEqual(role.rules, [
      { apiGroups: [""], resources: ["serviceaccounts/token"], resourceNames: ["cert-manager-dns01"], verbs: ["create"] },
    ]);
    const binding = await propsOf(resources, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "-dns01-token-binding");
    assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "cert-manager", namespace: "cert-manager" }]);
    assert.deepEqual(await resolve(app.cloud!.certManagerServiceAccountAnnotations), {});
  });
});

describe("AwsIntegration, bad input", () => {
  const settings = awsStack().aws!;
  const rejects = (args: Partial<AwsIntegrationArgs>, expected: string[]) => {
    const { resources, opts } = capture();
    assert.throws(
      () => new AwsIntegration("bad", { namespace: "apps", settings, ...args }, opts),
      (error: unknown) => error instanceof InvalidArgsError && assert.deepEqual(problemLines(error), expected) === undefined,
    );
    assert.equal(resources.length, 0);
  };

  it("names every bad argument before registering anything", () => {
    const noIssuer = without(settings, "oidcProviderArn");
    rejects(
      { settings: noIssuer as never, backup: { destination: { type: "s3", bucket: "Bad_Bucket", region: "eu-west-1" }, retentionDays: 7 } },
      [
        '`settings.oidcProviderArn` is required: it must be the ARN of the cluster\'s IAM OIDC provider, such as "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B7"',
        '`backup.destination.bucket` must be an S3 bucket name: 3-63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit, no "..", not an IP address, not starting with "xn--" or "sthree-", not ending with "-s3alias" or "--ol-s3" (got "Bad_Bucket")',
      ],
    );
    rejects({ namespace: "Apps", instance: "ai app" }, [
      "`namespace` must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (got \"Apps\")",
      '`instance` must be a label value: 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (got "ai app")',
    ]);
  });

  it("rejects DNS-01 without a hosted zone, a bucket in another region and a volume destination", () => {
    const noZone = without(settings, "route53");
    rejects(
      {
        settings: noZone,
        dns01Zone: "example.com",
        backup: { destination: { type: "s3", bucket: "backups", region: "us-east-1" }, retentionDays: 7 },
      },
      [
        '`settings.route53` is required: it must name the DNS zone\'s details when `ingress.tls.solver.type` is "dns01"',
        '`backup.destination.region` must be the stack\'s region `aws.region` ("eu-west-1") (got "us-east-1")',
      ],
    );
    rejects({ backup: { destination: { type: "volume" } as never, retentionDays: 7 } }, [
      '`backup.destination.type` must be "s3" (got "volume")',
    ]);
  });
});
