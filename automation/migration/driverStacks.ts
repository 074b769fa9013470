/** The stacks' side of a tenant migration, with the driver's stacks and registry. */
import type { DataEndpoints } from "./data/settings";
import type { MigrationStacks } from "./data/stacks";
import { type JobScope, type MigrationContext, inTransaction, upStack } from "./context";
import { retireCopy } from "./spareCopy";

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
 * Implements the data layer's stack side: the routing switch moves the tenant's host from the
 * source's Ingress to the target's (source `up` first: one Ingress at a time claims a host, as
 * ingress controllers require, and the target's certificate is requested only once the host routes
 * there), and the registry records the tenant's new plan between the two `up`s.
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
    if (migration.phase === "copying") await records.setPhase(operationId, "unrouting");
    if (migration.phase === "copying" || migration.phase === "unrouting") {
      await upStack(this.context, this.scope, `${this.sourceStack}:unroute`, this.sourceStack);
      await inTransaction(this.context, async (registry, transaction) => {
        await registry.place(tenant, migration.target);
        await transaction.setPhase(operationId, "switched");
      });
    }
    await upStack(this.context, this.scope, `${this.targetStack}:route`, this.targetStack);
  }

  async markTargetFailed(): Promise<void> {
    await this.context.records.setPhase(this.args.operationId, "failed");
  }

  async markSourceForRemoval(tenant: string, notBefore: Date): Promise<void> {
    await retireCopy(this.args.source, tenant, this.args.migrationId);
    await this.context.records.setPhase(this.args.operationId, "switched", notBefore.toISOString());
  }
}
