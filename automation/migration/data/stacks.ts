import type { Checkpoint } from "../../journal/steps";

/**
 * Stops and restarts the tenant's writes on the source. The driver chooses the implementation;
 * {@link KubernetesDrain} is the one for stacks of this repository.
 */
export interface Drain {
  /**
   * Stops the tenant's writes and resolves once no writer is left. `previous` is the checkpoint of
   * an earlier attempt (a rerun must keep what it recorded); resolves what {@link Drain.undrain} needs.
   * What undrain needs must be given to `save` (durable once it resolves) before anything changes:
   * a process killed after a change but before the step ends leaves only what was saved.
   */
  drain(tenant: string, previous: Checkpoint | undefined, save: (checkpoint: Checkpoint) => Promise<void>): Promise<Checkpoint>;
  /** Lets the tenant write again, undoing {@link Drain.drain} with its checkpoint. Idempotent. */
  undrain(tenant: string, checkpoint: Checkpoint | undefined): Promise<void>;
}

/**
 * The Pulumi side of a migration, implemented by the driver with its stacks (out of this module's
 * scope): provisioning the target happens before the migration's steps; these are called by them.
 * Each method is idempotent.
 */
export interface MigrationStacks {
  /** The stack that serves the tenant now, for plans and logs. */
  readonly sourceStack: string;
  /** The stack the tenant moves to. */
  readonly targetStack: string;
  /** Routes the tenant's host (with its TLS certificate) to the target stack's ingress. */
  switchRouting(tenant: string): Promise<void>;
  /** Records that the target's copy of the tenant is failed after a rollback; the source keeps serving. */
  markTargetFailed(tenant: string, reason: string): Promise<void>;
  /** Records that the source's copy of the tenant may be removed by a later `gc`, not before `notBefore`. */
  markSourceForRemoval(tenant: string, notBefore: Date): Promise<void>;
}
