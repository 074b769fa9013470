/**
 * Compile-time proof, run by `npm run typecheck`, that each generated plain type (`schema/types.ts`,
 * `automation/types.ts`) is the schema's own input or output type: same fields, same optionality, same value
 * types (readonly aside). A schema change that `npm run generate` has not carried over fails to compile here.
 */
import type { z } from "zod";
import type * as automation from "../../../automation/types";
import type { MigrationSettingsSchema } from "../../../automation/migration/data/settings";
import type { OperationListQuerySchema, OperationRequestSchema } from "../../../schema/operations";
import type { TenantInputSchema, TenantPatchSchema } from "../../../schema/tenantInput";
import type * as schema from "../../../schema";
import type { AwsSchema, AzureSchema, GcpSchema } from "../../../schema/cloudSettings";
import type { BackupDestinationSchema, OllamaSchema, PostgresSchema, RedisSchema } from "../../../schema/data";
import type { IngressSchema } from "../../../schema/ingress";
import type { SchedulingSchema, TolerationSchema } from "../../../schema/scheduling";
import type { SecretsSchema } from "../../../schema/secretSettings";
import type { ApiSchema, WorkerSchema } from "../../../schema/workloads";

/** `T` without readonly, with its intersections merged, all the way down. */
type Plain<T> = T extends readonly (infer E)[] ? Plain<E>[] : T extends object ? { -readonly [K in keyof T]: Plain<T[K]> } : T;
/** Whether `A` and `B` are the same type once plain. */
type Same<A, B> = (<X>() => X extends Plain<A> ? 1 : 2) extends <X>() => X extends Plain<B> ? 1 : 2 ? true : false;
/** The type of a schema's settings when given (a schema with a default also takes `undefined`). */
type In<S extends z.ZodType> = Exclude<z.input<S>, undefined>;
type Out<S extends z.ZodType> = z.output<S>;
type CloudKeys = "cloud" | "aws" | "gcp" | "azure";

/** Every pair must be the same type: a `false` here fails to compile. */
export const generatedTypesMatchTheSchemas: Record<string, true> = {
  StackInputFields: true satisfies Same<schema.StackInputFields, Omit<In<typeof schema.StackSchema>, CloudKeys>>,
  StackSpecFields: true satisfies Same<schema.StackSpecFields, Omit<Out<typeof schema.StackSchema>, CloudKeys>>,
  Tenant: true satisfies Same<schema.Tenant, Out<typeof schema.TenantSchema>>,
  TenancyInput: true satisfies Same<schema.TenancyInput, In<typeof schema.TenancySchema>>,
  Tenancy: true satisfies Same<schema.Tenancy, Out<typeof schema.TenancySchema>>,
  SchedulingInput: true satisfies Same<schema.SchedulingInput, In<typeof SchedulingSchema>>,
  SchedulingSpec: true satisfies Same<schema.SchedulingSpec, Out<typeof SchedulingSchema>>,
  TolerationInput: true satisfies Same<schema.TolerationInput, In<typeof TolerationSchema>>,
  TolerationSpec: true satisfies Same<schema.TolerationSpec, Out<typeof TolerationSchema>>,
  ApiInput: true satisfies Same<schema.ApiInput, In<typeof ApiSchema>>,
  ApiSpec: true satisfies Same<schema.ApiSpec, Out<typeof ApiSchema>>,
  WorkerInput: true satisfies Same<schema.WorkerInput, In<typeof WorkerSchema>>,
  WorkerSpec: true satisfies Same<schema.WorkerSpec, Out<typeof WorkerSchema>>,
  PostgresInput: true satisfies Same<schema.PostgresInput, In<typeof PostgresSchema>>,
  PostgresSpec: true satisfies Same<schema.PostgresSpec, Out<typeof PostgresSchema>>,
  BackupDestinationInput: true satisfies Same<schema.BackupDestinationInput, In<typeof BackupDestinationSchema>>,
  BackupDestinationSpec: true satisfies Same<schema.BackupDestinationSpec, Out<typeof BackupDestinationSchema>>,
  RedisInput: true satisfies Same<schema.RedisInput, In<typeof RedisSchema>>,
  RedisSpec: true satisfies Same<schema.RedisSpec, Out<typeof RedisSchema>>,
  OllamaInput: true satisfies Same<schema.OllamaInput, In<typeof OllamaSchema>>,
  OllamaSpec: true satisfies Same<schema.OllamaSpec, Out<typeof OllamaSchema>>,
  IngressInput: true satisfies Same<schema.IngressInput, In<typeof IngressSchema>>,
  IngressSpec: true satisfies Same<schema.IngressSpec, Out<typeof IngressSchema>>,
  SecretsInput: true satisfies Same<schema.SecretsInput, In<typeof SecretsSchema>>,
  SecretsSpec: true satisfies Same<schema.SecretsSpec, Out<typeof SecretsSchema>>,
  AwsInput: true satisfies Same<schema.AwsInput, In<typeof AwsSchema>>,
  AwsSpec: true satisfies Same<schema.AwsSpec, Out<typeof AwsSchema>>,
  GcpInput: true satisfies Same<schema.GcpInput, In<typeof GcpSchema>>,
  GcpSpec: true satisfies Same<schema.GcpSpec, Out<typeof GcpSchema>>,
  AzureInput: true satisfies Same<schema.AzureInput, In<typeof AzureSchema>>,
  AzureSpec: true satisfies Same<schema.AzureSpec, Out<typeof AzureSchema>>,
  TenantInput: true satisfies Same<automation.TenantInput, In<typeof TenantInputSchema>>,
  TenantFields: true satisfies Same<automation.TenantFields, Out<typeof TenantInputSchema>>,
  TenantPatch: true satisfies Same<automation.TenantPatch, Out<typeof TenantPatchSchema>>,
  MigrationSettings: true satisfies Same<automation.MigrationSettings, Out<typeof MigrationSettingsSchema>>,
  OperationRequest: true satisfies Same<automation.OperationRequest, Out<typeof OperationRequestSchema>>,
  OperationListQuery: true satisfies Same<automation.OperationListQuery, Out<typeof OperationListQuerySchema>>,
};
