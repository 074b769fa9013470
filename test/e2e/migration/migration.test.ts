/**
 * Tenant migration orchestrated by the driver: the stacks and the routing switch on the real engine
 * and the local cluster, the data on real Postgres and Redis servers (the stacks' own servers are
 * pods that never run on kwok, so the data plane points each stack at a local server pair). A shared
 * tenant moves to a dedicated stack through a killed driver, then its source copy is garbage-collected.
 * The tests are one scenario, run in order: each starts where the one before left the tenant (moved,
 * moved back, its spare copy collected), so none runs on its own.
 */
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { Driver, type DriverEvent, InputError, TenantNotFoundError } from "../../../automation";
import { main } from "../../../automation/cli/main";
import { buildServer } from "../../../automation/http/server";
import { MAINTENANCE_CONFIGMAP } from "../../../automation/migration/data";
import { staticDataPlane } from "../../../automation/migration/staticDataPlane";
import { tenantDatabase } from "../../../schema/naming";
import { KUBECONFIG } from "../../support/controlPlane";
import { finishedOperation } from "../../support/httpOperation";
import { testTenantSettings as tenantSettings } from "../../support/devStack";
import { KubeClient } from "../../support/kube";
import { removeNamespace, testDir } from "../../support/testRun";
import { PostgresServer, RedisServer, useDataServerBinaries } from "./data/servers";
import { startDriverProcess } from "./driverProcess";
import { ingressHosts, KEYS, keyDump, ROWS, seedTenant, tableDigests } from "./tenantData";

