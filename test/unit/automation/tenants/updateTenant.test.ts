/**
 * A tenant's update through the library: a JSON merge patch checked exactly as a new tenant is (the
 * same messages as `registry.create`), stored with its journal record, or on a dry run a preview of
 * the tenant's stack with the change and nothing stored.
 */
import * as assert from "node:assert/strict";
import type { Driver } from "../../../../automation/driver";
import { InputError } from "../../../../automation/errors";
import { type LifecycleHarness, lifecycleHarness, type RecordingExecutor, settingsOf, tenantInput } from "./harness";

/** The problems of the InputError `promise` rejects with. */
async function problems(promise: Promise<unknown>): Promise<readonly string[]> {
  const error = await promise.then(
    () => assert.fail("expected an InputError"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof InputError, String(error));
  return error.problems;
}

describe("updating a tenant (library)", () => {
  let harness: LifecycleHarness;
  let driver: Driver;
  let executor: RecordingExecutor;
  beforeEach(async () => {
    harness = await lifecycleHarness();
    ({ driver, executor } = harness);
    await driver.registry.create(tenantInput("acme"));
  });
  afterEach(() => harness.close());

  it("stores a merge patch of the tenant and says what changes and which stack follows, touching no stack", async () => {
    const result = await driver.updateTenant(
      "acme",
      { host: "acme.example.org", settings: { api: { replicas: 2 }, worker: { args: null } } },
      { operationId: "grow-acme" },
    );
    assert.deepEqual(
      [result.status, result.dryRun, result.stack, result.changed, result.stacks],
      ["succeeded", false, "dev-acme", ["host", "settings.api.replicas", "settings.worker.args"], []],
    );
    const stored = await driver.registry.show("acme");
    assert.deepEqual(result.tenant, stored);
    assert.deepEqual([stored.host, settingsOf(stored).api.replicas, "args" in settingsOf(stored).worker], ["acme.example.org", 2, false]);
    assert.deepEqual(executor.jobs, []);
    assert.deepEqual(
      (await driver.journal.steps("grow-acme")).map((s) => [s.step, s.status, s.detail]),
      [["registry:update", "done", { changed: ["host", "settings.api.replicas", "settings.worker.args"] }]],
    );
    const again = await driver.updateTenant(
      "acme",
      { host: "acme.example.org", settings: { api: { replicas: 2 }, worker: { args: null } } },
      { operationId: "grow-acme" },
    );
    assert.deepEqual({ ...again, resumed: false }, result, "a re-run reports the first run's result");
    assert.equal(again.resumed, true);
  });

  it("on a dry run previews the tenant's stack with the change and stores nothing", async () => {
    const before = await driver.registry.show("acme");
    const result = await driver.updateTenant("acme", { host: "acme.example.org", settings: { api: { replicas: 2 } } }, { dryRun: true });
    assert.deepEqual([result.status, result.dryRun, result.changed], ["succeeded", true, ["host", "settings.api.replicas"]]);
    assert.equal(result.tenant.host, "acme.example.org", "the tenant as it would be");
    assert.deepEqual(await driver.registry.show("acme"), before, "nothing stored");
    const [preview] = executor.jobs;
    assert.deepEqual([preview.kind, preview.stack, preview.plan], ["preview", "dev-acme", undefined]);
    assert.deepEqual(preview.settings?.tenancy, { mode: "dedicated", tenant: { name: "acme", host: "acme.example.org" } });
    assert.equal((preview.settings as any).api.replicas, 2);
    assert.deepEqual(
      [result.stacks[0].stack, result.stacks[0].status, result.stacks[0].result?.changes?.updates],
      ["dev-acme", "succeeded", 1],
    );
    assert.deepEqual(
      (await driver.journal.steps(result.operationId)).map((s) => [s.step, s.status]),
      [["dev-acme:preview", "done"]],
    );
  });

  it("refuses a patch with the messages of a new tenant's registration, storing and journaling nothing", async () => {
    const before = await driver.registry.show("acme");
    const created = await problems(driver.registry.create({ ...tenantInput("other"), host: "not a host" }));
    assert.deepEqual(
      await problems(driver.updateTenant("acme", { host: "not a host" })),
      created.map((p) => `\`patch.${p.slice(1)}`),
    );
    assert.deepEqual(await problems(driver.updateTenant("acme", { hots: "acme.example.org" } as never)), [
      '`patch.hots` is not a known setting (did you mean "host"?); allowed: name, host, plan, environment, version, region, cluster, settings',
    ]);
    assert.deepEqual(await problems(driver.updateTenant("acme", { plan: "shared", cluster: "eu-2" } as never)), [
      '`patch.plan` cannot be changed by an update: move the tenant to the other plan with `migrate` (`to`) (got "shared")',
      '`patch.cluster` cannot be changed by an update: move the tenant to another cluster with `migrate` (`cluster`) (got "eu-2")',
    ]);
    assert.deepEqual(await problems(driver.updateTenant("acme", { settings: { api: { replicas: 0 } } })), [
      "`settings.api.replicas` must be an integer between 1 and 100 (got 0)",
    ]);
    assert.deepEqual(await problems(driver.updateTenant("acme", { settings: { tenancy: { mode: "shared" } } })), [
      "`settings.tenancy` is set by the registry from the tenant's `plan`; remove it (got an object)",
    ]);
    assert.deepEqual(await problems(driver.updateTenant("acme", { host: null } as never)), [
      '`patch.host` must be a DNS-1123 host name of two or more dot-separated labels of 1-63 lowercase letters, digits and "-" (the last with a letter: no IP address, wildcard, port or URL), at most 253 characters, such as "acme.example.com" (got null)',
    ]);
    assert.deepEqual(await driver.registry.show("acme"), before);
    assert.deepEqual(await driver.journal.list(), []);
    assert.deepEqual(executor.jobs, []);
  });

  it("keeps a shared tenant's version, region and settings those of its stack, as at registration", async () => {
    await driver.registry.create(tenantInput("globex", "shared"));
    await driver.registry.create({ ...tenantInput("initech", "shared"), settings: {} });
    assert.deepEqual(await problems(driver.updateTenant("initech", { version: "2.0.0" })), [
      '`version` must be "1.0.0", that of the shared stack of dev on local it joins (got "2.0.0")',
    ]);
    assert.deepEqual(await problems(driver.updateTenant("initech", { settings: { api: { replicas: 2 } } })), [
      '`settings` must be those of the shared stack of dev on local (of tenant "globex"), or omitted',
    ]);
    const moved = await driver.updateTenant("initech", { host: "initech.example.org" });
    assert.deepEqual([moved.stack, moved.changed], ["dev-shared", ["host"]]);
    assert.deepEqual(await problems(driver.updateTenant("initech", { host: "globex.example.com" })), [
      '`host` must be unique: tenant "globex" has it (got "globex.example.com")',
    ]);
  });
});
