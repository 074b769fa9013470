export { AWS_INTEGRATION_TYPE, AwsIntegration, type AwsIntegrationArgs } from "./aws";
export { AZURE_INTEGRATION_TYPE, AZURE_ROLES, AzureIntegration, type AzureIntegrationArgs } from "./azure";
export {
  CloudIntegration,
  type CloudIntegrationArgs,
  type CloudSecrets,
  type CloudWiring,
  DNS01_SERVICE_ACCOUNT,
  type ObjectDestination,
  type ObjectDestinationInput,
  ProviderPackageMissingError,
  SECRET_STORE_SERVICE_ACCOUNT,
} from "./base";
export { GCP_INTEGRATION_TYPE, GcpIntegration, type GcpIntegrationArgs } from "./gcp";
