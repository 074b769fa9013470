/**
 * The operation a validated request stands for — the body of `POST /operations`, or the request the
 * CLI builds from its flags — run on a driver: one mapping from the input model to the library, for
 * both surfaces.
 */
import type { Driver, OperationResult } from "./driver";
import type { FleetUpgradeResult } from "./fleet/upgrade";
import type { GcResult } from "./migration/gc";
import type { MigrationResult } from "./migration/migrate";
import type { TenantDeletion } from "./tenants/deleteTenant";
import type { TenantUpdate } from "./tenants/updateTenant";
import type { OperationRequest } from "./types";
import type { OperationOptions } from "./operations/events";

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
