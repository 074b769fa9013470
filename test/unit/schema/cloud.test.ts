import * as assert from "node:assert/strict";
import { parseStack, type StackInput, ValidationError } from "../../../schema";
import { awsStack, azureStack, dedicatedStack, gcpStack } from "../fixtures";

/** The problem lines of parsing `input`, or [] when it is valid. */
function problems(input: unknown): readonly string[] {
  try {
    parseStack(input, { root: "tenantstack:" });
    return [];
  } catch (error) {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    return error.problems;
  }
}

/** A copy of `base` with `change` applied. */
function withChange(base: StackInput, change: (s: any) => void): StackInput {
  const copy = structuredClone(base);
  change(copy);
  return copy;
}

describe("cloud settings", () => {
  it("accepts the cloud fixtures", () => {
    assert.deepEqual(problems(awsStack()), []);
    assert.deepEqual(problems(gcpStack()), []);
    assert.deepEqual(problems(azureStack()), []);
  });

  const cases: [string, StackInput, string[]][] = [
    [
      "a cloud without its settings",
      withChange(dedicatedStack(), (s) => (s.cloud = "aws")),
      ['`tenantstack:aws` is required: it must hold the AWS settings when `cloud` is "aws"'],
    ],
    [
      "another cloud's settings",
      withChange(awsStack(), (s) => (s.gcp = gcpStack().gcp)),
      ['`tenantstack:gcp` must not be set when `cloud` is "aws" (got an object)'],
    ],
    [
      "a missing OIDC provider",
      withChange(awsStack(), (s) => delete s.aws.oidcProviderArn),
      [
        '`tenantstack:aws.oidcProviderArn` is required: it must be the ARN of the cluster\'s IAM OIDC provider, such as "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B7"',
      ],
    ],
    [
      "an OIDC provider of another account and region",
      withChange(
        awsStack(),
        (s) => (s.aws.oidcProviderArn = "arn:aws:iam::210987654321:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"),
      ),
      [
        '`tenantstack:aws.oidcProviderArn` must belong to the stack\'s account `aws.accountId` ("123456789012") (got "arn:aws:iam::210987654321:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/...)',
        '`tenantstack:aws.oidcProviderArn` must be the issuer of a cluster in the stack\'s region `aws.region` ("eu-west-1") (got "arn:aws:iam::210987654321:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/...)',
      ],
    ],
    [
      "a backup bucket in another region",
      withChange(awsStack(), (s) => (s.postgres.backup.destination.region = "us-east-1")),
      ['`tenantstack:postgres.backup.destination.region` must be the stack\'s region `aws.region` ("eu-west-1") (got "us-east-1")'],
    ],
    [
      "an S3 bucket name S3 refuses",
      withChange(awsStack(), (s) => (s.postgres.backup.destination.bucket = "Acme_Backups")),
      [
        '`tenantstack:postgres.backup.destination.bucket` must be an S3 bucket name: 3-63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit, no "..", not an IP address, not starting with "xn--" or "sthree-", not ending with "-s3alias" or "--ol-s3" (got "Acme_Backups")',
      ],
    ],
    [
      "another cloud's object store",
      withChange(awsStack(), (s) => (s.postgres.backup.destination = { type: "gcs", bucket: "acme-backups" })),
      ['`tenantstack:postgres.backup.destination.type` must be "volume" or "s3" when `cloud` is "aws" (got "gcs")'],
    ],
    [
      "DNS-01 without the hosted zone",
      withChange(awsStack(), (s) => delete s.aws.route53),
      ['`tenantstack:aws.route53` is required: it must name the DNS zone\'s details when `ingress.tls.solver.type` is "dns01"'],
    ],
    [
      "a DNS-01 issuer without a zone",
      withChange(gcpStack(), (s) => delete s.ingress.tls.solver.zone),
      ["`tenantstack:ingress.tls.solver.zone` is required: it must be a non-empty string of at most 253 characters"],
    ],
    [
      "another cloud's DNS",
      withChange(awsStack(), (s) => (s.ingress = gcpStack().ingress)),
      ['`tenantstack:ingress.tls.solver.provider` must be "route53" when `cloud` is "aws" (got "clouddns")'],
    ],
    [
      "a GCS bucket name GCS refuses",
      withChange(gcpStack(), (s) => (s.postgres.backup.destination.bucket = "goog-backups")),
      [
        '`tenantstack:postgres.backup.destination.bucket` must be a GCS bucket name: 3-63 lowercase letters, digits, "-", "_" and "." (up to 222 with dots, 63 between dots), starting and ending with a letter or digit, not an IP address, not starting with "goog", not containing "google" (got "goog-backups")',
      ],
    ],
    [
      "a project id GCP refuses",
      withChange(gcpStack(), (s) => (s.gcp.project = "Acme")),
      [
        '`tenantstack:gcp.project` must be a GCP project id: 6-30 lowercase letters, digits and "-", starting with a letter and not ending with "-", such as "acme-prod" (got "Acme")',
      ],
    ],
    [
      "a missing AKS issuer",
      withChange(azureStack(), (s) => delete s.azure.oidcIssuerUrl),
      [
        '`tenantstack:azure.oidcIssuerUrl` is required: it must be the cluster\'s OIDC issuer URL, such as "https://westeurope.oic.prod-aks.azure.com/<tenant-id>/<cluster-guid>/"',
      ],
    ],
    [
      "an AKS issuer of another tenant",
      withChange(
        azureStack(),
        (s) => (s.azure.oidcIssuerUrl = "https://westeurope.oic.prod-aks.azure.com/99999999-2222-3333-4444-555555555555/x/"),
      ),
      [
        '`tenantstack:azure.oidcIssuerUrl` must be the issuer of a cluster in the stack\'s tenant `azure.tenantId` ("11111111-2222-3333-4444-555555555555") (got "https://westeurope.oic.prod-aks.azure.com/99999999-2222-3333-4444-5555555555...)',
      ],
    ],
    [
      "storage names Azure refuses",
      withChange(azureStack(), (s) => {
        s.postgres.backup.destination.storageAccount = "acme-backups";
        s.postgres.backup.destination.container = "dumps--x";
        s.azure.keyVault.name = "1vault";
      }),
      [
        '`tenantstack:azure.keyVault.name` must be a Key Vault name: 3-24 letters, digits and "-", starting with a letter, ending with a letter or digit, no "--" (got "1vault")',
        '`tenantstack:postgres.backup.destination.storageAccount` must be an Azure storage account name: 3-24 lowercase letters and digits (got "acme-backups")',
        '`tenantstack:postgres.backup.destination.container` must be an Azure blob container name: 3-63 lowercase letters, digits and "-", starting and ending with a letter or digit, no "--" (got "dumps--x")',
      ],
    ],
    [
      "cloud secrets without a cloud",
      withChange(dedicatedStack(), (s) => (s.secrets = { source: "cloud" })),
      [
        '`tenantstack:secrets.source` must not be "cloud" when `cloud` is "none": there is no cloud secret store; use "generated" or "external" (got "cloud")',
      ],
    ],
    [
      "an app secret stored under a credential's name",
      withChange(awsStack(), (s) => (s.secrets.appSecretNames = ["Postgres_Password"])),
      [
        '`tenantstack:secrets.appSecretNames[0]` must differ from "postgresPassword" in more than case and "_": both would be stored as "<namespace>-postgres-password" (got "Postgres_Password")',
      ],
    ],
  ];
  for (const [title, input, expected] of cases) it(`rejects ${title}`, () => assert.deepEqual(problems(input), expected));
});
