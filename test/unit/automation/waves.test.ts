import * as assert from "node:assert/strict";
import { boundedEach, planWaves } from "../../../automation/fleet/waves";
import { workloadReady } from "../../../automation/fleet/health";
import { fromWire, StackLockedError, toWire } from "../../../automation/errors";

describe("fleet waves", () => {
  const cases: [string, number, { canary?: number; waveSize?: number }, number[][]][] = [
    ["a canary then waves of the size", 7, { canary: 1, waveSize: 3 }, [[0], [1, 2, 3], [4, 5, 6]]],
    ["a short last wave", 5, { canary: 2, waveSize: 2 }, [[0, 1], [2, 3], [4]]],
    ["no canary", 3, { canary: 0, waveSize: 2 }, [[0, 1], [2]]],
    ["a fleet smaller than the canary", 1, { canary: 2 }, [[0]]],
    ["an empty fleet", 0, {}, []],
  ];
  for (const [title, n, options, expected] of cases) {
    it(title, () => assert.deepEqual(planWaves([...Array(n).keys()], options), expected));
  }
  it("refuses a wave size of 0", () =>
    assert.throws(() => planWaves([1], { waveSize: 0 }), /`waveSize` must be an integer between 1 and 1000 \(got 0\)/));

  it("runs at most `limit` at once and starts nothing once stopped", async () => {
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const release: (() => void)[] = []; // each job holds its lane until released
    const flush = () => new Promise((resolve) => setImmediate(resolve)); // the lanes' pending continuations run
    const done = boundedEach(
      [1, 2, 3, 4, 5, 6],
      2,
      async (n) => {
        started.push(n);
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => release.push(resolve));
        running--;
      },
      () => started.includes(3),
    );
    await flush();
    assert.deepEqual(started, [1, 2], "two lanes, both busy");
    release[0]();
    await flush();
    assert.deepEqual(started, [1, 2, 3], "a freed lane takes the next item");
    release[1]();
    release[2]();
    await done;
    assert.equal(peak, 2);
    assert.deepEqual(started, [1, 2, 3]);
  });
});

describe("health of workloads", () => {
  it("needs the current generation rolled out and every replica ready", () => {
    const deployment = (status: object) => ({ metadata: { name: "api", generation: 2 }, spec: { replicas: 2 }, status });
    assert.equal(workloadReady("Deployment", deployment({ observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2 })).ready, true);
    assert.deepEqual(workloadReady("Deployment", deployment({ observedGeneration: 1, updatedReplicas: 2, availableReplicas: 2 })), {
      ready: false,
      detail: "2/2 ready, 2 updated",
    });
    assert.equal(workloadReady("Deployment", deployment({ observedGeneration: 2, updatedReplicas: 1, availableReplicas: 2 })).ready, false);
    const statefulSet = {
      metadata: { name: "postgres", generation: 1 },
      spec: { replicas: 1 },
      status: { observedGeneration: 1, updatedReplicas: 1, readyReplicas: 1, currentRevision: "a", updateRevision: "b" },
    };
    assert.equal(workloadReady("StatefulSet", statefulSet).ready, false);
  });
});

describe("errors across processes", () => {
  it("come back as the same typed error", () => {
    const back = fromWire(JSON.parse(JSON.stringify(toWire(new StackLockedError("dev-acme", "operation op-1")))));
    assert.ok(back instanceof StackLockedError);
    assert.equal(back.stack, "dev-acme");
    assert.equal(back.code, "stack_locked");
  });
});
