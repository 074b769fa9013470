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
 * Implements the data layer's stack side. The routing switch hands the tenant's host over from the
 * source's Ingress to the target's without a moment in which no stack routes it: the target claims
 * the host first (phase `routing`: both claim it; the source, fenced, answers reads and refuses
 * writes as read-only, the target serves the verified copy), the registry then records the tenant's
 * new plan (`switched`), and the source lets the host go. Migrations recorded `unrouting` by earlier
 * drivers (the source unrouted first) resume in their own order.
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
    if (migration.phase === "copying") await records.setPhase(operationId, "routing");
    if (migration.phase !== "switched") {
      // Each stack step is journaled: a resumed switch skips the `up` already done.
      await (migration.phase === "unrouting" ? unroute() : route());
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
