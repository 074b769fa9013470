/**
 * The operation a validated request stands for — the body of `POST /operations`, or the request the
 * CLI builds from its flags — run on a driver: one mapping from the input model to the library, for
 * both surfaces.
 */
import type { Driver, OperationResult } from "./driver";
import { InputError, OperationNotFoundError } from "./errors";
import type { FleetUpgradeResult } from "./fleet/upgrade";
import type { GcResult } from "./migration/gc";
import type { MigrationResult } from "./migration/migrate";
import type { TenantDeletion } from "./tenants/deleteTenant";
import type { TenantUpdate } from "./tenants/updateTenant";
import type { OperationRequest, TenantFields, TenantPatch } from "./types";
import type { OperationOptions } from "./operations/events";
import type { StackJob } from "./operations/stackJob";

/** What an operation request returned, by its kind. */
export type RequestOutcome =
  | { readonly kind: "fleet-upgrade"; readonly result: FleetUpgradeResult }
  | { readonly kind: "migrate"; readonly result: MigrationResult }
  | { readonly kind: "gc"; readonly result: GcResult }
  | { readonly kind: "delete-tenant"; readonly result: TenantDeletion }
  | { readonly kind: "update-tenant"; readonly result: TenantUpdate }
  | {
      readonly kind: Exclude<OperationRequest["kind"], "fleet-upgrade" | "migrate" | "gc" | "delete-tenant" | "update-tenant">;
      readonly result: OperationResult;
    };

/**
 * Runs the operation `request` asks for; `options` adds the callbacks (and may fix the operation id,
 * else the request's is used).
 */
export async function runRequest(driver: Driver, request: OperationRequest, options: OperationOptions = {}): Promise<RequestOutcome> {
  const common = { ...options, operationId: options.operationId ?? request.operationId, concurrency: request.concurrency };
  switch (request.kind) {
    case "provision":
      return { kind: request.kind, result: await driver.provision(request.tenant, common) };
    case "preview":
      return { kind: request.kind, result: await driver.preview({ ...common, tenants: request.tenants, plan: request.savePlan }) };
    case "up":
      return { kind: request.kind, result: await driver.up({ ...common, tenants: request.tenants, plan: request.savedPlan }) };
    case "refresh":
      return { kind: request.kind, result: await driver.refresh({ ...common, tenants: request.tenants }) };
    case "outputs":
      return { kind: request.kind, result: await driver.outputs({ ...common, tenants: request.tenants }) };
    case "destroy":
      return {
        kind: request.kind,
        result: await driver.destroy({ ...common, tenants: request.tenants, forceDestroyData: request.forceDestroyData }),
      };
    case "recover":
      return { kind: request.kind, result: await driver.recover(request.stack, common) };
    case "fleet-upgrade":
      return {
        kind: request.kind,
        result: await driver.fleetUpgrade({
          ...common,
          version: request.version,
          tenants: request.tenants,
          canary: request.canary,
          waveSize: request.waveSize,
          rollback: request.rollback,
          ...(request.httpCheckUrl ? { health: { httpCheckUrl: request.httpCheckUrl } } : {}),
        }),
      };
    case "migrate":
      return {
        kind: request.kind,
        result: await driver.migrate({
          ...common,
          tenant: request.tenant,
          to: request.to,
          cluster: request.cluster,
          settings: request.settings,
          dryRun: request.dryRun,
          rollback: request.rollback,
        }),
      };
    case "delete-tenant":
      return {
        kind: request.kind,
        result: await driver.deleteTenant(request.tenant, {
          ...common,
          destroy: request.destroy,
          forceDestroyData: request.forceDestroyData,
        }),
      };
    case "update-tenant":
      return {
        kind: request.kind,
        result: await driver.updateTenant(request.tenant, request.patch, { ...common, dryRun: request.dryRun }),
      };
    case "gc":
      return { kind: request.kind, result: await driver.gc({ ...common, ...(request.now ? { now: new Date(request.now) } : {}) }) };
  }
}

/** The journaled kinds of the operations on stacks, whose parameters are their stacks and jobs. */
const STACK_KINDS = ["preview", "up", "refresh", "outputs", "destroy", "recover"] as const;

