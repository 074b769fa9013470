import * as assert from "node:assert/strict";
import { GcpIntegration, type GcpIntegrationArgs, InvalidArgsError } from "../../../../components";
import { problemLines } from "../invalidArgs";
import { gcpAccountId } from "../../../../components/cloud/gcp";
import { gcpStack, without } from "../../fixtures";
import { buildStack, capture, isSecret, one, propsOf, resolve } from "../capture";
import { cloudResourceNames, K8S } from "./expect";

const PROJECT = "acme-ai-prod";
const email = (role: "external-secrets" | "postgres-backup" | "dns01", namespace: string, serviceAccount: string) =>
  `${gcpAccountId(role, { namespace, name: serviceAccount })}@${PROJECT}.iam.gserviceaccount.com`;
const ESO = email("external-secrets", "tenantstack-prod", "external-secrets");
const BACKUP = email("postgres-backup", "tenantstack-prod", "postgres-backup");
const DNS01 = email("dns01", "cert-manager", "cert-manager");

describe("GcpIntegration in an AppStack", () => {
  const { app, resources } = buildStack("prod", gcpStack());
  const entries = ["postgres-password", "redis-password", "app-secret-key"];

  it("creates exactly the service accounts, bindings, secrets and bucket of the stack", () => {
    assert.deepEqual(cloudResourceNames(resources), [
      "gcp:serviceaccount/account:Account prod-cloud-external-secrets",
      "gcp:serviceaccount/iAMMember:IAMMember prod-cloud-external-secrets-workload-identity",
      ...entries.flatMap((e) => [
        `gcp:secretmanager/secret:Secret prod-cloud-secret-tenantstack-prod-${e}`,
        `gcp:secretmanager/secretVersion:SecretVersion prod-cloud-secret-tenantstack-prod-${e}-version`,
        `gcp:secretmanager/secretIamMember:SecretIamMember prod-cloud-secret-tenantstack-prod-${e}-reader`,
      ]),
      "gcp:serviceaccount/account:Account prod-cloud-postgres-backup",
      "gcp:serviceaccount/iAMMember:IAMMember prod-cloud-postgres-backup-workload-identity",
      "gcp:storage/bucket:Bucket prod-cloud-backup-bucket",
      "gcp:storage/bucketIAMMember:BucketIAMMember prod-cloud-postgres-backup-writer",
      "gcp:serviceaccount/account:Account prod-cloud-dns01",
      "gcp:serviceaccount/iAMMember:IAMMember prod-cloud-dns01-workload-identity",
      "gcp:dns/dnsManagedZoneIamMember:DnsManagedZoneIamMember prod-cloud-dns01-zone",
    ]);
  });

  it("binds each Google service account to exactly one Kubernetes ServiceAccount through Workload Identity", async () => {
    for (const [role, account, member] of [
      ["external-secrets", ESO, "serviceAccount:acme-ai-prod.svc.id.goog[tenantstack-prod/external-secrets]"],
      ["postgres-backup", BACKUP, "serviceAccount:acme-ai-prod.svc.id.goog[tenantstack-prod/postgres-backup]"],
      ["dns01", DNS01, "serviceAccount:acme-ai-prod.svc.id.goog[cert-manager/cert-manager]"],
    ]) {
      const binding = await propsOf(resources, "gcp:serviceaccount/iAMMember:IAMMember", `-${role}-workload-identity`);
      assert.deepEqual(
        [binding.serviceAccountId, binding.role, binding.member],
        [`projects/${PROJECT}/serviceAccounts/${account}`, "roles/iam.workloadIdentityUser", member],
      );
      const props = await propsOf(resources, "gcp:serviceaccount/account:Account", `-cloud-${role}`);
      assert.equal(props.accountId.length <= 30, true);
    }
  });

  it("keeps the credentials in Secret Manager as secret values, each readable by the SecretStore's account only", async () => {
    for (const entry of entries) {
      const secret = await propsOf(resources, "gcp:secretmanager/secret:Secret", `-tenantstack-prod-${entry}`);
      assert.deepEqual(
        [secret.secretId, secret.project, secret.replication],
        [`tenantstack-prod-${entry}`, PROJECT, { userManaged: { replicas: [{ location: "europe-west1" }] } }],
      );
      const reader = await propsOf(resources, "gcp:secretmanager/secretIamMember:SecretIamMember", `-${entry}-reader`);
      assert.deepEqual(
        [reader.secretId, reader.role, reader.member],
        [`tenantstack-prod-${entry}`, "roles/secretmanager.secretAccessor", `serviceAccount:${ESO}`],
      );
    }
    const version = one(resources, "gcp:secretmanager/secretVersion:SecretVersion", "-redis-password-version");
    assert.equal(await isSecret(version.props.secretData as never), true);
    assert.equal(await resolve(version.props.secretData as never), "generated-prod-secrets-redis-password");
  });

  it("serves the credentials Secret through a gcpsm SecretStore authenticating as its ServiceAccount", async () => {
    const account = await propsOf(resources, K8S.serviceAccount, "-cloud-external-secrets-service-account");
    assert.deepEqual(account.metadata.annotations, { "iam.gke.io/gcp-service-account": ESO });
    const store = await propsOf(resources, K8S.secretStore, "-cloud-secret-store");
    assert.deepEqual(store.spec, {
      provider: { gcpsm: { projectID: PROJECT, auth: { workloadIdentity: { serviceAccountRef: { name: "external-secrets" } } } } },
    });
    const external = await propsOf(resources, K8S.externalSecret, "-cloud-external-secret");
    assert.deepEqual(external.spec.target, { name: "credentials", creationPolicy: "Owner", deletionPolicy: "Retain" });
  });

  it("creates a private bucket that deletes old dumps, where the backup account may only create objects under the prefix", async () => {
    const bucket = one(resources, "gcp:storage/bucket:Bucket");
    const props: any = await resolve(bucket.props);
    assert.deepEqual(
      [props.name, props.location, props.uniformBucketLevelAccess, props.publicAccessPrevention, props.forceDestroy, props.lifecycleRules],
      [
        "acme-ai-backups",
        "europe-west1",
        true,
        "enforced",
        false,
        [{ action: { type: "Delete" }, condition: { age: 30, matchesPrefixes: ["postgres/"] } }],
      ],
    );
    assert.equal(bucket.opts.protect, true);
    const writer = await propsOf(resources, "gcp:storage/bucketIAMMember:BucketIAMMember");
    assert.deepEqual(
      [writer.bucket, writer.role, writer.member],
      ["acme-ai-backups", "roles/storage.objectCreator", `serviceAccount:${BACKUP}`],
    );
    assert.equal(writer.condition.expression, 'resource.name.startsWith("projects/_/buckets/acme-ai-backups/objects/postgres/")');
    const backupAccount = await propsOf(resources, K8S.serviceAccount, "-postgres-backup-service-account");
    assert.deepEqual(backupAccount.metadata.annotations, { "iam.gke.io/gcp-service-account": BACKUP });
  });

  it("grants cert-manager's account the one managed zone and solves DNS-01 on Cloud DNS", async () => {
    const zone = await propsOf(resources, "gcp:dns/dnsManagedZoneIamMember:DnsManagedZoneIamMember");
    assert.deepEqual(
      [zone.project, zone.managedZone, zone.role, zone.member],
      [PROJECT, "example-com", "roles/dns.admin", `serviceAccount:${DNS01}`],
    );
    const issuer = await propsOf(resources, K8S.issuer);
    assert.deepEqual(issuer.spec.acme.solvers[0].dns01, { cloudDNS: { project: PROJECT, hostedZoneName: "example-com" } });
    assert.deepEqual(await resolve(app.cloud!.certManagerServiceAccountAnnotations), { "iam.gke.io/gcp-service-account": DNS01 });
  });
});

