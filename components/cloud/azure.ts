import * as pulumi from "@pulumi/pulumi";
import type * as authorizationModule from "@pulumi/azure-native/authorization";
import type * as keyvaultModule from "@pulumi/azure-native/keyvault";
import type * as managedidentityModule from "@pulumi/azure-native/managedidentity";
import type * as storageModule from "@pulumi/azure-native/storage";
import { type AzureInput, type AzureSpec, serviceAccountSubject } from "../../schema";
import { AzureSchema } from "../../schema/cloudSettings";
import {
  type CloudArgs,
  type CloudDriver,
  CloudIntegration,
  loadProvider,
  type ObjectDestination,
  validateCloudArgs,
  type WorkloadIdentity,
} from "./base";

/** Type token of {@link AzureIntegration}. */
export const AZURE_INTEGRATION_TYPE = "tenantstack:cloud:AzureIntegration";

/** Arguments of {@link AzureIntegration}: the Azure settings (`AzureInput`) and what to serve. */
export type AzureIntegrationArgs = CloudArgs<AzureInput>;

/** A user-assigned managed identity federated with one Kubernetes ServiceAccount. */
interface AzureIdentity extends WorkloadIdentity {
  readonly principalId: pulumi.Output<string>;
  readonly clientId: pulumi.Output<string>;
}

/** Ids of the built-in Azure roles the integration assigns. */
export const AZURE_ROLES = {
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  dnsZoneContributor: "befefa01-2a29-4197-83a8-272ff33ce314",
} as const;

/** The audience of Kubernetes tokens exchanged for Microsoft Entra tokens. */
const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/**
 * AKS: user-assigned identities federated with exactly one Kubernetes ServiceAccount each (workload
 * identity), Key Vault secrets each readable by the SecretStore's identity only, the Blob container of
 * backups writable by the backup identity only, and Azure DNS access to the one zone.
 */
export class AzureIntegration extends CloudIntegration {
  constructor(name: string, args: AzureIntegrationArgs, opts?: pulumi.ComponentResourceOptions) {
    const valid = validateCloudArgs(`AzureIntegration "${name}"`, "azure", AzureSchema, args);
    super(AZURE_INTEGRATION_TYPE, name, valid.args, (parent) => azureDriver(parent, name, valid.settings), opts);
  }
}

