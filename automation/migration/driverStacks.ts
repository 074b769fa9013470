/** The stacks' side of a tenant migration, with the driver's stacks and registry. */
import type { DataEndpoints } from "./data/settings";
import type { MigrationStacks } from "./data/stacks";
import { type JobScope, type MigrationContext, inTransaction, upStack } from "./context";
import { retireCopy } from "./spareCopy";

/**
 * Whether a stack update failed because the cluster refused a second Ingress claiming a host, as
 * ingress-nginx's validating webhook does (`host "..." and path "..." is already defined in ingress ns/name`).
 */
export function refusesSecondClaim(error: unknown): boolean {
  return /is already defined in ingress/.test(String((error as { message?: unknown })?.message ?? error));
}

/** Arguments of {@link DriverMigrationStacks}. */
export interface DriverMigrationStacksArgs {
  /** The migration's operation id (its row in the migration records). */
  readonly operationId: string;
  /** The data layer's migration id (marks the copies). */
  readonly migrationId: string;
  readonly sourceStack: string;
  readonly targetStack: string;
  /** The source stack's data servers (its copy is marked for removal after the switch). */
  readonly source: DataEndpoints;
}

/**
 * Implements the data layer's stack side. The routing switch hands the tenant's host over from the
 * source's Ingress to the target's without a moment in which it reaches no pod that serves it: the
 * target's pods first serve the tenant, not routed (phase `serving`: their rollout is over before any
 * request comes), then the target's Ingress claims the host too (phase `routing`: both claim it; the
 * source, fenced, answers reads and refuses writes as read-only, the target serves the verified
 * copy), the registry records the tenant's new plan (`switched`), and the source's Ingress lets the
 * host go while its pods keep serving the tenant, fenced. A cluster that refuses two Ingresses
 * claiming one host (ingress-nginx's admission webhook) gets the other order (phase `unrouting`): the
 * source lets the host go, then the target claims it; for the time of the target's `up` (its pods
 * serving already, only its Ingress changes) the host reaches no stack. Migrations recorded
 * `unrouting` by earlier drivers resume that way too.
 */
export class DriverMigrationStacks implements MigrationStacks {
  readonly sourceStack: string;
  readonly targetStack: string;

  constructor(
    private readonly context: MigrationContext,
    private readonly scope: JobScope,
    private readonly args: DriverMigrationStacksArgs,
  ) {
    this.sourceStack = args.sourceStack;
    this.targetStack = args.targetStack;
  }

  /** Creates or updates the target stack with the tenant's copy not routed (step `<target>:provision`). */
  provisionTarget(): Promise<void> {
    return upStack(this.context, this.scope, `${this.targetStack}:provision`, this.targetStack);
  }

  async switchRouting(tenant: string): Promise<void> {
    const { records } = this.context;
    const { operationId } = this.args;
    const migration = await records.get(operationId);
    if (!migration) throw new Error(`migration ${operationId} is not recorded`);
    const route = () => upStack(this.context, this.scope, `${this.targetStack}:route`, this.targetStack);
    const unroute = () => upStack(this.context, this.scope, `${this.sourceStack}:unroute`, this.sourceStack);
    // Each stack step is journaled: a resumed switch skips the `up`s already done.
    let phase = migration.phase;
    if (phase === "copying") await records.setPhase(operationId, (phase = "serving"));
    if (phase === "serving") {
      await upStack(this.context, this.scope, `${this.targetStack}:serve`, this.targetStack);
      await records.setPhase(operationId, (phase = "routing"));
    }
    if (phase === "routing") {
      try {
        await route();
      } catch (error) {
        if (!refusesSecondClaim(error)) throw error;
        // The cluster allows one Ingress per host (ingress-nginx's admission webhook): the source lets it go first.
        await records.setPhase(operationId, (phase = "unrouting"));
      }
    }
    if (phase === "unrouting") await unroute();
    if (phase === "routing" || phase === "unrouting") {
      await inTransaction(this.context, async (registry, transaction) => {
        await registry.place(tenant, migration.target);
        await transaction.setPhase(operationId, "switched");
      });
    }
    await route();
    await unroute();
  }

  async markTargetFailed(): Promise<void> {
    await this.context.records.setPhase(this.args.operationId, "failed");
  }

  async markSourceForRemoval(tenant: string, notBefore: Date): Promise<void> {
    await retireCopy(this.args.source, tenant, this.args.migrationId);
    await this.context.records.setPhase(this.args.operationId, "switched", notBefore.toISOString());
  }
}
