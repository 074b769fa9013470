/**
 * Field builders for cloud names and identifiers, each with the rules the cloud itself enforces, so that
 * a name the cloud would reject fails validation instead of a deployment. Package-private, as `fields.ts`
 * is: the cloud settings' schemas and the cloud integrations import it, but no entry point exports it and
 * its declarations, which name zod's types, are not published (`package.json`'s `files`).
 */
import { z } from "zod";
import { isGcsBucketName, isS3BucketName, OIDC_PROVIDER_ARN, WORKLOAD_POOL } from "./cloudNames";

/** A string accepted by `valid`, with one message for every way it can be wrong. */
function named(valid: (value: string) => boolean, message: string) {
  return z.string({ error: message }).refine(valid, { error: message });
}

/** A string matching `pattern`. */
function matching(pattern: RegExp, message: string) {
  return named((value) => pattern.test(value), message);
}

/** An S3 bucket name. */
export function s3BucketName() {
  return named(
    isS3BucketName,
    'must be an S3 bucket name: 3-63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit, no "..", not an IP address, not starting with "xn--" or "sthree-", not ending with "-s3alias" or "--ol-s3"',
  );
}

/** A GCS bucket name. */
export function gcsBucketName() {
  return named(
    isGcsBucketName,
    'must be a GCS bucket name: 3-63 lowercase letters, digits, "-", "_" and "." (up to 222 with dots, 63 between dots), starting and ending with a letter or digit, not an IP address, not starting with "goog", not containing "google"',
  );
}

/** An Azure storage account name. */
export function storageAccountName() {
  return matching(/^[a-z0-9]{3,24}$/, "must be an Azure storage account name: 3-24 lowercase letters and digits");
}

/** An Azure blob container name. */
export function blobContainerName() {
  return matching(
    /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
    'must be an Azure blob container name: 3-63 lowercase letters, digits and "-", starting and ending with a letter or digit, no "--"',
  );
}

/** An Azure Key Vault name. */
export function keyVaultName() {
  return matching(
    /^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/,
    'must be a Key Vault name: 3-24 letters, digits and "-", starting with a letter, ending with a letter or digit, no "--"',
  );
}

/**
 * An object key prefix: `/`-separated segments of letters, digits, ".", "_" and "-" (no wildcards, which would widen access grants).
 */
export function objectPrefix() {
  return named(
    (value) => value.length <= 512 && /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(value),
    'must be an object key prefix: "/"-separated segments of letters, digits, ".", "_" and "-", at most 512 characters, such as "postgres"',
  );
}

/** An AWS region such as `eu-west-1`. */
export function awsRegion() {
  return matching(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]{1,2}$/, 'must be an AWS region such as "eu-west-1"');
}

/** A 12-digit AWS account id. */
export function awsAccountId() {
  return matching(/^[0-9]{12}$/, 'must be a 12-digit AWS account id such as "123456789012"');
}

/** An IAM OIDC provider ARN. */
export function oidcProviderArn() {
  return matching(
    OIDC_PROVIDER_ARN,
    'must be the ARN of the cluster\'s IAM OIDC provider, such as "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B7"',
  );
}

/** A Route 53 hosted zone id. */
export function hostedZoneId() {
  return matching(/^Z[A-Z0-9]{1,31}$/, 'must be a Route 53 hosted zone id such as "Z0123456789ABCDEFGHIJ"');
}

/** A GCP project id. */
export function gcpProjectId() {
  return matching(
    /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
    'must be a GCP project id: 6-30 lowercase letters, digits and "-", starting with a letter and not ending with "-", such as "acme-prod"',
  );
}

/** A GKE workload identity pool. */
export function workloadPool() {
  return matching(WORKLOAD_POOL, 'must be a GKE workload identity pool "<project-id>.svc.id.goog"');
}

/** A GCP region such as `europe-west1`. */
export function gcpRegion() {
  return matching(/^[a-z]+-[a-z]+[0-9]+$/, 'must be a GCP region such as "europe-west1"');
}

/** A GUID (Azure tenant and subscription ids). */
export function guid() {
  return matching(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    'must be a lowercase GUID such as "00000000-0000-0000-0000-000000000000"',
  );
}

/** An Azure resource group name. */
export function resourceGroupName() {
  return matching(
    /^[-\w.()]{0,89}[-\w()]$/,
    'must be an Azure resource group name: 1-90 letters, digits, "-", "_", ".", "(" and ")", not ending with "."',
  );
}

/** An Azure location such as `westeurope`. */
export function azureLocation() {
  return matching(/^[a-z][a-z0-9]+$/, 'must be an Azure location such as "westeurope"');
}

/** An AKS OIDC issuer URL. */
export function oidcIssuerUrl() {
  return matching(
    /^https:\/\/[a-z0-9.-]+(\/[A-Za-z0-9._-]+)*\/?$/,
    'must be the cluster\'s OIDC issuer URL, such as "https://westeurope.oic.prod-aks.azure.com/<tenant-id>/<cluster-guid>/"',
  );
}

/** A secret's name valid in AWS Secrets Manager, GCP Secret Manager and Azure Key Vault alike. */
export function cloudSecretEntryName() {
  return matching(
    /^[a-z0-9](?:[a-z0-9-]{0,125}[a-z0-9])?$/,
    'must be a secret name of 1-127 lowercase letters, digits and "-", starting and ending with a letter or digit',
  );
}
