import { type DataStep, dataStepHandlers } from "./dataSteps";
import { MigrationStateError } from "./errors";
import type { StepHandler } from "../../journal/runStep";
import { progressOf, type StepJournal, type StepRecord } from "../../journal/steps";
import { abandonPostgresCopy } from "./postgres/copy";
import { abandonRedisCopy } from "./redis/copy";
import { type MigrationSettings, parseMigrationSettings } from "./settings";
import type { Drain, MigrationStacks } from "./stacks";
import { type Log, runMigrationStep, type StepName, STEPS } from "./steps";

/** Default time the source's copy is kept after the switch: 7 days. */
export const DEFAULT_REMOVAL_GRACE_MS = 7 * 24 * 3600 * 1000;

/** Arguments of {@link Migration}. */
export interface MigrationArgs {
  /** Settings, validated as `MigrationSettings` (see `settings.ts`). */
  readonly settings: unknown;
  /** Where the steps are recorded; one journal per migration. */
  readonly journal: StepJournal<StepName>;
  /** Stops and restarts the tenant's writes on the source. */
  readonly drain: Drain;
  /** The stacks' side: routing switch, failure and removal marks. */
  readonly stacks: MigrationStacks;
  /**
   * What runs the data steps (copyPostgres, copyRedis, verify), such as Kubernetes Jobs next to the data.
   * @default - they run in this process
   */
  readonly dataSteps?: Record<DataStep, StepHandler>;
  /**
   * How long the source's copy is kept after the switch, in milliseconds.
   * @default 604800000 (7 days)
   */
  readonly removalGraceMs?: number;
  /**
   * Where progress lines go.
   * @default - nowhere
   */
  readonly log?: Log;
}

/**
 * One tenant migration's steps, each idempotent and journaled: `run` resumes after the last done
 * step, `rollback` (before the routing switch) leaves the source serving with its data untouched.
 */
export class Migration {
  /** The validated settings. */
  readonly settings: MigrationSettings;
  private readonly handlers: Record<StepName, StepHandler>;

  constructor(private readonly args: MigrationArgs) {
    this.settings = parseMigrationSettings(args.settings);
    const { tenant } = this.settings;
    const log = args.log ?? (() => undefined);
    const grace = args.removalGraceMs ?? DEFAULT_REMOVAL_GRACE_MS;
    this.handlers = {
      drain: (previous, save) => args.drain.drain(tenant, previous, save),
      ...(args.dataSteps ?? dataStepHandlers(this.settings, log)),
      switch: async () => {
        await args.stacks.switchRouting(tenant);
        return {};
      },
      undrain: async () => {
        await args.drain.undrain(tenant, progressOf(await args.journal.get("drain")).checkpoint);
        return {};
      },
      markForRemoval: async (previous) => {
        const notBefore = typeof previous?.notBefore === "string" ? previous.notBefore : new Date(Date.now() + grace).toISOString();
        await args.stacks.markSourceForRemoval(tenant, new Date(notBefore));
        return { notBefore };
      },
    };
  }

  /** Runs the steps not yet done, in order, through `until` (inclusive) or to the end; throws the first failure. */
  async run(until: StepName = "markForRemoval"): Promise<void> {
    for (const step of STEPS.slice(0, STEPS.indexOf(until) + 1)) await this.runStep(step);
  }

  /** Runs one step (skipped when done). */
  runStep(step: StepName): Promise<unknown> {
    return runMigrationStep(this.args.journal, step, this.handlers[step]);
  }

  /** The journal's record of every step. */
  async status(): Promise<Record<StepName, StepRecord | undefined>> {
    const records = await Promise.all(STEPS.map(async (step) => [step, await this.args.journal.get(step)] as const));
    return Object.fromEntries(records) as Record<StepName, StepRecord | undefined>;
  }

  /**
   * Rolls back before the routing switch: marks the target's copies failed (a staging database is
   * dropped; no data of the source or the target is deleted), lets the tenant write on the source
   * again, marks the target failed, and records every started step `skipped` (rolled back: never run
   * again). Refused once the switch has started: moving back is then a migration back to the source.
   */
  async rollback(reason: string): Promise<void> {
    const records = await this.status();
    if (records.switch !== undefined) {
      throw new MigrationStateError(
        `The routing switch of tenant "${this.settings.tenant}" has started (${records.switch.status}): roll back with \`migrate --rollback\`, a migration back to the source.`,
      );
    }
    await abandonPostgresCopy(this.settings);
    await abandonRedisCopy(this.settings);
    if (records.drain !== undefined) await this.args.drain.undrain(this.settings.tenant, progressOf(records.drain).checkpoint);
    await this.args.stacks.markTargetFailed(this.settings.tenant, reason);
    for (const step of STEPS) {
      const record = records[step];
      if (record) await this.args.journal.record(step, "skipped", progressOf(record), record.attempts);
    }
  }
}
