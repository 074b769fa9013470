/**
 * Resuming an operation from the journal (`requests.ts`, `resumeRequest`): each kind gives back the
 * request it was started with, and running it with the same id skips what was done; a succeeded
 * operation, a dry run, an unknown id and stacks the registry no longer serves are refused. Stack jobs
 * run on a recording executor, against a real SQLite journal.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Driver } from "../../../automation/driver";
import { InputError, OperationNotFoundError } from "../../../automation/errors";
import { resumeRequest, runRequest } from "../../../automation/requests";
import { fakePulumiCli, RecordingExecutor, tenantSettings } from "./fixtures";

describe("resuming an operation from the journal", () => {
  let stateDir: string;
  let executor: RecordingExecutor;
  let driver: Driver;
  const tenant = (name: string, plan: "shared" | "dedicated" = "dedicated") => ({
    name,
    host: `${name}.example.com`,
    plan,
    version: "1.0.0",
    settings: tenantSettings(),
  });

  beforeEach(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), "tenantstack-resume-"));
    executor = new RecordingExecutor();
    driver = await Driver.open({
      workspace: { stateDir, pulumiPath: fakePulumiCli(path.join(stateDir, "fake")), passphrase: "unit-test-passphrase" },
      executor,
    });
    for (const t of [tenant("acme"), tenant("globex"), tenant("s1", "shared")]) await driver.registry.create(t);
    await driver.registry.create({ ...tenant("s2", "shared"), settings: undefined });
  });
  afterEach(async () => {
    await driver.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("resumes a failed up of the whole fleet with the same stacks, running only the failed one again", async () => {
    executor.failing.add("dev-globex");
    const first = await driver.up({ operationId: "up-1" });
    assert.deepEqual(
      first.stacks.map((s) => [s.stack, s.status]),
      [
        ["dev-acme", "succeeded"],
        ["dev-globex", "failed"],
        ["dev-shared", "succeeded"],
      ],
    );
    const request = await resumeRequest(driver, "up-1");
    assert.deepEqual(request, { kind: "up", tenants: ["acme", "globex", "s1", "s2"] });
    executor.failing.clear();
    executor.jobs.length = 0;
    const outcome = await runRequest(driver, request, { operationId: "up-1" });
    assert.equal(outcome.kind, "up");
    const result = outcome.result as Awaited<ReturnType<Driver["up"]>>;
    assert.equal(result.resumed, true);
    assert.deepEqual(
      result.stacks.map((s) => [s.stack, s.status]),
      [
        ["dev-acme", "skipped"],
        ["dev-globex", "succeeded"],
        ["dev-shared", "skipped"],
      ],
    );
    assert.deepEqual(
      executor.jobs.map((j) => `${j.kind} ${j.stack}`),
      ["up dev-globex"],
    );
  });

  it("gives back each kind's request: a provision with its tenant, plans, a forced destroy, a recover", async () => {
    executor.failing.add("dev-initech");
    await driver.provision(tenant("initech"), { operationId: "provision-1" });
    // The tenant as the provision was given it, every default applied: its registration is not repeated, its stack's up is.
    assert.deepEqual(await resumeRequest(driver, "provision-1"), {
      kind: "provision",
      tenant: { ...tenant("initech"), environment: "dev", region: "local", cluster: "local" },
    });
    executor.failing.add("dev-acme");
    await driver.preview({ tenants: ["acme"], plan: true, operationId: "preview-1" });
    assert.deepEqual(await resumeRequest(driver, "preview-1"), { kind: "preview", tenants: ["acme"], savePlan: true });
    await driver.up({ tenants: ["acme"], plan: true, operationId: "up-2" });
    assert.deepEqual(await resumeRequest(driver, "up-2"), { kind: "up", tenants: ["acme"], savedPlan: true });
    executor.failing.add("dev-shared");
    await driver.outputs({ tenants: ["s2"], operationId: "outputs-1" });
    assert.deepEqual(await resumeRequest(driver, "outputs-1"), { kind: "outputs", tenants: ["s1", "s2"] });
    await driver.destroy({ tenants: ["acme"], forceDestroyData: true, operationId: "destroy-1" });
    assert.deepEqual(await resumeRequest(driver, "destroy-1"), { kind: "destroy", tenants: ["acme"], forceDestroyData: true });
    await driver.recover("dev-shared", { operationId: "recover-1" });
    assert.deepEqual(await resumeRequest(driver, "recover-1"), { kind: "recover", stack: "dev-shared" });
    // Each request is the one the journal holds: run with its id, it resumes (other parameters would be refused).
    executor.failing.clear();
    for (const id of ["provision-1", "preview-1", "up-2", "outputs-1", "destroy-1", "recover-1"]) {
      const outcome = await runRequest(driver, await resumeRequest(driver, id), { operationId: id });
      assert.ok("resumed" in outcome.result && outcome.result.resumed, id);
      assert.equal(outcome.result.status, "succeeded", id);
    }
  });

  it("gives back a fleet upgrade with its waves, rollback and health check, and resumes it", async () => {
    executor.failing.add("dev-globex");
    const url = "http://{stack}.example.com/healthz";
    const first = await driver.fleetUpgrade({
      version: "1.1.0",
      tenants: ["acme", "globex"],
      canary: 0,
      waveSize: 3,
      health: { httpCheckUrl: url },
      operationId: "fleet-1",
    });
    assert.equal(first.status, "failed");
    const request = await resumeRequest(driver, "fleet-1");
    assert.deepEqual(request, {
      kind: "fleet-upgrade",
      version: "1.1.0",
      tenants: ["acme", "globex"],
      canary: 0,
      waveSize: 3,
      rollback: false,
      httpCheckUrl: url,
    });
    executor.failing.clear();
    const outcome = await runRequest(driver, request, { operationId: "fleet-1" });
    assert.equal(outcome.kind, "fleet-upgrade");
    if (outcome.kind !== "fleet-upgrade") return;
    assert.equal(outcome.result.resumed, true);
    assert.deepEqual(
      outcome.result.waves.flat().map((s) => [s.stack, s.status]),
      [
        ["dev-acme", "skipped"],
        ["dev-globex", "upgraded"],
      ],
    );
  });

  it("gives back a migration and a gc from their journaled parameters", async () => {
    await driver.journal.begin("move-1", "migrate", { tenant: "acme", to: "shared", cluster: "local", rollback: false });
    await driver.journal.finish("move-1", "failed", {});
    assert.deepEqual(await resumeRequest(driver, "move-1"), {
      kind: "migrate",
      tenant: "acme",
      to: "shared",
      cluster: "local",
      rollback: false,
    });
    await driver.journal.begin("gc-1", "gc", { now: "2026-12-01T00:00:00.000Z" });
    assert.deepEqual(await resumeRequest(driver, "gc-1"), { kind: "gc", now: "2026-12-01T00:00:00.000Z" });
  });

  it("refuses an unknown id, a succeeded operation, a dry run, and stacks the registry no longer serves", async () => {
    await assert.rejects(
      resumeRequest(driver, "nope"),
      (e: unknown) => e instanceof OperationNotFoundError && /list operations/.test(e.message),
    );
    await driver.up({ tenants: ["acme"], operationId: "done-1" });
    await assert.rejects(resumeRequest(driver, "done-1"), /operation "done-1" \(up\) succeeded: there is nothing to resume/);
    await driver.journal.begin("plan-1", "migrate-plan", { tenant: "acme", to: "shared" });
    await assert.rejects(resumeRequest(driver, "plan-1"), /is a migration's dry run: there is nothing to resume/);
    executor.failing.add("dev-globex");
    await driver.up({ tenants: ["globex"], operationId: "up-3" });
    await driver.registry.delete("globex");
    await assert.rejects(
      resumeRequest(driver, "up-3"),
      (e: unknown) =>
        e instanceof InputError && /worked on stacks \(dev-globex\) the registry no longer serves as they were/.test(e.message),
    );
  });
});
