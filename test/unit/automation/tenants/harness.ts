/**
 * A real Driver (SQLite registry and journal, the real workspace factory) on the stand-in Pulumi CLI,
 * whose stack jobs run on a recording executor that keeps the fake backend's stacks as the real jobs
 * would leave them: an up makes a stack live, a destroy empties it, and a destroy of a stack holding
 * protected data (the program's Postgres and Redis, in every stack) is refused unless forced.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Driver } from "../../../../automation/driver";
import { ProtectedResourcesError } from "../../../../automation/errors";
import type { Executor } from "../../../../automation/operations/executor";
import type { StackJob, StackJobKind, StackJobResult } from "../../../../automation/operations/stackJob";
import type { Tenant, TenantInput } from "../../../../automation/registry/tenant";
import { fakePulumiCli, setFakeStacks, tenantSettings } from "../fixtures";

/** Resources of a stack once up, as the fake backend counts them. */
export const UP_RESOURCES = 31;

/** Runs no engine: records each job and plays its effect on the fake backend's stacks. */
export class RecordingExecutor implements Executor {
  readonly jobs: StackJob[] = [];
  /** Errors the next jobs of each kind fail with, first first. */
  readonly failures: Partial<Record<StackJobKind, Error[]>> = {};

  constructor(
    private readonly pulumi: string,
    /** The fake backend's stacks and their resource counts. */
    readonly stacks: Record<string, number> = {},
  ) {
    setFakeStacks(pulumi, stacks);
  }

  /** Sets a stack's resource count in the fake backend. */
  setStack(name: string, resources: number): void {
    this.stacks[name] = resources;
    setFakeStacks(this.pulumi, this.stacks);
  }

  async run(job: StackJob): Promise<StackJobResult> {
    this.jobs.push(job);
    const failure = this.failures[job.kind]?.shift();
    if (failure) throw failure;
    if (job.kind === "destroy") {
      if ((this.stacks[job.stack] ?? 0) > 0 && !job.forceDestroyData) throw new ProtectedResourcesError(job.stack, ["postgres", "redis"]);
      this.setStack(job.stack, 0);
    }
    if (job.kind === "up") this.setStack(job.stack, UP_RESOURCES);
    const changes = { creates: 0, updates: 1, replaces: 0, deletes: 0, same: UP_RESOURCES - 1, resources: [], statefulReplacements: [] };
    return { stack: job.stack, kind: job.kind, durationMs: 1, ...(job.kind === "preview" ? { changes } : {}) };
  }

  async close(): Promise<void> {}
}

/** A driver on the fake CLI and a recording executor, in a temporary state directory. */
export interface LifecycleHarness {
  readonly driver: Driver;
  readonly executor: RecordingExecutor;
  /** The fake CLI. */
  readonly pulumi: string;
  readonly stateDir: string;
  /** Closes the driver and removes the state directory. */
  close(): Promise<void>;
}

export const PASSPHRASE = "unit-test-passphrase";

export async function lifecycleHarness(): Promise<LifecycleHarness> {
  const stateDir = mkdtempSync(path.join(tmpdir(), "tenantstack-lifecycle-"));
  const pulumi = fakePulumiCli(path.join(stateDir, "fake-pulumi"));
  const executor = new RecordingExecutor(pulumi);
  const driver = await Driver.open({ workspace: { stateDir, pulumiPath: pulumi, passphrase: PASSPHRASE }, executor });
  return {
    driver,
    executor,
    pulumi,
    stateDir,
    close: async () => {
      await driver.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** A tenant of the tests, with the small settings of the driver's tests. */
export function tenantInput(name: string, plan: "dedicated" | "shared" = "dedicated"): TenantInput {
  return { name, host: `${name}.example.com`, plan, version: "1.0.0", settings: tenantSettings() };
}

/** A registered tenant's settings, to read back. */
export function settingsOf(tenant: Tenant): Record<string, any> {
  return tenant.settings;
}
