/**
 * A tenant's deletion through the library: refused while its stack is live (as the Pulumi CLI's
 * `stack ls` reports it), and with `destroy` one journaled operation that takes the stack down, then
 * deletes the registration, resumable by its id.
 */
import * as assert from "node:assert/strict";
import { EXIT, exitCodeOf } from "../../../../automation/cli/exitCodes";
import type { Driver } from "../../../../automation/driver";
import { InputError, TenantNotFoundError, TenantStackLiveError, WorkerCrashedError } from "../../../../automation/errors";
import { fakeCliCalls } from "../fixtures";
import { type LifecycleHarness, lifecycleHarness, type RecordingExecutor, tenantInput, UP_RESOURCES } from "./harness";

describe("deleting a tenant (library)", () => {
  let harness: LifecycleHarness;
  let driver: Driver;
  let executor: RecordingExecutor;
  beforeEach(async () => {
    harness = await lifecycleHarness();
    ({ driver, executor } = harness);
  });
  afterEach(() => harness.close());

  /** The journal's steps of an operation, as `[step, status, attempts]`. */
  const steps = async (operationId: string) =>
    (await driver.journal.steps(operationId)).map((s) => [s.step, s.status, s.attempts] as [string, string, number]);
  const registered = async () => (await driver.registry.list()).map((t) => t.name);

  it("refuses a tenant whose dedicated stack is live, changing nothing", async () => {
    await driver.registry.create(tenantInput("acme"));
    executor.setStack("dev-acme", UP_RESOURCES);
    await assert.rejects(driver.deleteTenant("acme"), (error: unknown) => {
      assert.ok(error instanceof TenantStackLiveError, String(error));
      assert.deepEqual(
        [error.code, error.tenant, error.stack, error.resources, error.shared],
        ["stack_live", "acme", "dev-acme", 31, false],
      );
      assert.equal(exitCodeOf(error), EXIT.invalidInput);
      assert.match(
        error.message,
        /^Tenant "acme" has a stack of its own, "dev-acme", which is live \(31 resources\); nothing was deleted\./,
      );
      assert.match(
        error.message,
        /destroy the stack first \(a `destroy` operation: `\{ "kind": "destroy", "tenants": \["acme"\] \}`\), or delete it with `destroy: true` \(HTTP `DELETE \/tenants\/acme\?destroy=true`\)/,
      );
      return true;
    });
    assert.deepEqual(await registered(), ["acme"]);
    assert.deepEqual(executor.jobs, []);
    assert.deepEqual(await driver.journal.list(), [], "nothing journaled");
    assert.deepEqual(
      fakeCliCalls(harness.pulumi).filter((c) => c.startsWith("stack")),
      ["stack ls --json --project tenantstack --non-interactive"],
      "liveness comes from the CLI's stack list",
    );
  });

  it("deletes a tenant whose stack is not live (never deployed, or destroyed), as a journaled operation", async () => {
    await driver.registry.create(tenantInput("acme"));
    await driver.registry.create(tenantInput("globex"));
    executor.setStack("dev-globex", 0);
    const never = await driver.deleteTenant("acme", { operationId: "del-acme" });
    assert.deepEqual([never.status, never.stack, never.action, never.stacks, never.deleted], ["succeeded", "dev-acme", "none", [], true]);
    const destroyed = await driver.deleteTenant("globex");
    assert.deepEqual([destroyed.action, destroyed.deleted], ["none", true]);
    assert.deepEqual(await registered(), []);
    assert.deepEqual(executor.jobs, [], "no stack was touched");
    assert.deepEqual(await steps("del-acme"), [["registry:delete", "done", 1]]);
    assert.equal((await driver.journal.get("del-acme"))?.kind, "delete-tenant");
    await assert.rejects(driver.deleteTenant("acme"), TenantNotFoundError);
  });

  it("with destroy, destroys the dedicated stack and then deletes the tenant; protected data needs forceDestroyData", async () => {
    await driver.registry.create(tenantInput("acme"));
    executor.setStack("dev-acme", UP_RESOURCES);
    const refused = await driver.deleteTenant("acme", { destroy: true, operationId: "keep-data" });
    assert.deepEqual([refused.status, refused.action, refused.deleted], ["failed", "destroyed", false]);
    assert.equal(refused.stacks[0].error?.name, "ProtectedResourcesError");
    assert.deepEqual(await registered(), ["acme"], "the registration stays while its stack stands");
    assert.equal((await driver.journal.get("keep-data"))?.status, "failed");

    const events: string[] = [];
    const result = await driver.deleteTenant("acme", {
      destroy: true,
      forceDestroyData: true,
      operationId: "bye-acme",
      onEvent: (e) => void (e.type !== "step" && events.push(`${e.type}:${"status" in e ? e.status : ""}`)),
    });
    assert.deepEqual(
      [result.status, result.stack, result.action, result.deleted, result.resumed],
      ["succeeded", "dev-acme", "destroyed", true, false],
    );
    assert.deepEqual(
      executor.jobs.map((j) => [j.kind, j.stack, j.cluster, j.forceDestroyData]),
      [
        ["destroy", "dev-acme", "local", false],
        ["destroy", "dev-acme", "local", true],
      ],
    );
    assert.deepEqual(await registered(), []);
    assert.deepEqual(executor.stacks["dev-acme"], 0);
    assert.deepEqual(await steps("bye-acme"), [
      ["dev-acme:destroy", "done", 1],
      ["registry:delete", "done", 1],
    ]);
    assert.deepEqual(events, ["operation:started", "stack:started", "stack:succeeded", "operation:succeeded"]);
    const operation = await driver.journal.get("bye-acme");
    assert.deepEqual([operation?.status, operation?.params], ["succeeded", { tenant: "acme", destroy: true, forceDestroyData: true }]);

    // A re-run of the id, the tenant gone: the first run's result, resumed; nothing runs again.
    const again = await driver.deleteTenant("acme", { destroy: true, forceDestroyData: true, operationId: "bye-acme" });
    assert.deepEqual({ ...again, resumed: false }, result);
    assert.equal(again.resumed, true);
    assert.equal(executor.jobs.length, 2);
    await assert.rejects(driver.deleteTenant("acme", { destroy: true, operationId: "bye-acme" }), /started with other parameters/);
  });

  it("resumes a deletion whose destroy was interrupted: the stack recovered and destroyed, then the tenant deleted", async () => {
    await driver.registry.create(tenantInput("acme"));
    executor.setStack("dev-acme", UP_RESOURCES);
    executor.failures.destroy = [new WorkerCrashedError("dev-acme", "killed by SIGKILL")];
    const first = await driver.deleteTenant("acme", { destroy: true, forceDestroyData: true, operationId: "crash" });
    assert.deepEqual([first.status, first.deleted, first.stacks[0].error?.name], ["failed", false, "WorkerCrashedError"]);
    assert.deepEqual(await registered(), ["acme"]);

    const second = await driver.deleteTenant("acme", { destroy: true, forceDestroyData: true, operationId: "crash" });
    assert.deepEqual([second.status, second.resumed, second.action, second.deleted], ["succeeded", true, "destroyed", true]);
    assert.deepEqual(
      executor.jobs.map((j) => j.kind),
      ["destroy", "recover", "destroy"],
    );
    assert.deepEqual(await steps("crash"), [
      ["dev-acme:destroy", "done", 2],
      ["dev-acme:destroy:recover", "done", 1],
      ["registry:delete", "done", 1],
    ]);
    assert.deepEqual(await registered(), []);
  });

  it("refuses a shared tenant in a live shared stack; with destroy updates the stack without it, and destroys it with its last tenant", async () => {
    await driver.registry.create(tenantInput("globex", "shared"));
    await driver.registry.create({ ...tenantInput("initech", "shared"), settings: {} });
    executor.setStack("dev-shared", UP_RESOURCES);
    await assert.rejects(driver.deleteTenant("globex"), (error: unknown) => {
      assert.ok(error instanceof TenantStackLiveError);
      assert.deepEqual([error.stack, error.shared], ["dev-shared", true]);
      assert.match(
        error.message,
        /^Tenant "globex" is in the shared stack "dev-shared", which is live \(31 resources\); nothing was deleted\./,
      );
      return true;
    });

    const left = await driver.deleteTenant("globex", { destroy: true });
    assert.deepEqual([left.status, left.stack, left.action, left.deleted], ["succeeded", "dev-shared", "left", true]);
    const [leave] = executor.jobs;
    assert.deepEqual([leave.kind, leave.stack], ["up", "dev-shared"]);
    assert.deepEqual(leave.settings?.tenancy, { mode: "shared", tenants: [{ name: "initech", host: "initech.example.com" }] });
    assert.deepEqual(
      (await driver.journal.steps(left.operationId)).map((s) => s.step),
      ["dev-shared:leave", "registry:delete"],
    );
    assert.deepEqual(await registered(), ["initech"]);

    const last = await driver.deleteTenant("initech", { destroy: true, forceDestroyData: true });
    assert.deepEqual([last.action, last.deleted], ["destroyed", true]);
    assert.deepEqual(
      executor.jobs.slice(1).map((j) => [j.kind, j.stack, j.forceDestroyData]),
      [["destroy", "dev-shared", true]],
    );
    assert.deepEqual(await registered(), []);
  });

  it("refuses a tenant mid-migration, and options that are not valid, before anything is read", async () => {
    await driver.registry.create(tenantInput("acme"));
    const side = { plan: "shared" as const, cluster: "local", settings: {} };
    await driver.migrations.insert({ operationId: "move-acme", tenant: "acme", source: { ...side, plan: "dedicated" }, target: side });
    await assert.rejects(driver.deleteTenant("acme", { destroy: true }), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.deepEqual(error.problems, [
        'tenant "acme" is mid-migration (operation "move-acme", copying): finish it (re-run it with its operation id) before it is deleted',
      ]);
      return true;
    });
    await assert.rejects(driver.deleteTenant("acme", { forceDestroyData: true }), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.deepEqual(error.problems, ["`forceDestroyData` needs `destroy`: only a stack being destroyed loses its data (got true)"]);
      return true;
    });
    assert.deepEqual(await registered(), ["acme"]);
    assert.deepEqual(executor.jobs, []);
  });
});
