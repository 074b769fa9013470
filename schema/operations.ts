/**
 * The driver's input model of each operation, one set of fields shared by every surface: the HTTP
 * API's `POST /operations` body ({@link OperationRequestSchema}), the CLI (which builds that body from
 * its flags and parses it here) and the library's options (the same fields, beside its callbacks).
 * A limit changed here changes on every surface at once.
 * Package-private: the driver imports its zod schemas, but no entry point exports it and its declarations,
 * which name zod's types, are not published (`package.json`'s `files`); the plain types the schemas parse to
 * are published in `automation/types.ts` (generated), their values in `driverValues.ts`.
 */
import { z } from "zod";
import { CONCURRENCY_MAX, OPERATION_KINDS, OPERATION_LIST_MAX, OPERATION_STATUSES, PLANS, WAVE_MAX } from "./driverValues";
import { flag, intBetween, oneOf, settings, text } from "./fields";
import { TenantInputSchema, TenantNameSchema, TenantPatchSchema, VersionSchema } from "./tenantInput";

const HTTP_CHECK_MESSAGE =
  'must be an http:// or https:// URL such as "http://{stack}.example.com/healthz" ({stack} and {namespace} are replaced)';

/** Whether `value`, its placeholders filled, is an absolute http or https URL with a host. */
function httpUrl(value: string): boolean {
  try {
    const url = new URL(value.replace(/\{(stack|namespace)\}/g, "x"));
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/**
 * The fields every operation takes.
 */
export const commonFields = {
  operationId: z
    .string({ error: "must be 1-100 letters, digits, '.', '_' or '-'" })
    .regex(/^[A-Za-z0-9._-]{1,100}$/, { error: "must be 1-100 letters, digits, '.', '_' or '-'" })
    .optional()
    .describe("Resume this operation."),
  concurrency: intBetween(1, CONCURRENCY_MAX).optional().describe("Stacks at once (default 2)."),
};

/**
 * The fields of the operations.
 */
export const operationFields = {
  tenants: z
    .array(TenantNameSchema, { error: "must be a list of tenant names" })
    .optional()
    .describe("The stacks serving these tenants; all when omitted."),
  destroyTenants: z
    .array(TenantNameSchema, { error: "must be a list of tenant names" })
    .min(1, { error: "must list at least one tenant" })
    .describe("The tenants whose stacks are destroyed (a shared stack only with all its tenants)."),
  stack: text(100).describe("The stack recovered."),
  version: VersionSchema.describe("The app version rolled out."),
  canary: intBetween(0, WAVE_MAX).optional().describe("Stacks of the first wave (default 1)."),
  waveSize: intBetween(1, WAVE_MAX).optional().describe("Stacks of each later wave (default 5)."),
  httpCheckUrl: z
    .string({ error: HTTP_CHECK_MESSAGE })
    .refine(httpUrl, { error: HTTP_CHECK_MESSAGE })
    .optional()
    .describe("A URL that must answer 2xx once a stack's workloads are ready; `{stack}` and `{namespace}` are replaced."),
  migrateTenant: TenantNameSchema.describe("The tenant moved."),
  to: oneOf(PLANS).optional().describe("The plan it moves to; with `rollback`, defaults to the plan it came from."),
  cluster: z.string().optional().describe("Target cluster, one of the driver's clusters (default: the tenant's)."),
  settings: z
    .record(z.string(), z.unknown(), { error: "must be a map of stack settings" })
    .optional()
    .describe("Settings of a dedicated target stack."),
  deletedTenant: TenantNameSchema.describe("The tenant deleted."),
  destroy: flag()
    .optional()
    .describe(
      "Destroy the tenant's dedicated stack (or update its shared stack without it) before deleting it, as one journaled operation; " +
        "without it a tenant whose stack is live is refused.",
    ),
  destroyData: flag().optional().describe("With `destroy`: destroy protected data too."),
  updatedTenant: TenantNameSchema.describe("The tenant updated."),
  updateDryRun: flag().optional().describe("Only preview the tenant's stack with the change; nothing is stored."),
};

const f = operationFields;

/** `forceDestroyData` destroys what `destroy` destroys: without it, it would do nothing. */
function destroyDataNeedsDestroy(request: { destroy?: boolean; forceDestroyData?: boolean }, ctx: z.RefinementCtx): void {
  if (request.forceDestroyData === true && request.destroy !== true)
    ctx.addIssue({
      code: "custom",
      path: ["forceDestroyData"],
      input: request.forceDestroyData,
      message: "needs `destroy`: only a stack being destroyed loses its data",
    });
}

/**
 * Every operation the API starts.
 */
export const OperationRequestSchema = z.discriminatedUnion(
  "kind",
  [
    settings({ kind: z.literal("provision"), tenant: TenantInputSchema, ...commonFields }),
    settings({
      kind: z.literal("preview"),
      tenants: f.tenants,
      savePlan: flag().optional().describe("Save each plan for an approved up."),
      ...commonFields,
    }),
    settings({
      kind: z.literal("up"),
      tenants: f.tenants,
      savedPlan: flag().optional().describe("Apply exactly the saved plan."),
      ...commonFields,
    }),
    settings({ kind: z.literal("refresh"), tenants: f.tenants, ...commonFields }),
    settings({ kind: z.literal("outputs"), tenants: f.tenants, ...commonFields }),
    settings({
      kind: z.literal("destroy"),
      tenants: f.destroyTenants,
      forceDestroyData: flag().optional().describe("Destroy protected data too."),
      ...commonFields,
    }),
    settings({ kind: z.literal("recover"), stack: f.stack, ...commonFields }),
    settings({
      kind: z.literal("fleet-upgrade"),
      version: f.version,
      tenants: f.tenants,
      canary: f.canary,
      waveSize: f.waveSize,
      rollback: flag().optional().describe("Roll a stack that fails back to its previous version."),
      httpCheckUrl: f.httpCheckUrl,
      ...commonFields,
    }),
    settings({
      kind: z.literal("migrate"),
      tenant: f.migrateTenant,
      to: f.to,
      cluster: f.cluster,
      settings: f.settings,
      dryRun: flag().optional().describe("Only plan: steps, stacks touched, data sizes."),
      rollback: flag().optional().describe("Move the tenant back while its last migration's source copy is kept."),
      ...commonFields,
    }),
    settings({
      kind: z.literal("delete-tenant"),
      tenant: f.deletedTenant,
      destroy: f.destroy,
      forceDestroyData: f.destroyData,
      ...commonFields,
    }).superRefine(destroyDataNeedsDestroy),
    settings({
      kind: z.literal("update-tenant"),
      tenant: f.updatedTenant,
      patch: TenantPatchSchema,
      dryRun: f.updateDryRun,
      ...commonFields,
    }),
    settings({
      kind: z.literal("gc"),
      now: z.iso
        .datetime({ error: 'must be an ISO 8601 time such as "2026-12-02T10:00:00Z"' })
        .optional()
        .describe("The time grace periods are compared with (default: now)."),
      ...commonFields,
    }),
  ],
  {
    error:
      'must be one of "provision", "preview", "up", "refresh", "outputs", "destroy", "recover", "fleet-upgrade", "migrate", "delete-tenant", "update-tenant", "gc"',
  },
);

/**
 * Which operations a listing shows (`GET /operations`, `tenantstack operation list`, the journal's
 * `list`), newest first.
 */
export const OperationListQuerySchema = settings({
  status: oneOf(OPERATION_STATUSES).optional().describe("Only operations in this state."),
  kind: oneOf(OPERATION_KINDS).optional().describe("Only operations of this kind."),
  limit: intBetween(1, OPERATION_LIST_MAX).optional().describe("Most operations shown (default 50)."),
});

/**
 * Options of a resume (`POST /operations/{id}/resume`, `tenantstack operation resume`): the operation's
 * own parameters come from the journal; only how many stacks run at once may differ.
 */
export const ResumeOptionsSchema = settings({ concurrency: commonFields.concurrency });

// The library's options: the same fields beside its callbacks (`onEvent`, `signal`), which are not data.

/**
 * Options of an operation on stacks (`preview`, `up`, `refresh`, `outputs`, `recover`, `provision`).
 */
export const OperationOptionsSchema = z.object({ ...commonFields, tenants: f.tenants, plan: flag().optional() });

/**
 * Options of a destroy.
 */
export const DestroyOptionsSchema = z.object({ ...commonFields, tenants: f.destroyTenants, forceDestroyData: flag().optional() });

/**
 * How a fleet is split into waves.
 */
export const WaveOptionsSchema = z.object({ canary: f.canary, waveSize: f.waveSize });

/**
 * Options of a fleet upgrade.
 */
export const FleetUpgradeOptionsSchema = z.object({
  ...commonFields,
  ...WaveOptionsSchema.shape,
  version: f.version,
  tenants: f.tenants,
  rollback: flag().optional(),
  health: z
    .object(
      {
        kubeconfig: text(4096).optional(),
        timeoutMs: intBetween(1000, 3_600_000).optional(),
        httpCheckUrl: f.httpCheckUrl,
      },
      { error: "must be the health gate's options" },
    )
    .optional(),
});

/**
 * Options of a tenant migration.
 */
export const MigrateOptionsSchema = z.object({
  ...commonFields,
  tenant: f.migrateTenant,
  to: f.to,
  cluster: f.cluster,
  settings: f.settings,
  dryRun: flag().optional(),
  rollback: flag().optional(),
});

/**
 * Options of gc.
 */
export const GcOptionsSchema = z.object({
  ...commonFields,
  now: z.date({ error: "must be a valid Date" }).optional(),
});

/**
 * Options of a tenant's deletion (with its name).
 */
export const DeleteTenantOptionsSchema = z
  .object({ ...commonFields, tenant: f.deletedTenant, destroy: f.destroy, forceDestroyData: f.destroyData })
  .superRefine(destroyDataNeedsDestroy);

/**
 * Options of a tenant's update (with its name and the patch).
 */
export const UpdateTenantOptionsSchema = z.object({
  ...commonFields,
  tenant: f.updatedTenant,
  patch: TenantPatchSchema,
  dryRun: f.updateDryRun,
});
