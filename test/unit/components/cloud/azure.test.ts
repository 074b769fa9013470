import * as assert from "node:assert/strict";
import { AZURE_ROLES, AzureIntegration, InvalidArgsError } from "../../../../components";
import { problemLines } from "../invalidArgs";
import { azureStack, without } from "../../fixtures";
import { buildStack, capture, isSecret, one, propsOf, resolve } from "../capture";
import { cloudResourceNames, K8S } from "./expect";

const SUBSCRIPTION = "/subscriptions/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const GROUP = `${SUBSCRIPTION}/resourceGroups/ai-prod`;
const ISSUER = "https://westeurope.oic.prod-aks.azure.com/11111111-2222-3333-4444-555555555555/99999999-8888-7777-6666-555555555555/";
const roleDefinition = (role: keyof typeof AZURE_ROLES) =>
  `${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${AZURE_ROLES[role]}`;
const RoleAssignment = "azure-native:authorization:RoleAssignment";

describe("AzureIntegration in an AppStack", () => {
  const { app, resources } = buildStack("prod", azureStack());
  const entries = ["postgres-password", "redis-password", "app-secret-key"];
  const assignment = async (suffix: string) => {
    const props = await propsOf(resources, RoleAssignment, suffix);
    return [props.principalId, props.principalType, props.roleDefinitionId, props.scope];
  };

  it("creates exactly the identities, federations, vault, secrets, storage and role assignments of the stack", () => {
    assert.deepEqual(cloudResourceNames(resources), [
      "azure-native:managedidentity:UserAssignedIdentity prod-cloud-external-secrets",
      "azure-native:managedidentity:FederatedIdentityCredential prod-cloud-external-secrets-federation",
      "azure-native:keyvault:Vault prod-cloud-key-vault",
      ...entries.flatMap((e) => [
        `azure-native:keyvault:Secret prod-cloud-secret-tenantstack-prod-${e}`,
        `${RoleAssignment} prod-cloud-secret-tenantstack-prod-${e}-reader-role`,
      ]),
      "azure-native:managedidentity:UserAssignedIdentity prod-cloud-postgres-backup",
      "azure-native:managedidentity:FederatedIdentityCredential prod-cloud-postgres-backup-federation",
      "azure-native:storage:StorageAccount prod-cloud-backup-account",
      "azure-native:storage:BlobContainer prod-cloud-backup-container",
      "azure-native:storage:ManagementPolicy prod-cloud-backup-retention",
      `${RoleAssignment} prod-cloud-postgres-backup-role`,
      "azure-native:managedidentity:UserAssignedIdentity prod-cloud-dns01",
      "azure-native:managedidentity:FederatedIdentityCredential prod-cloud-dns01-federation",
      `${RoleAssignment} prod-cloud-dns01-role`,
    ]);
  });

  it("federates each identity with exactly one ServiceAccount of the cluster's issuer", async () => {
    for (const [role, subject] of [
      ["external-secrets", "system:serviceaccount:tenantstack-prod:external-secrets"],
      ["postgres-backup", "system:serviceaccount:tenantstack-prod:postgres-backup"],
      ["dns01", "system:serviceaccount:cert-manager:cert-manager"],
    ]) {
      const federation = await propsOf(resources, "azure-native:managedidentity:FederatedIdentityCredential", `-${role}-federation`);
      assert.deepEqual(
        [federation.resourceGroupName, federation.resourceName, federation.issuer, federation.subject, federation.audiences],
        ["ai-prod", `prod-cloud-${role}`, ISSUER, subject, ["api://AzureADTokenExchange"]],
      );
    }
  });

  it("keeps the credentials in a new RBAC Key Vault as secret values, each readable by the SecretStore's identity only", async () => {
    const vault = await propsOf(resources, "azure-native:keyvault:Vault");
    assert.deepEqual([vault.vaultName, vault.resourceGroupName, vault.location], ["acme-ai-prod-kv", "ai-prod", "westeurope"]);
    assert.deepEqual(vault.properties, {
      tenantId: "11111111-2222-3333-4444-555555555555",
      sku: { family: "A", name: "standard" },
      enableRbacAuthorization: true,
      enableSoftDelete: true,
      enablePurgeProtection: true,
      softDeleteRetentionInDays: 90,
      // Defaults the SDK fills in.
      enabledForDeployment: false,
      enabledForDiskEncryption: false,
      enabledForTemplateDeployment: false,
      publicNetworkAccess: "enabled",
    });
    for (const entry of entries) {
      assert.deepEqual(await assignment(`-${entry}-reader-role`), [
        "principal-id-of-prod-cloud-external-secrets",
        "ServicePrincipal",
        roleDefinition("keyVaultSecretsUser"),
        `${GROUP}/providers/Microsoft.KeyVault/vaults/acme-ai-prod-kv/secrets/tenantstack-prod-${entry}`,
      ]);
    }
    const secret = one(resources, "azure-native:keyvault:Secret", "-app-secret-key");
    const value = (secret.props.properties as any).value;
    assert.equal(await isSecret(value), true);
    assert.equal(await resolve(value), "generated-prod-secrets-app-secret-key");
  });

  it("serves the credentials Secret through an azurekv SecretStore with workload identity", async () => {
    const account = await propsOf(resources, K8S.serviceAccount, "-cloud-external-secrets-service-account");
    assert.deepEqual(account.metadata.annotations, {
      "azure.workload.identity/client-id": "client-id-of-prod-cloud-external-secrets",
      "azure.workload.identity/tenant-id": "11111111-2222-3333-4444-555555555555",
    });
    const store = await propsOf(resources, K8S.secretStore, "-cloud-secret-store");
    assert.deepEqual(store.spec, {
      provider: {
        azurekv: {
          authType: "WorkloadIdentity",
          vaultUrl: "https://acme-ai-prod-kv.vault.azure.net",
          serviceAccountRef: { name: "external-secrets" },
        },
      },
    });
  });

  it("creates encrypted private Blob storage that deletes old dumps, writable by the backup identity on the one container", async () => {
    const account = one(resources, "azure-native:storage:StorageAccount");
    const props: any = await resolve(account.props);
    assert.deepEqual(
      [props.accountName, props.allowBlobPublicAccess, props.allowSharedKeyAccess, props.enableHttpsTrafficOnly, props.minimumTlsVersion],
      ["acmeaibackups", false, false, true, "TLS1_2"],
    );
    assert.deepEqual(props.encryption, {
      keySource: "Microsoft.Storage",
      requireInfrastructureEncryption: true,
      services: { blob: { enabled: true, keyType: "Account" } },
    });
    assert.equal(account.opts.protect, true);
    const container = await propsOf(resources, "azure-native:storage:BlobContainer");
    assert.deepEqual([container.containerName, container.publicAccess], ["postgres-dumps", "None"]);
    const policy = await propsOf(resources, "azure-native:storage:ManagementPolicy");
    assert.deepEqual(policy.policy.rules[0].definition, {
      filters: { blobTypes: ["blockBlob"], prefixMatch: ["postgres-dumps/postgres/"] },
      actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: 30 } } },
    });
    assert.deepEqual(await assignment("-cloud-postgres-backup-role"), [
      "principal-id-of-prod-cloud-postgres-backup",
      "ServicePrincipal",
      roleDefinition("storageBlobDataContributor"),
      `${GROUP}/providers/Microsoft.Storage/storageAccounts/acmeaibackups/blobServices/default/containers/postgres-dumps`,
    ]);
    const backupAccount = await propsOf(resources, K8S.serviceAccount, "-postgres-backup-service-account");
    assert.equal(backupAccount.metadata.annotations["azure.workload.identity/client-id"], "client-id-of-prod-cloud-postgres-backup");
    const cronJob = await propsOf(resources, K8S.cronJob, "-postgres-backup-cronjob");
    assert.equal(cronJob.spec.jobTemplate.spec.template.metadata.labels["azure.workload.identity/use"], "true");
  });

  it("lets cert-manager's identity change only the DNS zone and solves DNS-01 on Azure DNS", async () => {
    assert.deepEqual(await assignment("-cloud-dns01-role"), [
      "principal-id-of-prod-cloud-dns01",
      "ServicePrincipal",
      roleDefinition("dnsZoneContributor"),
      `${SUBSCRIPTION}/resourceGroups/dns/providers/Microsoft.Network/dnszones/example.com`,
    ]);
    const issuer = await propsOf(resources, K8S.issuer);
    assert.deepEqual(issuer.spec.acme.solvers[0].dns01, {
      azureDNS: {
        subscriptionID: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        resourceGroupName: "dns",
        hostedZoneName: "example.com",
        environment: "AzurePublicCloud",
        managedIdentity: { clientID: "client-id-of-prod-cloud-dns01" },
      },
    });
    assert.deepEqual(await resolve(app.cloud!.certManagerServiceAccountAnnotations), {
      "azure.workload.identity/client-id": "client-id-of-prod-cloud-dns01",
      "azure.workload.identity/tenant-id": "11111111-2222-3333-4444-555555555555",
    });
  });
});

describe("AzureIntegration, bad input", () => {
  it("rejects a missing issuer and a storage account name Azure would refuse, registering nothing", () => {
    const settings = without(azureStack().azure!, "oidcIssuerUrl");
    const { resources, opts } = capture();
    assert.throws(
      () =>
        new AzureIntegration(
          "bad",
          {
            namespace: "apps",
            settings: settings as never,
            backup: { destination: { type: "azureBlob", storageAccount: "acme-backups", container: "dumps" }, retentionDays: 7 },
          },
          opts,
        ),
      (error: unknown) =>
        error instanceof InvalidArgsError &&
        assert.deepEqual(problemLines(error), [
          '`settings.oidcIssuerUrl` is required: it must be the cluster\'s OIDC issuer URL, such as "https://westeurope.oic.prod-aks.azure.com/<tenant-id>/<cluster-guid>/"',
          '`backup.destination.storageAccount` must be an Azure storage account name: 3-24 lowercase letters and digits (got "acme-backups")',
        ]) === undefined,
    );
    assert.equal(resources.length, 0);
  });
});
