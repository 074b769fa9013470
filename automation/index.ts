/** The Automation API driver of tenantstack. */
export * from "./backend";
export { CLUSTER_NAME_MAX, DEFAULT_CLUSTER, parseClusterList, type ClusterKubeconfigs, type ClusterOptions } from "./clusters";
export { openDatabase, type SqlDatabase } from "./db/sqlDatabase";
export * from "./driver";
export * from "./errors";
export { ERROR_CODES, exitCodeOf, httpStatusOf, type ErrorCode, type ErrorCodeMapping } from "./errorCodes";
export { KubeApiError } from "./kube";
export { CommandError, MigrationError, MigrationStateError, TargetConflictError, VerificationError } from "./migration/data/errors";
export type { Executor, ExecutorEvent, ExecutorRunOptions } from "./operations/executor";
export { checkHealth, workloadReady, type HealthGateOptions, type HealthReport } from "./fleet/health";
export { LocalProcessExecutor, type LocalProcessExecutorOptions } from "./fleet/localProcessExecutor";
export { KubernetesExecutor, type KubernetesExecutorOptions } from "./fleet/kubernetesExecutor";
export type { FleetUpgradeOptions, FleetUpgradeResult, StackUpgrade } from "./fleet/upgrade";
export { planWaves, type WaveOptions } from "./fleet/waves";
export * from "./journal/journal";
export * from "./journal/leases";
export type { ChangeKind, ChangeSummary, ResourceChange } from "./operations/changes";
export type { PropertyChange, PropertyChangeKind } from "./operations/propertyChanges";
export type { DriverEvent, OperationOptions, StackStatus } from "./operations/events";
export type { Drift } from "./operations/drift";
export type { StackJob, StackJobEvent, StackJobKind, StackJobResult } from "./operations/stackJob";
export { PACKAGE_PROGRAM, PACKAGE_ROOT, findPulumiCli, type PulumiCli } from "./pulumiCli";
export type { MigrationConfig, MigrationDataPlane } from "./migration/config";
export type { GcOptions, GcRemoval, GcResult } from "./migration/gc";
export type { MigrationJobs } from "./migration/jobDataSteps";
export type { MigrateOptions, MigrationResult } from "./migration/migrate";
export { readDataPlaneFile, staticDataPlane } from "./migration/staticDataPlane";
export { clusterDataPlane } from "./migration/clusterDataPlane";
export * from "./registry/migrationRecords";
export * from "./registry/registry";
export { assertSucceeded, type AnyOperationResult } from "./succeeded";
export {
  PLANS,
  atVersion,
  fleetStacks,
  parseVersion,
  stackOf,
  type FleetStack,
  type RegisteredTenant,
  type StackImages,
  type Tenant,
  type TenantInput,
} from "./registry/tenant";
export type { DeleteTenantOptions, StackAction, TenantDeletion } from "./tenants/deleteTenant";
export type { TenantOperationStatus } from "./tenants/context";
export type { TenantUpdate, UpdateTenantOptions } from "./tenants/updateTenant";
export { TOOLCHAIN_RECORD, lookUpToolchain, type ToolchainLookup } from "./toolchain";
export type { ResolvedRunnerSettings, RunnerSettings, TenantPatch } from "./types";
export * from "./workspace";
