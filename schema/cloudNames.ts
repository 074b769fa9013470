/**
 * Cloud names and identifiers as plain rules: whether a name is a valid S3 or GCS bucket name, and the
 * patterns of an IAM OIDC provider ARN, an EKS issuer and a GKE workload identity pool, whose parts the
 * checks across settings and the AWS integration read. The field builders that check a setting against these rules, with the
 * message the cloud would give, are package-private, in `cloudFields.ts`.
 */

const IPV4_LIKE = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Whether `name` is a valid S3 general purpose bucket name. */
export function isS3BucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes("..") &&
    !IPV4_LIKE.test(name) &&
    !name.startsWith("xn--") &&
    !name.startsWith("sthree-") &&
    !name.endsWith("-s3alias") &&
    !name.endsWith("--ol-s3")
  );
}

/** Whether `name` is a valid GCS bucket name. */
export function isGcsBucketName(name: string): boolean {
  const parts = name.split(".");
  return (
    /^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(name) &&
    name.length >= 3 &&
    name.length <= (parts.length > 1 ? 222 : 63) &&
    parts.every((part) => part.length >= 1 && part.length <= 63) &&
    !IPV4_LIKE.test(name) &&
    !name.startsWith("goog") &&
    !name.includes("google")
  );
}

/** The parts of an IAM OIDC provider ARN. */
export const OIDC_PROVIDER_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}):oidc-provider\/([a-z0-9.-]+(\/[A-Za-z0-9._-]+)*)$/;

/** The region of an EKS OIDC issuer host path (`oidc.eks.<region>.amazonaws.com/id/<id>`). */
export const EKS_ISSUER = /^oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/id\/[A-Za-z0-9]+$/;

/** The GKE workload identity pool of a project. */
export const WORKLOAD_POOL = /^([a-z][a-z0-9-]{4,28}[a-z0-9])\.svc\.id\.goog$/;