/**
 * The request that resumes journaled operation `id` with the parameters it was started with (a
 * provision resumes as the `up` of its stack, the tenant being registered already; a tenant's update
 * or deletion with its patch or options): run with `operationId: id`, finished steps are skipped, and
 * the journal refuses it if the registry no longer gives the same stacks and settings. An unknown id is an OperationNotFoundError; a succeeded
 * operation or a dry run is refused, there is nothing to resume.
 */
export async function resumeRequest(driver: Driver, id: string): Promise<OperationRequest> {
  const operation = await driver.journal.get(id);
  if (!operation) throw new OperationNotFoundError(id);
  const refuse = (why: string) => new InputError("operation resume", [`operation "${id}" (${operation.kind}) ${why}`]);
  if (operation.status === "succeeded") throw refuse("succeeded: there is nothing to resume");
  const params = operation.params;
  const kind = operation.kind as OperationRequest["kind"] | "migrate-plan";
  switch (kind) {
    case "migrate-plan":
      throw refuse("is a migration's dry run: there is nothing to resume; start the migration itself");
    case "fleet-upgrade":
      return {
        kind,
        version: params.version as string,
        ...(Array.isArray(params.tenants) ? { tenants: params.tenants as string[] } : {}),
        canary: params.canary as number,
        waveSize: params.waveSize as number,
        rollback: params.rollback as boolean,
        ...(typeof params.httpCheckUrl === "string" ? { httpCheckUrl: params.httpCheckUrl } : {}),
      };
    case "migrate":
      return {
        kind,
        tenant: params.tenant as string,
        to: params.to as "shared" | "dedicated",
        cluster: params.cluster as string,
        rollback: params.rollback as boolean,
      };
    case "gc":
      return { kind, now: params.now as string };
    case "provision":
      // The tenant as it was first given: its registration step is done once, its stack's up resumes.
      return { kind, tenant: params.tenant as TenantFields };
    case "delete-tenant":
      return {
        kind,
        tenant: params.tenant as string,
        destroy: params.destroy as boolean,
        forceDestroyData: params.forceDestroyData as boolean,
      };
    case "update-tenant":
      if (params.dryRun === true) throw refuse("is a dry run: there is nothing to resume; run the update again");
      return { kind, tenant: params.tenant as string, patch: params.patch as TenantPatch, dryRun: false };
    default:
      break;
  }
  if (!(STACK_KINDS as readonly string[]).includes(kind)) throw refuse("is of a kind this driver cannot resume");
  const names = params.stacks as string[];
  const jobs = params.jobs as StackJob[];
  if (kind === "recover") return { kind, stack: names[0] };
  // The stacks' tenants ask for the same stacks again: a stack serves all of its tenants, and a
  // migrating tenant is in two stacks, so only tenants served by none but these stacks are named.
  const fleet = await driver.registry.stacks();
  const servedOnlyHere = (tenant: string) => fleet.filter((s) => s.tenants.includes(tenant)).every((s) => names.includes(s.name));
  const tenants = [...new Set(fleet.filter((s) => names.includes(s.name)).flatMap((s) => s.tenants.filter(servedOnlyHere)))];
  const asked = fleet.filter((s) => s.tenants.some((t) => tenants.includes(t))).map((s) => s.name);
  if (JSON.stringify(asked) !== JSON.stringify(names))
    throw refuse(`worked on stacks (${names.join(", ")}) the registry no longer serves as they were: start a new operation`);
  // A flag is given back as it was given (omitted, false or true): the journal compares the jobs it makes.
  const given = <K extends "plan" | "forceDestroyData", F extends string>(key: K, field: F) =>
    (jobs[0]?.[key] !== undefined ? { [field]: jobs[0][key] } : {}) as { [P in F]?: boolean };
  switch (kind) {
    case "preview":
      return { kind, tenants, ...given("plan", "savePlan") };
    case "up":
      return { kind, tenants, ...given("plan", "savedPlan") };
    case "destroy":
      return { kind, tenants, ...given("forceDestroyData", "forceDestroyData") };
    default:
      return { kind: kind as "refresh" | "outputs", tenants };
  }
}