function azureDriver(parent: pulumi.Resource, name: string, spec: AzureSpec): CloudDriver<AzureIdentity> {
  const managedidentity = loadProvider<typeof managedidentityModule>("azure", "@pulumi/azure-native", "managedidentity");
  const authorization = loadProvider<typeof authorizationModule>("azure", "@pulumi/azure-native", "authorization");
  const child = { parent };
  const resourceGroupName = spec.resourceGroup;
  const subscription = `/subscriptions/${spec.subscriptionId}`;
  const group = (resourceGroup: string) => `${subscription}/resourceGroups/${resourceGroup}`;
  const certManager = spec.dns?.certManager;
  const assign = (
    purpose: string,
    identity: AzureIdentity,
    role: keyof typeof AZURE_ROLES,
    scope: string,
    dependsOn: pulumi.Resource[] = [],
  ) =>
    new authorization.RoleAssignment(
      `${name}-${purpose}-role`,
      {
        principalId: identity.principalId,
        principalType: "ServicePrincipal",
        roleDefinitionId: `${subscription}/providers/Microsoft.Authorization/roleDefinitions/${AZURE_ROLES[role]}`,
        scope,
      },
      { parent, dependsOn },
    );

  return {
    dns01ServiceAccount: "cert-manager",
    certManager: certManager && { namespace: certManager.namespace, name: certManager.serviceAccount },

    identity(role, serviceAccount) {
      const identity = new managedidentity.UserAssignedIdentity(`${name}-${role}`, { resourceGroupName, location: spec.location }, child);
      new managedidentity.FederatedIdentityCredential(
        `${name}-${role}-federation`,
        {
          resourceGroupName,
          resourceName: identity.name,
          issuer: spec.oidcIssuerUrl,
          subject: serviceAccountSubject(serviceAccount.namespace, serviceAccount.name),
          audiences: [TOKEN_EXCHANGE_AUDIENCE],
        },
        child,
      );
      return {
        principalId: identity.principalId,
        clientId: identity.clientId,
        annotations: { "azure.workload.identity/client-id": identity.clientId, "azure.workload.identity/tenant-id": spec.tenantId },
        podLabels: { "azure.workload.identity/use": "true" },
      };
    },

    secretEntries(entries, reader) {
      const keyvault = loadProvider<typeof keyvaultModule>("azure", "@pulumi/azure-native", "keyvault");
      const vaultName = spec.keyVault.name;
      const vaultId = `${group(resourceGroupName)}/providers/Microsoft.KeyVault/vaults/${vaultName}`;
      const vault =
        spec.keyVault.mode === "create"
          ? [
              new keyvault.Vault(
                `${name}-key-vault`,
                {
                  vaultName,
                  resourceGroupName,
                  location: spec.location,
                  properties: {
                    tenantId: spec.tenantId,
                    sku: { family: "A", name: "standard" },
                    enableRbacAuthorization: true,
                    enableSoftDelete: true,
                    enablePurgeProtection: true,
                    softDeleteRetentionInDays: 90,
                  },
                },
                child,
              ),
            ]
          : [];
      return Object.entries(entries).flatMap(([entry, value]) => {
        const secret = new keyvault.Secret(
          `${name}-secret-${entry}`,
          { resourceGroupName, vaultName, secretName: entry, properties: { value: pulumi.secret(value) } },
          { parent, dependsOn: vault },
        );
        return [secret, assign(`secret-${entry}-reader`, reader, "keyVaultSecretsUser", `${vaultId}/secrets/${entry}`, [secret])];
      });
    },

    secretStoreProvider: (serviceAccount) => ({
      azurekv: {
        authType: "WorkloadIdentity",
        vaultUrl: `https://${spec.keyVault.name}.vault.azure.net`,
        serviceAccountRef: { name: serviceAccount },
      },
    }),

    backupBucket(destination: ObjectDestination, retentionDays, writer) {
      if (destination.type !== "azureBlob") throw new Error(`unreachable: ${destination.type} on azure`);
      const accountName = destination.storageAccount;
      const containerName = destination.container;
      const created = spec.backupBucket === "create" ? createContainer(parent, name, spec, destination, retentionDays) : [];
      const scope = `${group(resourceGroupName)}/providers/Microsoft.Storage/storageAccounts/${accountName}/blobServices/default/containers/${containerName}`;
      assign("postgres-backup", writer, "storageBlobDataContributor", scope, created);
    },

    dns01(zone, identity) {
      const dnsGroup = spec.dns!.resourceGroup ?? resourceGroupName;
      assign("dns01", identity, "dnsZoneContributor", `${group(dnsGroup)}/providers/Microsoft.Network/dnszones/${zone}`);
      return {
        azureDNS: {
          subscriptionID: spec.subscriptionId,
          resourceGroupName: dnsGroup,
          hostedZoneName: zone,
          environment: "AzurePublicCloud",
          managedIdentity: { clientID: identity.clientId },
        },
      };
    },
  };
}

/**
 * The backup storage account (encrypted with infrastructure encryption, no public blobs, no shared keys,
 * TLS 1.2) and its private container, dumps deleted `retentionDays` after they are written.
 */
function createContainer(
  parent: pulumi.Resource,
  name: string,
  spec: AzureSpec,
  destination: Extract<ObjectDestination, { type: "azureBlob" }>,
  retentionDays: number,
): pulumi.Resource[] {
  const storage = loadProvider<typeof storageModule>("azure", "@pulumi/azure-native", "storage");
  const resourceGroupName = spec.resourceGroup;
  const account = new storage.StorageAccount(
    `${name}-backup-account`,
    {
      accountName: destination.storageAccount,
      resourceGroupName,
      location: spec.location,
      kind: "StorageV2",
      sku: { name: "Standard_ZRS" },
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: false,
      enableHttpsTrafficOnly: true,
      minimumTlsVersion: "TLS1_2",
      encryption: {
        keySource: "Microsoft.Storage",
        requireInfrastructureEncryption: true,
        services: { blob: { enabled: true, keyType: "Account" } },
      },
    },
    { parent, protect: true },
  );
  const accountName = account.name;
  const container = new storage.BlobContainer(
    `${name}-backup-container`,
    { accountName, resourceGroupName, containerName: destination.container, publicAccess: "None" },
    { parent, protect: true },
  );
  const retention = new storage.ManagementPolicy(
    `${name}-backup-retention`,
    {
      accountName,
      resourceGroupName,
      managementPolicyName: "default",
      policy: {
        rules: [
          {
            name: "expire-dumps",
            enabled: true,
            type: "Lifecycle",
            definition: {
              filters: { blobTypes: ["blockBlob"], prefixMatch: [`${destination.container}/${destination.prefix}/`] },
              actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: retentionDays } } },
            },
          },
        ],
      },
    },
    { parent },
  );
  return [container, retention];
}
