/** The driver's side of a migration, recorded: a drain and stacks that fail on demand. */
import type { Drain, MigrationStacks } from "../../../../automation/migration/data";
import type { Checkpoint } from "../../../../automation/journal/steps";

/** Calls made, in order, and methods that fail their next call. */
export class Recorder {
  readonly calls: string[] = [];
  private readonly failing = new Set<string>();

  /** Makes the next call of `method` throw. */
  failNext(method: string): void {
    this.failing.add(method);
  }

  record(call: string, method: string): void {
    if (this.failing.delete(method)) throw new Error(`injected failure of ${method}`);
    this.calls.push(call);
  }
}

export class FakeDrain implements Drain {
  constructor(readonly recorder: Recorder) {}

  async drain(tenant: string, previous: Checkpoint | undefined, save: (checkpoint: Checkpoint) => Promise<void>): Promise<Checkpoint> {
    const checkpoint = previous ?? { replicas: { worker: 2 } };
    await save(checkpoint);
    this.recorder.record(`drain ${tenant}`, "drain");
    return checkpoint;
  }

  async undrain(tenant: string, checkpoint: Checkpoint | undefined): Promise<void> {
    this.recorder.record(`undrain ${tenant} ${JSON.stringify(checkpoint)}`, "undrain");
  }
}

export class FakeStacks implements MigrationStacks {
  readonly sourceStack = "dev-shared";
  readonly targetStack = "dev-acme";
  constructor(readonly recorder: Recorder) {}

  async switchRouting(tenant: string): Promise<void> {
    this.recorder.record(`switch ${tenant}`, "switchRouting");
  }

  async markTargetFailed(tenant: string, reason: string): Promise<void> {
    this.recorder.record(`failed ${tenant}: ${reason}`, "markTargetFailed");
  }

  async markSourceForRemoval(tenant: string, notBefore: Date): Promise<void> {
    this.recorder.record(`remove ${tenant} after ${notBefore.toISOString()}`, "markSourceForRemoval");
  }
}
