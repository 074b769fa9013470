/**
 * A tenant's update: a JSON merge patch of its fields (host, version, region, settings), the tenant it
 * makes checked as at registration. It changes the registry; its stack follows at the next `up` of the
 * tenant. A dry run stores nothing and previews the tenant's stack with the change instead. Both are
 * journaled operations (`update-tenant`).
 */
import { randomUUID } from "node:crypto";
import { UpdateTenantOptionsSchema } from "../../schema/operations";
import { CancelledError } from "../errors";
import { parseInput } from "../input";
import { OperationJournal } from "../journal/journal";
import { runOperationStep } from "../journal/runStep";
import type { OperationOptions } from "../operations/events";
import { jobTarget } from "../operations/stackJob";
import { reportedStep, stackOutcome, type StackOutcome } from "../operations/stackRunner";
import type { TenantChange } from "../registry/registry";
import { fleetStacks, stackOf, type Tenant } from "../registry/tenant";
import type { TenantPatch } from "../types";
import { emitterOf, finishedRerun, statusOf, type TenantContext, type TenantOperationStatus } from "./context";

/** Options of a tenant's update. */
export interface UpdateTenantOptions extends OperationOptions {
  /**
   * Store nothing: preview the tenant's stack with the change instead (a journaled preview of that
   * one stack, its changes per resource in the result).
   * @default false
   */
  readonly dryRun?: boolean;
}

/** The result of a tenant's update. */
export interface TenantUpdate {
  readonly operationId: string;
  readonly kind: "update-tenant";
  readonly status: TenantOperationStatus;
  /** Whether this run resumed an earlier one. */
  readonly resumed: boolean;
  /** Whether it was a dry run: nothing stored, the stack previewed. */
  readonly dryRun: boolean;
  /** The tenant as updated (on a dry run, as it would be). */
  readonly tenant: Tenant;
  /** The paths of its fields that change (`host`, `settings.api.replicas`); empty when the patch changes nothing. */
  readonly changed: readonly string[];
  /** The stack the change reaches: on its next `up` (`up --tenant <name>`); previewed on a dry run. */
  readonly stack: string;
  /** The dry run's preview of that stack with the change (empty otherwise). */
  readonly stacks: readonly StackOutcome[];
}

/** The journal step that stores the change (with the operation's result, in one transaction). */
const REGISTRY_STEP = "registry:update";

/** The preview of the tenant's stack as the change makes it: stored nowhere but the stack's work directory's config. */
async function previewChange(
  context: TenantContext,
  change: TenantChange,
  operationId: string,
  options: OperationOptions,
): Promise<StackOutcome> {
  const fleet = (await context.registry.list()).map((t) => (t.name === change.after.name ? change.after : t));
  const stack = fleetStacks(fleet, await context.records.placements()).find((s) => s.name === stackOf(change.after))!;
  const scope = { operationId, emit: emitterOf(options), signal: options.signal };
  const job = { kind: "preview" as const, ...jobTarget(stack), settings: stack.settings };
  return stackOutcome(stack.name, await reportedStep(context.runner, scope, `${stack.name}:preview`, job));
}

/** Updates a tenant; see the module's description. Everything is checked before anything is journaled or touched. */
export async function updateTenant(
  context: TenantContext,
  name: string,
  patch: TenantPatch,
  options: UpdateTenantOptions = {},
): Promise<TenantUpdate> {
  const checked = parseInput(UpdateTenantOptionsSchema, { ...options, tenant: name, patch }, "updateTenant options");
  const dryRun = checked.dryRun ?? false;
  const params = { tenant: name, patch: checked.patch, dryRun };
  const rerun = await finishedRerun<TenantUpdate>(context, options, "update-tenant", params, REGISTRY_STEP);
  if (rerun) return rerun;
  const change = await context.registry.patched(name, checked.patch);

  const operationId = options.operationId ?? randomUUID();
  const emit = emitterOf(options);
  const { resumed } = await context.journal.begin(operationId, "update-tenant", params);
  emit({ type: "operation", operationId, kind: "update-tenant", status: resumed ? "resumed" : "started" });
  const stacks = dryRun && !options.signal?.aborted ? [await previewChange(context, change, operationId, options)] : [];
  const status = statusOf(stacks, options);
  const result = (stored: TenantChange): TenantUpdate => ({
    operationId,
    kind: "update-tenant",
    status,
    resumed,
    dryRun,
    tenant: stored.after,
    changed: stored.changed,
    stack: stackOf(stored.after),
    stacks,
  });
  let reported = result(change);
  if (!dryRun && status === "succeeded") {
    // Checked again and stored with the journal's record of it, in one transaction: both or neither.
    await context.registry.update(name, checked.patch, async (tx, stored) => {
      reported = result(stored);
      const journal = new OperationJournal(tx);
      await runOperationStep(journal, operationId, REGISTRY_STEP, async () => ({ changed: stored.changed }));
      await journal.finish(operationId, status, reported);
    });
  } else {
    await context.journal.finish(operationId, status, reported);
  }
  emit({ type: "operation", operationId, kind: "update-tenant", status });
  if (status === "cancelled") throw Object.assign(new CancelledError(operationId), { result: reported });
  return reported;
}
