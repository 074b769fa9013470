/**
 * A tenant's deletion. Its stack must not be left running with no tenant to reach it: a tenant whose
 * stack is live (holds resources, as `pulumi stack ls` counts them in the backend) is refused with
 * `TenantStackLiveError`, unless `destroy` asks to take the stack down first — its dedicated stack
 * destroyed, or its shared stack updated without it (destroyed, were it the last tenant) — and then
 * delete the registration, as one journaled operation a re-run of its id resumes.
 */
import { randomUUID } from "node:crypto";
import { DeleteTenantOptionsSchema } from "../../schema/operations";
import { CancelledError, InputError, TenantStackLiveError } from "../errors";
import { parseInput } from "../input";
import { OperationJournal } from "../journal/journal";
import { runOperationStep } from "../journal/runStep";
import type { OperationOptions } from "../operations/events";
import { jobTarget, type StackJob } from "../operations/stackJob";
import { reportedStep, stackOutcome, type StackOutcome } from "../operations/stackRunner";
import { migrationHold } from "../registry/migrationRecords";
import { TenantRegistry } from "../registry/registry";
import { checkStack, fleetStacks, type FleetStack } from "../registry/tenant";
import { emitterOf, finishedRerun, statusOf, type TenantContext, type TenantOperationStatus } from "./context";

/** Options of a tenant's deletion. */
export interface DeleteTenantOptions extends OperationOptions {
  /**
   * Take the tenant's stack down first: its dedicated stack destroyed, or its shared stack updated
   * without it (destroyed, were it the last tenant); then delete the tenant. One journaled operation.
   * Without it, a tenant whose stack is live is refused (`TenantStackLiveError`) and nothing changes.
   * @default false
   */
  readonly destroy?: boolean;
  /**
   * With `destroy`: destroy a stack that holds protected data (Postgres, Redis) too, as `destroy`'s
   * `forceDestroyData` does (the volume claims and the namespace are retained).
   * @default false
   */
  readonly forceDestroyData?: boolean;
}

/**
 * What a deletion does to the tenant's stack: `none` (the stack is not live), `destroyed` (its
 * dedicated stack, or the shared stack it was the last tenant of), `left` (the shared stack updated
 * without it).
 */
export type StackAction = "none" | "destroyed" | "left";

/** The result of a tenant's deletion. */
export interface TenantDeletion {
  readonly operationId: string;
  readonly kind: "delete-tenant";
  readonly status: TenantOperationStatus;
  /** Whether this run resumed an earlier one. */
  readonly resumed: boolean;
  readonly tenant: string;
  /** The stack that served it. */
  readonly stack: string;
  /** What was done (or, when the step failed, was to be done) to that stack. */
  readonly action: StackAction;
  /** The stack's step (empty when `action` is `none`). */
  readonly stacks: readonly StackOutcome[];
  /** Whether the tenant's registration is deleted: only once its stack step succeeded. */
  readonly deleted: boolean;
}

/** The journal step that deletes the registration (with the operation's result, in one transaction). */
const REGISTRY_STEP = "registry:delete";

/** The step name of each action on a stack. */
const STEP_OF: Record<Exclude<StackAction, "none">, string> = { destroyed: "destroy", left: "leave" };

/** The stack `tenant` is in, and that stack as it is without it (undefined when it was its only tenant). */
async function stacksOf(context: TenantContext, tenant: string): Promise<{ stack: FleetStack; without?: FleetStack }> {
  const [stack] = await context.registry.stacks([tenant]);
  const others = (await context.registry.list()).filter((t) => t.name !== tenant);
  return { stack, without: fleetStacks(others, await context.records.placements()).find((s) => s.name === stack.name) };
}

/** The action the operation takes: the one its journal started with on a re-run, else by the stack's liveness. */
async function actionOf(
  context: TenantContext,
  operationId: string,
  stack: FleetStack,
  live: boolean,
  alone: boolean,
): Promise<StackAction> {
  const steps = await context.journal.steps(operationId);
  const started = (Object.keys(STEP_OF) as (keyof typeof STEP_OF)[]).find((action) =>
    steps.some((s) => s.step === `${stack.name}:${STEP_OF[action]}`),
  );
  if (started) return started;
  return !live ? "none" : alone ? "destroyed" : "left";
}

/** Deletes a tenant; see the module's description. Everything is checked before anything is journaled or touched. */
export async function deleteTenant(context: TenantContext, name: string, options: DeleteTenantOptions = {}): Promise<TenantDeletion> {
  const { destroy = false, forceDestroyData = false } = parseInput(
    DeleteTenantOptionsSchema,
    { ...options, tenant: name },
    "deleteTenant options",
  );
  const params = { tenant: name, destroy, forceDestroyData };
  const rerun = await finishedRerun<TenantDeletion>(context, options, "delete-tenant", params, REGISTRY_STEP);
  if (rerun) return rerun;
  await context.registry.show(name);
  const held = migrationHold(await context.records.list(), name, "it is deleted");
  if (held) throw new InputError("tenant deletion", [held]);
  const { stack, without } = await stacksOf(context, name);
  const resources = (await context.resourceCounts()).get(stack.name) ?? 0;
  if (resources > 0 && !destroy) throw new TenantStackLiveError(name, stack.name, resources, stack.plan === "shared");
  // The shared stack it leaves is checked by the program's schema before it is touched.
  if (resources > 0 && without) checkStack(without);

  const operationId = options.operationId ?? randomUUID();
  const emit = emitterOf(options);
  const { resumed } = await context.journal.begin(operationId, "delete-tenant", params);
  emit({ type: "operation", operationId, kind: "delete-tenant", status: resumed ? "resumed" : "started" });
  const action = await actionOf(context, operationId, stack, resources > 0, without === undefined);
  const stacks: StackOutcome[] = [];
  if (action !== "none" && !options.signal?.aborted) {
    const job: StackJob =
      action === "left"
        ? { kind: "up", ...jobTarget(without!), settings: without!.settings }
        : { kind: "destroy", ...jobTarget(stack), forceDestroyData };
    const scope = { operationId, emit, signal: options.signal };
    stacks.push(stackOutcome(stack.name, await reportedStep(context.runner, scope, `${stack.name}:${STEP_OF[action]}`, job)));
  }
  const status = statusOf(stacks, options);
  const result: TenantDeletion = {
    operationId,
    kind: "delete-tenant",
    status,
    resumed,
    tenant: name,
    stack: stack.name,
    action,
    stacks,
    deleted: status === "succeeded",
  };
  if (status === "succeeded") {
    // The registration goes with the journal's record of it: a crash leaves both or neither.
    await context.db.transaction(async (tx) => {
      const journal = new OperationJournal(tx);
      await runOperationStep(journal, operationId, REGISTRY_STEP, async () => {
        await new TenantRegistry(tx).delete(name);
        return { stack: stack.name, action };
      });
      await journal.finish(operationId, status, result);
    });
  } else {
    await context.journal.finish(operationId, status, result);
  }
  emit({ type: "operation", operationId, kind: "delete-tenant", status });
  if (status === "cancelled") throw Object.assign(new CancelledError(operationId), { result });
  return result;
}
