/**
 * Provisioning as a provisioning service repeats it, with stack jobs answered by a script
 * (`scriptedDriver.ts`): the same tenant again changes nothing, another one of that name is refused
 * naming what differs before anything is touched, and an operation id repeats its provision.
 */
import * as assert from "node:assert/strict";
import { InputError, TenantExistsError } from "../../../automation/errors";
import { tenantSettings } from "./fixtures";
import { scriptedDriver, type ScriptedDriver } from "./scriptedDriver";

const acme = { name: "acme", host: "acme.example.com", plan: "dedicated" as const, version: "1.0.0", settings: tenantSettings() };

describe("provisioning a tenant again", () => {
  let scripted: ScriptedDriver;
  beforeEach(async () => (scripted = await scriptedDriver()));
  afterEach(() => scripted.close());

  it("with the same fields leaves it registered as it is and only brings its stack up to them", async () => {
    const first = await scripted.driver.provision(acme);
    assert.equal(first.kind, "provision");
    assert.equal(first.registration, "created");
    const before = await scripted.driver.registry.show("acme");
    // The settings' keys in another order are the same settings.
    const reordered = { ...acme, settings: Object.fromEntries(Object.entries(acme.settings).reverse()) };
    const again = await scripted.driver.provision(reordered);
    assert.equal(again.status, "succeeded");
    assert.equal(again.registration, "unchanged");
    assert.deepEqual(await scripted.driver.registry.show("acme"), before, "the registry untouched");
    assert.deepEqual(
      scripted.executor.jobs.map((j) => `${j.kind} ${j.stack}`),
      ["up dev-acme", "up dev-acme"],
    );
  });

  it("with other fields is refused before anything is journaled or run, naming each difference", async () => {
    await scripted.driver.provision(acme);
    const operations = (await scripted.driver.journal.list()).length;
    const changed = {
      ...acme,
      host: "acme.example.org",
      version: "1.1.0",
      settings: { ...acme.settings, api: { ...acme.settings.api, replicas: 2 }, redis: undefined },
    };
    const error = await scripted.driver.provision(changed).then(
      () => assert.fail("a different tenant of the same name was provisioned"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof TenantExistsError);
    assert.equal(error.code, "conflict");
    assert.deepEqual(error.differences, [
      '`host` is "acme.example.com" (given "acme.example.org")',
      '`version` is "1.0.0" (given "1.1.0")',
      "`settings.api.replicas` differs",
      "`settings.redis` differs",
    ]);
    assert.match(error.message, /^Tenant "acme" is registered already with other fields \(4 differences\):\n {2}- `host` is/);
    assert.equal((await scripted.driver.journal.list()).length, operations, "no operation journaled");
    assert.equal(scripted.executor.jobs.length, 1, "no stack job but the first provision's");
    assert.equal((await scripted.driver.registry.show("acme")).host, "acme.example.com");
  });

  it("of a shared tenant given no settings takes its stack's, as its first registration did", async () => {
    await scripted.driver.provision({ ...acme, name: "first", host: "first.example.com", plan: "shared" });
    const joined = { name: "second", host: "second.example.com", plan: "shared" as const, version: "1.0.0" };
    assert.equal((await scripted.driver.provision(joined)).registration, "created");
    assert.equal((await scripted.driver.provision(joined)).registration, "unchanged");
  });

  it("under the operation id of its first provision repeats that one, after a fleet upgrade changed its version", async () => {
    const first = await scripted.driver.provision(acme, { operationId: "provision-acme" });
    assert.equal(first.resumed, false);
    await scripted.driver.fleetUpgrade({ version: "2.0.0" });
    const jobs = scripted.executor.jobs.length;
    const again = await scripted.driver.provision(acme, { operationId: "provision-acme" });
    assert.equal(again.status, "succeeded");
    assert.equal(again.resumed, true);
    assert.equal(again.registration, "created", "as its first run recorded");
    assert.deepEqual(
      again.stacks.map((s) => `${s.stack} ${s.status}`),
      ["dev-acme skipped"],
    );
    assert.equal(scripted.executor.jobs.length, jobs, "nothing run again");
    assert.equal((await scripted.driver.registry.show("acme")).version, "2.0.0");
    // Without the id, the same request now differs from the tenant the upgrade left.
    await assert.rejects(scripted.driver.provision(acme), /`version` is "2\.0\.0" \(given "1\.0\.0"\)/);
  });

  it("under the operation id of another provision is refused before anything is registered", async () => {
    await scripted.driver.provision(acme, { operationId: "provision-acme" });
    const other = { ...acme, name: "globex", host: "globex.example.com" };
    await assert.rejects(
      scripted.driver.provision(other, { operationId: "provision-acme" }),
      (e: unknown) =>
        e instanceof InputError && /`operationId` "provision-acme" is a provision started with other parameters/.test(e.message),
    );
    await assert.rejects(scripted.driver.registry.show("globex"), /not registered/);
  });
});
