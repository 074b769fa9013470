/** The body of `POST /operations`: which operation, on which tenants, with which options. */
import { z } from "zod";
import { oneOf } from "../../schema/fields";
import { PLANS, TenantInputSchema, VersionSchema } from "../registry/tenant";

const tenants = z
  .array(z.string(), { error: "must be a list of tenant names" })
  .optional()
  .describe("The stacks serving these tenants; all when omitted.");
const common = {
  operationId: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, { error: "must be 1-100 letters, digits, '.', '_' or '-'" })
    .optional()
    .describe("Resume this operation."),
  concurrency: z.number().int().min(1).max(16).optional().describe("Stacks at once (default 2)."),
};

/**
 * Every operation the API starts.
 * @internal
 */
export const OperationRequestSchema = z.discriminatedUnion(
  "kind",
  [
    z.strictObject({ kind: z.literal("provision"), tenant: TenantInputSchema, ...common }),
    z.strictObject({
      kind: z.literal("preview"),
      tenants,
      savePlan: z.boolean().optional().describe("Save each plan for an approved up."),
      ...common,
    }),
    z.strictObject({
      kind: z.literal("up"),
      tenants,
      savedPlan: z.boolean().optional().describe("Apply exactly the saved plan."),
      ...common,
    }),
    z.strictObject({ kind: z.literal("refresh"), tenants, ...common }),
    z.strictObject({ kind: z.literal("outputs"), tenants, ...common }),
    z.strictObject({
      kind: z.literal("destroy"),
      tenants: z.array(z.string()).min(1, { error: "must list at least one tenant" }),
      forceDestroyData: z.boolean().optional(),
      ...common,
    }),
    z.strictObject({ kind: z.literal("recover"), stack: z.string(), ...common }),
    z.strictObject({
      kind: z.literal("fleet-upgrade"),
      version: VersionSchema,
      tenants,
      canary: z.number().int().min(0).optional(),
      waveSize: z.number().int().min(1).optional(),
      rollback: z.boolean().optional(),
      httpCheckUrl: z.url().optional(),
      ...common,
    }),
    z.strictObject({
      kind: z.literal("migrate"),
      tenant: z.string().describe("The tenant moved."),
      to: oneOf(PLANS).optional().describe("The plan it moves to; with `rollback`, defaults to the plan it came from."),
      cluster: z.string().optional().describe("Target cluster, one of the driver's clusters (default: the tenant's)."),
      settings: z.record(z.string(), z.unknown()).optional().describe("Settings of a dedicated target stack."),
      dryRun: z.boolean().optional().describe("Only plan: steps, stacks touched, data sizes."),
      rollback: z.boolean().optional().describe("Move the tenant back while its last migration's source copy is kept."),
      ...common,
    }),
    z.strictObject({
      kind: z.literal("gc"),
      now: z.iso.datetime().optional().describe("The time grace periods are compared with (default: now)."),
      ...common,
    }),
  ],
  {
    error: 'must be one of "provision", "preview", "up", "refresh", "outputs", "destroy", "recover", "fleet-upgrade", "migrate", "gc"',
  },
);

export type { OperationRequest } from "../types";
