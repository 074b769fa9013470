/** Tenant migrations' data layer: journaled, idempotent steps that move a tenant's Postgres and Redis data. */
export { DATA_STEPS, type DataStep } from "./dataSteps";
export * from "./errors";
export { migrationJob, migrationJobName, RETRYABLE_EXIT_CODE, type MigrationJobArgs, type SecretKeyRef } from "./job";
export { KubernetesDrain, MAINTENANCE_CONFIGMAP, MAINTENANCE_READ_ONLY, type KubeApi, type KubernetesDrainArgs } from "./kubeDrain";
export { DEFAULT_REMOVAL_GRACE_MS, Migration, type MigrationArgs } from "./dataMigration";
export { planMigration, type MigrationPlan } from "./plan";
export { parseMigrationSettings, type DataEndpoints, type MigrationSettings } from "./settings";
export type { Drain, MigrationStacks } from "./stacks";
export { operationSteps, runMigrationStep, STEP_DESCRIPTIONS, STEPS, type Log, type StepName } from "./steps";
