/**
 * A fleet upgrade's stacks, with stack jobs answered by a script (`scriptedDriver.ts`): a rollback
 * only where the stack had been deployed before the upgrade, and cancellation reported as such.
 */
import * as assert from "node:assert/strict";
import { CancelledError, StackOperationError } from "../../../automation/errors";
import type { DriverEvent } from "../../../automation/operations/events";
import type { StackJob } from "../../../automation/operations/stackJob";
import { dedicatedTenant } from "./fixtures";
import { jobResult, scriptedDriver, type ScriptedDriver } from "./scriptedDriver";

const tenant = dedicatedTenant;
/** The image tag a job deploys. */
const tagOf = (job: StackJob) =>
  String((job.settings?.api as { image?: string } | undefined)?.image)
    .split(":")
    .pop();
const stackEvents = (events: DriverEvent[]) => events.flatMap((e) => (e.type === "stack" ? [`${e.stack} ${e.status}`] : []));

describe("a fleet upgrade", () => {
  let scripted: ScriptedDriver;
  afterEach(() => scripted?.close());

  /** Stacks the worker would find deployed before a rollback's cutoff. */
  const deployed = new Set<string>();
  /** Answers as a worker would: the new version fails on `failing`, a rollback checks `deployed`. */
  const script = (failing: string) => async (job: StackJob) => {
    if (job.onlyIfDeployedBefore !== undefined && !deployed.has(job.stack)) return jobResult(job, { noEarlierDeployment: true });
    if (job.stack === failing && tagOf(job) === "2.0.0") throw new StackOperationError(job.stack, "up", "the new image is broken");
    return jobResult(job);
  };

  it("skips the rollback of a stack never deployed before it, saying so in the result and the events", async () => {
    deployed.clear();
    scripted = await scriptedDriver(script("dev-fresh"));
    await scripted.driver.registry.create(tenant("fresh"));
    const events: DriverEvent[] = [];
    const result = await scripted.driver.fleetUpgrade({ version: "2.0.0", rollback: true, onEvent: (e) => events.push(e) });

    assert.equal(result.status, "failed");
    assert.equal(result.failedStack, "dev-fresh");
    const [upgrade] = result.waves[0];
    assert.equal(upgrade.status, "failed");
    assert.equal(upgrade.error?.name, "StackOperationError");
    const started = (await scripted.driver.journal.get(result.operationId))!.createdAt;
    assert.deepEqual(upgrade.rollback, {
      status: "skipped",
      detail: `not rolled back: stack "dev-fresh" had no deployment before this upgrade began (${started}), so there is no version to return to; it stays as the failed upgrade left it`,
    });
    assert.deepEqual(stackEvents(events), [
      "dev-fresh started",
      "dev-fresh failed",
      "dev-fresh rolling-back",
      "dev-fresh rollback-skipped",
    ]);
    // The rollback job carried the upgrade's start as its cutoff, and the version the stack had.
    const rollback = scripted.executor.jobs[1];
    assert.equal(rollback.onlyIfDeployedBefore, started);
    assert.equal(tagOf(rollback), "1.0.0");
    assert.equal((await scripted.driver.registry.show("fresh")).version, "1.0.0", "the registry keeps its version");
  });

  it("rolls back a stack deployed before it to its previous version", async () => {
    deployed.clear();
    deployed.add("dev-old");
    scripted = await scriptedDriver(script("dev-old"));
    await scripted.driver.registry.create(tenant("old"));
    const events: DriverEvent[] = [];
    const result = await scripted.driver.fleetUpgrade({ version: "2.0.0", rollback: true, onEvent: (e) => events.push(e) });
    const [upgrade] = result.waves[0];
    assert.equal(upgrade.status, "rolled-back");
    assert.deepEqual(upgrade.rollback, { status: "rolled-back", detail: "to 1.0.0" });
    assert.deepEqual(stackEvents(events), ["dev-old started", "dev-old failed", "dev-old rolling-back", "dev-old rolled-back"]);
    assert.deepEqual(
      scripted.executor.jobs.map((j) => `${j.stack} ${tagOf(j)}`),
      ["dev-old 2.0.0", "dev-old 1.0.0"],
    );
  });

  it("reports a stack its signal stopped as cancelled, with no rollback, and stops the fleet", async () => {
    const controller = new AbortController();
    scripted = await scriptedDriver(async (job) => {
      controller.abort();
      throw new CancelledError(`${job.kind} of ${job.stack}`);
    });
    await scripted.driver.registry.create(tenant("first"));
    await scripted.driver.registry.create(tenant("second"));
    const events: DriverEvent[] = [];
    const error = await scripted.driver
      .fleetUpgrade({ version: "2.0.0", rollback: true, canary: 1, signal: controller.signal, onEvent: (e) => events.push(e) })
      .then(
        () => assert.fail("a cancelled upgrade resolved"),
        (e: unknown) => e,
      );
    assert.ok(error instanceof CancelledError);
    const { result } = error as CancelledError & { result: { status: string; waves: { stack: string; status: string }[][] } };
    assert.equal(result.status, "cancelled");
    assert.deepEqual(
      result.waves.map((wave) => wave.map((s) => `${s.stack} ${s.status}`)),
      [["dev-first cancelled"], ["dev-second untouched"]],
    );
    assert.deepEqual(stackEvents(events), ["dev-first started", "dev-first cancelled"]);
    assert.equal(scripted.executor.jobs.length, 1, "no rollback, no later wave");
  });
});
