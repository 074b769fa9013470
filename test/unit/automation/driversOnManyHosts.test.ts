/**
 * Two drivers sharing one database, each with its own host identity (`scriptedDriver.ts`: real drivers,
 * their SQLite registry, journal and leases, stack jobs answered by a script): a fleet upgrade whose
 * driver stops renewing its leases (frozen, as a killed one) is finished by the other once they expire,
 * without repeating a finished stack, and no lease is left behind.
 */
import * as assert from "node:assert/strict";
import { CancelledError, OperationLockedError } from "../../../automation/errors";
import type { FleetUpgradeOptions } from "../../../automation/fleet/upgrade";
import { buildServer } from "../../../automation/http/server";
import type { StackJob } from "../../../automation/operations/stackJob";
import { dedicatedTenant } from "./fixtures";
import { jobResult, scriptedDriver, type ScriptedDriver } from "./scriptedDriver";

const tenant = dedicatedTenant;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const jobs = (scripted: ScriptedDriver) => scripted.executor.jobs.map((j: StackJob) => `${j.kind} ${j.stack}`);

describe("drivers on many hosts", () => {
  let a: ScriptedDriver | undefined;
  let b: ScriptedDriver | undefined;
  afterEach(async () => {
    await b?.close();
    await a?.close();
    a = b = undefined;
  });

  it("finishes a fleet upgrade whose driver went silent, from another identity, without repeating finished stacks", async () => {
    // Driver A upgrades dev-a and dev-b, then its job on dev-c runs until its signal stops it.
    a = await scriptedDriver(
      (job, options) =>
        job.stack !== "dev-c"
          ? Promise.resolve(jobResult(job))
          : new Promise((_resolve, reject) =>
              options.signal?.addEventListener("abort", () => reject(new CancelledError(`up of ${job.stack}`))),
            ),
      { identity: "host-a", leaseTtlSeconds: 2, heartbeatSeconds: 0.2 },
    );
    for (const name of ["a", "b", "c"]) await a.driver.registry.create(tenant(name));
    const upgrade: FleetUpgradeOptions = { operationId: "fleet-1", version: "2.0.0", canary: 1, waveSize: 1, concurrency: 1 };
    const runA = a.driver.fleetUpgrade(upgrade).then(
      () => assert.fail("driver A finished an operation another driver took over"),
      (error: unknown) => error,
    );
    while (!jobs(a).includes("up dev-c")) await sleep(20);

    b = await scriptedDriver(undefined, { stateDir: a.stateDir, identity: "host-b", leaseTtlSeconds: 2, heartbeatSeconds: 0.2 });
    // A's heartbeats go on past the lease's time to live: B is refused, and runs nothing.
    await sleep(2300);
    await assert.rejects(b.driver.fleetUpgrade(upgrade), (error: unknown) => {
      assert.ok(error instanceof OperationLockedError, String(error));
      assert.match(error.message, /^Operation fleet-1 is being run by driver "host-a" \(pid \d+ on /);
      return true;
    });
    // Over HTTP, its resume is refused the same way: 409 `operation_locked`.
    const token = "a-token-of-16-chars-or-more";
    const app = buildServer(b.driver, { token });
    try {
      const resume = await app.inject({ method: "POST", url: "/operations/fleet-1/resume", headers: { authorization: `Bearer ${token}` } });
      assert.equal(resume.statusCode, 409, resume.body);
      assert.deepEqual([resume.json().error.name, resume.json().error.code], ["OperationLockedError", "operation_locked"]);
    } finally {
      await app.close();
    }
    assert.deepEqual(jobs(b), []);
    assert.deepEqual(
      (await b.driver.leases.list()).map((l) => [l.stack, l.holder, l.identity]),
      [["dev-c", "fleet-1", "host-a"]],
    );

    // A goes silent (as a killed driver); once its leases expire, B resumes the operation.
    const silent = a.driver.leaseKeeper as { renew: () => Promise<void> };
    silent.renew = async () => undefined;
    await sleep(2300);
    const result = await b.driver.fleetUpgrade(upgrade);
    assert.equal(result.status, "succeeded");
    assert.equal(result.resumed, true);
    assert.deepEqual(
      result.waves.map((wave) => wave.map((s) => `${s.stack} ${s.status}`)),
      [["dev-a skipped"], ["dev-b skipped"], ["dev-c upgraded"]],
    );
    assert.deepEqual(jobs(b), ["recover dev-c", "up dev-c"], "only the interrupted stack ran again, recovered first");
    assert.deepEqual(jobs(a), ["up dev-a", "up dev-b", "up dev-c"]);
    assert.deepEqual(await b.driver.leases.list(), [], "no stack lease left");
    assert.deepEqual(await b.driver.operationLeases.list(), [], "no operation lease left");
    assert.equal(b.driver.leaseKeeper.beating, false);
    const steps = await b.driver.journal.steps("fleet-1");
    assert.deepEqual(
      // By name: steps started in the same millisecond have no order of their own.
      steps
        .filter((s) => s.step.startsWith("dev-c"))
        .map((s) => [s.step, s.status, s.attempts])
        .sort(([x], [y]) => (String(x) < String(y) ? -1 : 1)),
      [
        ["dev-c:up:1", "running", 1],
        ["dev-c:up:2", "done", 1],
        ["dev-c:up:2:recover", "done", 1],
        ["dev-c:upgrade", "done", 2],
      ],
    );

    // A wakes: its next heartbeat finds its leases taken, stops its job, and it writes nothing more.
    delete (silent as { renew?: unknown }).renew;
    const error = await runA;
    assert.ok(error instanceof OperationLockedError, String(error));
    assert.deepEqual(await b.driver.journal.steps("fleet-1"), steps, "the journal is as B left it");
    assert.equal((await b.driver.journal.get("fleet-1"))?.status, "succeeded");
  });
});