describe("tenant migration orchestrated by the driver", function () {
  const run = randomBytes(2).toString("hex");
  const [moved, stays] = [`m${run}-a`, `m${run}-b`];
  const sharedNamespace = `m${run}-shared`;
  const dedicatedNamespace = `tenantstack-dev-${moved}`;
  const stateDir = testDir("migration");
  const passphrase = randomBytes(16).toString("hex");
  const workspace = { stateDir, passphrase, env: { KUBECONFIG } };
  let kube: KubeClient;
  const servers: { postgres: PostgresServer; redis: RedisServer }[] = [];
  let endpoints: Record<string, { postgresUrl: string; redisUrl: string }>;
  let driver: Driver;

  before(async function () {
    kube = KubeClient.fromKubeconfig(KUBECONFIG);
    useDataServerBinaries();
    for (const name of ["shared", "dedicated"])
      servers.push({ postgres: await PostgresServer.start(name), redis: await RedisServer.start(name) });
    const [shared, dedicated] = servers;
    endpoints = {
      "dev-shared": { postgresUrl: shared.postgres.url, redisUrl: shared.redis.url },
      [`dev-${moved}`]: { postgresUrl: dedicated.postgres.url, redisUrl: dedicated.redis.url },
    };
    driver = await Driver.open({
      workspace,
      poolSize: 2,
      migration: { dataPlane: staticDataPlane(endpoints), removalGraceMs: 60_000 },
    });
    // The shared stack of two tenants, and their data on the shared servers.
    await driver.registry.create({
      name: moved,
      host: `${moved}.example.com`,
      plan: "shared",
      version: "1.0.0",
      settings: { ...tenantSettings(), namespace: sharedNamespace },
    });
    await driver.registry.create({ name: stays, host: `${stays}.example.com`, plan: "shared", version: "1.0.0" });
    const up = await driver.up();
    assert.equal(up.status, "succeeded", JSON.stringify(up.stacks.map((s) => s.error)));
    for (const tenant of [moved, stays]) await seedTenant(shared.postgres, shared.redis, tenant);
  });

  after(async () => {
    await driver?.close();
    for (const ns of [sharedNamespace, dedicatedNamespace]) await removeNamespace(kube, ns);
    kube?.close();
    for (const { postgres, redis } of servers) await Promise.all([postgres.stop(), redis.stop()]);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("refuses bad input before anything is touched", async () => {
    const refused = async (options: Parameters<Driver["migrate"]>[0]) => {
      try {
        await driver.migrate(options);
      } catch (error) {
        return error as Error;
      }
      assert.fail(`migrate ${JSON.stringify(options)} was not refused`);
    };
    assert.ok((await refused({ tenant: "nobody", to: "dedicated" })) instanceof TenantNotFoundError);
    const same = await refused({ tenant: moved, to: "shared" });
    assert.ok(same instanceof InputError);
    assert.match(
      same.message,
      new RegExp(`\`to\` must differ from the plan of tenant "${moved}", or \`cluster\` from its cluster: it is shared on "local" already`),
    );
    assert.match(
      (await refused({ tenant: moved, to: "dedicated", cluster: "mars" })).message,
      /`cluster` must be one of the driver's clusters \["local"\] \(got "mars"\)/,
    );
    assert.match((await refused({ tenant: moved, to: "cloud" })).message, /`to` must be one of "shared", "dedicated" \(got "cloud"\)/);
    assert.match((await refused({ tenant: moved, rollback: true })).message, /`rollback` needs a switched migration/);

    let err = "";
    process.env.TENANTSTACK_PASSPHRASE = passphrase;
    const code = await main(
      ["--state-dir", stateDir, "--kubeconfig", KUBECONFIG, "migrate", moved, "--to", "shared"],
      () => undefined,
      (t) => (err += t),
    );
    delete process.env.TENANTSTACK_PASSPHRASE;
    assert.equal(code, 2, err);
    assert.match(err, /it is shared on "local" already/);

    assert.deepEqual(await driver.migrations.list(), []);
    assert.deepEqual(
      (await driver.journal.list()).map((o) => o.kind),
      ["up"],
      "no operation but the setup's up",
    );
    assert.equal(await kube.get(`/api/v1/namespaces/${dedicatedNamespace}`), undefined, "no target namespace");
    assert.deepEqual(
      (await driver.registry.list()).map((t) => t.plan),
      ["shared", "shared"],
    );
  });

  it("plans a migration on a dry run (steps, stacks, data sizes), through the HTTP API too, touching nothing", async () => {
    const planned = await driver.migrate({ tenant: moved, to: "dedicated", dryRun: true });
    assert.equal(planned.status, "planned");
    assert.deepEqual(planned.stacks, { source: "dev-shared", target: `dev-${moved}` });
    const plan = planned.plan!;
    assert.deepEqual(
      plan.steps.map((s) => `${s.step}:${s.status}`),
      ["drain", "copyPostgres", "copyRedis", "verify", "switch", "undrain", "markForRemoval"].map((s) => `${s}:pending`),
    );
    assert.deepEqual(
      plan.postgres.tables.map((t) => [t.table, t.rows]),
      [
        ["public.blobs", 500],
        ["public.orders", ROWS],
      ],
    );
    assert.ok(plan.postgres.sizeBytes > 1_000_000);
    assert.equal(plan.redis.keys, KEYS);
    assert.equal(plan.postgres.target.kind, "absent");

    const token = randomBytes(16).toString("hex");
    const app = buildServer(driver, { token });
    try {
      const headers = { authorization: `Bearer ${token}` };
      const bad = await app.inject({
        method: "POST",
        url: "/operations",
        headers,
        payload: { kind: "migrate", tenant: moved, to: "shared" },
      });
      assert.equal(bad.statusCode, 400, bad.body);
      assert.match(bad.json().error.problems[0], /it is shared on "local" already/);
      const started = await app.inject({
        method: "POST",
        url: "/operations",
        headers,
        payload: { kind: "migrate", tenant: moved, to: "dedicated", dryRun: true },
      });
      assert.equal(started.statusCode, 202, started.body);
      const operation = await finishedOperation(app, started.json().id, headers);
      assert.equal(operation.status, "succeeded", JSON.stringify(operation));
      assert.equal(operation.kind, "migrate-plan");
      assert.equal(operation.result.plan.redis.keys, KEYS);
    } finally {
      await app.close();
    }
    assert.deepEqual(await driver.migrations.list(), []);
    assert.equal(await kube.get(`/api/v1/namespaces/${dedicatedNamespace}`), undefined);
  });

  it("moves the tenant to a dedicated stack through a killed driver: the re-run resumes without repeating finished steps", async () => {
    const operationId = `move-${run}`;
    const sourceDigests = await tableDigests(servers[0].postgres, tenantDatabase(moved));
    const sourceKeys = await keyDump(servers[0].redis, moved);
    const staysDigests = await tableDigests(servers[0].postgres, tenantDatabase(stays));

    // The first driver is killed (it kills itself) when the routing switch starts changing the source stack.
    const first = startDriverProcess({
      stateDir,
      passphrase,
      kubeconfig: KUBECONFIG,
      operationId,
      tenant: moved,
      to: "dedicated",
      servers: endpoints,
      crashAt: "dev-shared",
    });
    await first.exited;
    const events = first.events;
    assert.ok(!events.some((e) => e.type === "result"), "the first driver was killed before it finished");
    assert.equal(events.find((e) => e.type === "killed")?.at.stack, "dev-shared", "killed as the source stack changed");
    const before = await driver.journal.steps(operationId);
    const status = (step: string) => before.find((s) => s.step === step)?.status;
    assert.deepEqual(["migrate:drain", "migrate:copyPostgres", "migrate:copyRedis", "migrate:verify", "migrate:switch"].map(status), [
      "done",
      "done",
      "done",
      "done",
      "running",
    ]);
    const drained = await kube.get(`/api/v1/namespaces/${sharedNamespace}/configmaps/${MAINTENANCE_CONFIGMAP}`);
    assert.notEqual(drained?.data?.[moved], undefined, "the maintenance flag is set while drained");

    // While it is mid-migration, no other migration of the tenant starts.
    await assert.rejects(driver.migrate({ tenant: moved, to: "dedicated" }), /is mid-migration \(operation "move-/);

    const progress: DriverEvent[] = [];
    const result = await driver.migrate({ operationId, tenant: moved, to: "dedicated", onEvent: (e) => progress.push(e) });
    assert.equal(result.status, "succeeded", JSON.stringify(result));
    assert.equal(result.resumed, true);
    const attempts = Object.fromEntries(result.steps.map((s) => [s.step, s.attempts]));
    for (const step of [`dev-${moved}:provision`, "migrate:drain", "migrate:copyPostgres", "migrate:copyRedis", "migrate:verify"])
      assert.equal(attempts[step], 1, `${step} ran once`);
    const copyEvents = progress
      .filter((e) => e.type === "migration" && e.step === "copyPostgres")
      .map((e) => (e as { status: string }).status);
    assert.deepEqual(copyEvents, ["skipped"], "the copy is not run again");
    assert.deepEqual(
      result.steps.filter((s) => s.status !== "done"),
      [],
      "every step is done",
    );

    // The data: equal on the target; the other tenant untouched on the source.
    assert.deepEqual(await tableDigests(servers[1].postgres, tenantDatabase(moved)), sourceDigests);
    assert.equal(sourceDigests.orders.split(":")[0], String(ROWS));
    assert.deepEqual(await keyDump(servers[1].redis, moved), sourceKeys);
    assert.equal(Object.keys(sourceKeys).length, KEYS);
    assert.deepEqual(await tableDigests(servers[0].postgres, tenantDatabase(stays)), staysDigests);

    // The routing: the host is on the target's Ingress only.
    assert.deepEqual(await ingressHosts(kube, dedicatedNamespace), [`${moved}.example.com`]);
    assert.deepEqual(await ingressHosts(kube, sharedNamespace), [`${stays}.example.com`]);
    // The registry: the new plan; the source copy kept for its grace period.
    assert.equal((await driver.registry.show(moved)).plan, "dedicated");
    const [record] = await driver.migrations.list();
    assert.equal(record.phase, "switched");
    assert.ok(result.removeAfter && new Date(result.removeAfter).getTime() > Date.now());
    // Undrained: the flag is gone.
    const map = await kube.get(`/api/v1/namespaces/${sharedNamespace}/configmaps/${MAINTENANCE_CONFIGMAP}`);
    assert.equal(map?.data?.[moved], undefined);
  });

  it("moves the tenant back with --rollback while the source copy is kept", async () => {
    await servers[1].postgres.query(tenantDatabase(moved), "INSERT INTO orders (customer, amount) VALUES ('written after the switch', 1)");
    await servers[1].redis.with((client) => client.set(`${moved}:after-switch`, "yes"));
    const targetDigests = await tableDigests(servers[1].postgres, tenantDatabase(moved));
    const targetKeys = await keyDump(servers[1].redis, moved);

    const workers = () => kube.get(`/apis/apps/v1/namespaces/${dedicatedNamespace}/deployments/worker`).then((d) => d.spec.replicas);
    const workersBefore = await workers();
    assert.ok(workersBefore > 0);
    const back = await driver.migrate({ tenant: moved, rollback: true, operationId: `back-${run}` });
    assert.equal(back.status, "succeeded", JSON.stringify(back));
    assert.deepEqual([back.from, back.to, back.stacks.source, back.stacks.target], ["dedicated", "shared", `dev-${moved}`, "dev-shared"]);
    assert.deepEqual(
      await tableDigests(servers[0].postgres, tenantDatabase(moved)),
      targetDigests,
      "the writes made after the switch came back",
    );
    assert.deepEqual(await keyDump(servers[0].redis, moved), targetKeys);
    assert.equal((await driver.registry.show(moved)).plan, "shared");
    assert.deepEqual((await ingressHosts(kube, sharedNamespace)).sort(), [`${moved}.example.com`, `${stays}.example.com`].sort());
    assert.deepEqual(await ingressHosts(kube, dedicatedNamespace), [], "the dedicated stack no longer routes the host");
    assert.equal(await workers(), workersBefore, "the dedicated workers were scaled back after the drain");
    assert.deepEqual(
      (await driver.migrations.list()).map((m) => [m.operationId, m.phase]),
      [
        [`move-${run}`, "rolled-back"],
        [`back-${run}`, "switched"],
      ],
    );
  });

  it("gc keeps the source copy through its grace period, then removes its data and destroys its dedicated stack", async () => {
    // Run at a time inside the grace period of the copy the rollback left (and not the clock's, however long the tests before took).
    const record = (await driver.migrations.list())[1];
    const waiting = await driver.gc({ now: new Date(new Date(record.removeAfter!).getTime() - 1000) });
    assert.equal(waiting.status, "succeeded");
    assert.deepEqual(waiting.removals, []);
    assert.deepEqual(
      waiting.waiting.map((w) => w.tenant),
      [moved],
    );
    const databases = () => servers[1].postgres.query("postgres", "SELECT 1 FROM pg_database WHERE datname = $1", [tenantDatabase(moved)]);
    assert.equal((await databases()).length, 1);

    const removed = await driver.gc({ now: new Date(new Date(record.removeAfter!).getTime() + 1000) });
    assert.equal(removed.status, "succeeded", JSON.stringify(removed));
    assert.deepEqual(
      removed.removals.map((r) => [r.tenant, r.copy, r.stack, r.status, r.data?.database, r.data?.keys, r.destroyed]),
      [[moved, "source", `dev-${moved}`, "removed", true, KEYS + 1, true]],
    );
    assert.equal((await databases()).length, 0);
    assert.equal(Object.keys(await keyDump(servers[1].redis, moved)).length, 0);
    assert.equal(
      await kube.get(`/apis/apps/v1/namespaces/${dedicatedNamespace}/statefulsets/postgres`),
      undefined,
      "the stack is destroyed",
    );
    // With its data volumes: a stack made there again starts on fresh ones.
    const claims = await kube.list(`/api/v1/namespaces/${dedicatedNamespace}/persistentvolumeclaims`);
    assert.deepEqual(
      claims.map((c) => c.metadata.name).filter((n: string) => /^data-(postgres|redis)-0$/.test(n)),
      [],
    );
    assert.equal(Object.keys(await keyDump(servers[0].redis, moved)).length, KEYS + 1, "the serving copy stays");
    assert.deepEqual(
      (await driver.registry.stacks()).map((s) => [s.name, s.tenants]),
      [["dev-shared", [moved, stays]]],
    );
  });
});
