/**
 * The driver's operations on stacks, with stack jobs answered by a script (`scriptedDriver.ts`): what
 * each stack's outcome and events say.
 */
import * as assert from "node:assert/strict";
import { CancelledError } from "../../../automation/errors";
import type { DriverEvent } from "../../../automation/operations/events";
import { dedicatedTenant } from "./fixtures";
import { jobResult, scriptedDriver, type ScriptedDriver } from "./scriptedDriver";

const tenant = dedicatedTenant;

describe("the driver's operations on stacks", () => {
  let scripted: ScriptedDriver;
  afterEach(() => scripted?.close());

  it("reports a stack whose job a cancellation stopped as cancelled, not failed, in its event and its outcome", async () => {
    const controller = new AbortController();
    scripted = await scriptedDriver(async (job, options) => {
      if (job.stack === "dev-done") return jobResult(job);
      // The engine stops when cancelled: the executor rejects with CancelledError, as the local one does.
      controller.abort();
      assert.ok(options.signal?.aborted);
      throw new CancelledError(`${job.kind} of ${job.stack}`);
    });
    await scripted.driver.registry.create(tenant("done"));
    await scripted.driver.registry.create(tenant("stopped"));
    const events: DriverEvent[] = [];
    const error = await scripted.driver.up({ concurrency: 1, signal: controller.signal, onEvent: (e) => events.push(e) }).then(
      () => assert.fail("a cancelled up resolved"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof CancelledError);
    const { result } = error as CancelledError & { result: { status: string; stacks: { stack: string; status: string }[] } };
    assert.equal(result.status, "cancelled");
    assert.deepEqual(
      result.stacks.map((s) => [s.stack, s.status]),
      [
        ["dev-done", "succeeded"],
        ["dev-stopped", "cancelled"],
      ],
    );
    assert.deepEqual(
      events.flatMap((e) => (e.type === "stack" ? [`${e.stack} ${e.status}`] : [])),
      ["dev-done started", "dev-done succeeded", "dev-stopped started", "dev-stopped cancelled"],
    );
  });
});
