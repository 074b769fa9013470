/** The Automation API driver of tenantstack: workspaces, tenant registry, operation journal. */
export * from "./backend";
export { openDatabase, type SqlDatabase } from "./db/sqlDatabase";
export * from "./errors";
export * from "./journal/journal";
export * from "./journal/leases";
export { PACKAGE_ROOT, findPulumiCli, type PulumiCli } from "./pulumiCli";
export * from "./registry/registry";
export {
  PLANS,
  TenantInputSchema,
  fleetStacks,
  atVersion,
  parseVersion,
  type FleetStack,
  type Tenant,
  type TenantInput,
} from "./registry/tenant";
export * from "./workspace";