describe("GcpIntegration, bad input", () => {
  it("rejects a bucket name GCS would refuse, a foreign destination and DNS-01 without a zone, registering nothing", () => {
    const settings = without(gcpStack().gcp!, "cloudDns");
    const { resources, opts } = capture();
    const args: GcpIntegrationArgs = {
      namespace: "apps",
      settings,
      dns01Zone: "example.com",
      backup: { destination: { type: "gcs", bucket: "google-backups" }, retentionDays: 7 },
    };
    assert.throws(
      () => new GcpIntegration("bad", args, opts),
      (error: unknown) =>
        error instanceof InvalidArgsError &&
        assert.deepEqual(problemLines(error), [
          '`backup.destination.bucket` must be a GCS bucket name: 3-63 lowercase letters, digits, "-", "_" and "." (up to 222 with dots, 63 between dots), starting and ending with a letter or digit, not an IP address, not starting with "goog", not containing "google" (got "google-backups")',
          '`settings.cloudDns` is required: it must name the DNS zone\'s details when `ingress.tls.solver.type` is "dns01"',
        ]) === undefined,
    );
    assert.throws(
      () =>
        new GcpIntegration(
          "bad",
          { ...args, backup: { destination: { type: "s3", bucket: "b-1", region: "eu-west-1" }, retentionDays: 7 } },
          opts,
        ),
      /`backup.destination.type` must be "volume" or "gcs" when `cloud` is "gcp" \(got "s3"\)/,
    );
    assert.equal(resources.length, 0);
  });
});
