/**
 * The reference app (examples/app) under live traffic on the real node, driven by the driver: a load
 * writes to and reads from every tenant through the API Service its host is routed to (by the stacks'
 * Ingresses) while the fleet is upgraded and a tenant migrated, and afterwards every write the app
 * acknowledged is read back from the tenant's current database, none twice.
 * The tests are one scenario, in order: each starts from the fleet the one before left.
 */
import * as assert from "node:assert/strict";
import { type Driver, type DriverEvent, type FleetUpgradeResult } from "../../../automation";
import { AppClient, type IngressRoutes } from "../../support/appClient";
import { tagOf, type AppVersions } from "../../support/appImages";
import { OWN_CLUSTER } from "../../support/controlPlane";
import type { KubeClient } from "../../support/kube";
import { OneIngressPerHost } from "../../support/ingressWebhook";
import { LiveFleet } from "../../support/liveFleet";
import { spanMs, TrafficLoad } from "../../support/trafficLoad";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the reference app under live traffic", function () {
  // One dedicated tenant (solo) and a shared stack of two (s1, s2): test/support/liveFleet.ts.
  let fleet: LiveFleet;
  let solo: string, s1: string, s2: string, sharedNamespace: string;
  let kube: KubeClient;
  let driver: Driver;
  let versions: AppVersions;
  let clients: Record<string, AppClient>;
  let routes: IngressRoutes;
  const namespaceOf = (tenant: string) => (tenant === solo ? `tenantstack-dev-${solo}` : sharedNamespace);

  /** The image of every api and worker Deployment, read from the API server. */
  async function images(): Promise<Record<string, string>> {
    const found: Record<string, string> = {};
    for (const ns of [namespaceOf(solo), sharedNamespace])
      for (const name of ["api", "worker"])
        found[`${ns}/${name}`] = (
          await kube.get(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`)
        ).spec.template.spec.containers[0].image;
    return found;
  }

  /** Asserts that every write the load saw acknowledged is in the tenant's database, and no note is there twice. */
  async function assertWritesKept(load: TrafficLoad, tenant: string): Promise<void> {
    const acknowledged = load.of(tenant).acknowledged;
    assert.ok(acknowledged.length > 5, `${tenant}: the load wrote (${acknowledged.length} acknowledged)`);
    const notes = await clients[tenant].allNotes();
    const counts = new Map<string, number>();
    for (const note of notes) counts.set(note.text, (counts.get(note.text) ?? 0) + 1);
    const missing = acknowledged.filter((key) => !counts.has(key));
    if (missing.length) {
      const records = load.of(tenant).records.filter((r) => r.key && missing.includes(r.key));
      console.log(
        `      ${tenant}: missing writes: ${records.map((r) => `${r.key}@${new Date(r.at).toISOString().slice(11, 23)}->${r.address}`).join(" ")}`,
      );
    }
    const twice = [...counts].filter(([, count]) => count > 1).map(([key]) => key);
    // Nothing of another tenant's in its database.
    const foreign = [...counts.keys()].filter((text) => !text.startsWith(`${tenant}-`) && text !== `first note of ${tenant}`);
    assert.deepEqual({ missing, twice, foreign }, { missing: [], twice: [], foreign: [] }, `${tenant}: ${notes.length} notes`);
  }

  const statuses = (result: FleetUpgradeResult) => result.waves.map((wave) => wave.map((s) => `${s.stack}:${s.status}`));

  before(async function () {
    if (OWN_CLUSTER) this.skip(); // the app's versions are imported into the local node
    fleet = await LiveFleet.open();
    ({ solo, s1, s2 } = fleet.tenants);
    ({ sharedNamespace, kube, driver, versions, clients, routes } = fleet);
  });
  after(() => fleet?.close());

  it("serves every tenant from its own database: a tenant's notes are not another's", async () => {
    for (const tenant of [solo, s1, s2]) {
      const reply = await clients[tenant].send("POST", "/notes", { text: `first note of ${tenant}` });
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
    }
    for (const tenant of [solo, s1, s2])
      assert.deepEqual(
        (await clients[tenant].allNotes()).map((n) => n.text),
        [`first note of ${tenant}`],
      );
  });

  it("upgrades the fleet to a healthy version under load with no failed request, every acknowledged write kept", async () => {
    const load = new TrafficLoad(clients);
    load.start();
    let result: FleetUpgradeResult;
    try {
      await sleep(2000);
      result = await driver.fleetUpgrade({ version: tagOf(versions.next), canary: 1, waveSize: 1, concurrency: 1, rollback: true });
      await sleep(2000);
    } finally {
      await load.stop();
    }
    assert.equal(result.status, "succeeded", JSON.stringify(result));
    assert.deepEqual(statuses(result), [[`dev-${solo}:upgraded`], ["dev-shared:upgraded"]]);
    assert.deepEqual(new Set(Object.values(await images())), new Set([versions.next]));
    for (const tenant of [solo, s1, s2]) {
      assert.deepEqual(load.of(tenant).failed, [], `${tenant}: no request failed during the upgrade`);
      await assertWritesKept(load, tenant);
      // Served by the new version once the old pods' shutdown delay has passed.
      let version: string | undefined;
      for (let i = 0; i < 30 && version !== "1.0.1"; i++) {
        version = (await clients[tenant].send("GET", "/healthz")).body.version;
        if (version !== "1.0.1") await sleep(1000);
      }
      assert.equal(version, "1.0.1", `${tenant} is served by the new version`);
    }
  });

  it("stops a broken version (it exits at start) in its canary wave and rolls it back, the old pods serving throughout", async () => {
    const before = await images();
    const load = new TrafficLoad(clients);
    load.start();
    let result: FleetUpgradeResult;
    const started = Date.now();
    try {
      result = await driver.fleetUpgrade({ version: tagOf(versions.broken), canary: 1, waveSize: 1, concurrency: 1, rollback: true });
      await sleep(2000);
    } finally {
      await load.stop();
    }
    assert.equal(result.status, "failed", JSON.stringify(result));
    // The update failed at the rollout's timeout (rolloutTimeoutSeconds), naming the Deployment's condition.
    assert.match(JSON.stringify(result), /ProgressDeadlineExceeded/);
    console.log(`      the broken version stopped and rolled back in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    assert.equal(result.failedStack, `dev-${solo}`);
    assert.deepEqual(statuses(result), [[`dev-${solo}:rolled-back`], ["dev-shared:untouched"]]);
    assert.deepEqual(await images(), before, "every Deployment runs the version before the upgrade");
    assert.deepEqual(
      (await driver.registry.list()).map((t) => [t.name, t.version]),
      [solo, s1, s2].map((t) => [t, tagOf(versions.next)]),
    );
    for (const tenant of [solo, s1, s2]) {
      assert.deepEqual(load.of(tenant).failed, [], `${tenant}: no request failed while the broken version was tried`);
      await assertWritesKept(load, tenant);
    }
  });

  it("migrates a shared tenant to a stack of its own and back under load: every acknowledged write kept, none in another tenant's database, its writes refused as read-only while drained, the others untouched", async function () {
    const load = new TrafficLoad(clients);
    load.start();
    const results: { status: string; step?: unknown }[] = [];
    const windows: number[] = [];
    // When each stack step and migration step began and ended, to read the failures against.
    const events: string[] = [];
    const timeline = {
      push: (e: DriverEvent) => {
        if ((e.type === "stack" || e.type === "migration") && e.status !== "log")
          events.push(`${new Date().toISOString()} ${e.type === "stack" ? `${e.stack} ${e.detail ?? ""}` : e.step} ${e.status}`);
      },
    };
    try {
      await sleep(2000);
      const out = await driver.migrate({ tenant: s1, to: "dedicated", operationId: `out-${fleet.run}`, onEvent: timeline.push });
      assert.equal(out.status, "succeeded", JSON.stringify(out));
      results.push(out);
      await sleep(3000);
      windows.push(load.readOnlyWindow(s1));
      const backAt = Date.now();
      const back = await driver.migrate({ tenant: s1, rollback: true, operationId: `back-${fleet.run}`, onEvent: timeline.push });
      results.push(back);
      await sleep(3000);
      windows.push(load.readOnlyWindow(s1, backAt));
    } finally {
      await load.stop();
    }
    assert.deepEqual(
      results.map((r) => r.status),
      ["succeeded", "succeeded"],
      JSON.stringify(results),
    );
    assert.equal((await driver.registry.show(s1)).plan, "shared");
    assert.equal(routes.address(`${s1}.example.com`), await AppClient.serviceAddress(kube, sharedNamespace));
    // The moved tenant: every acknowledged write in its database (the shared stack's again); reads never
    // failed; writes refused only as read-only (503, Retry-After) while drained.
    await assertWritesKept(load, s1);
    // What failed of it: writes refused as read-only while drained (the maintenance flag, the fenced
    // database and Redis user), nothing else. The switch hands the host over: the target claims it
    // before the source lets it go, so there is no moment in which no stack serves it.
    const { readOnly, unrouted, other } = load.failures(s1);
    if (unrouted.length + other.length > 0) {
      const addresses = Object.fromEntries(
        await Promise.all(fleet.namespaces().map(async (ns) => [await AppClient.serviceAddress(kube, ns), ns] as const)),
      );
      console.log(events.join("\n"));
      for (const r of [...unrouted, ...other])
        console.log(`${new Date(r.at).toISOString()} ${r.kind} ${r.status} ${addresses[r.address ?? ""] ?? r.address} ${r.error}`);
    }
    assert.deepEqual(unrouted, [], "no request found its host routed nowhere or to a stack that no longer serves it");
    assert.deepEqual(other, [], "nothing but read-only refusals of writes");
    assert.ok(readOnly.length > 0, "the drain refused writes");
    // The others: every request succeeded.
    for (const tenant of [solo, s2]) {
      assert.deepEqual(load.of(tenant).failed, [], `${tenant}: no request failed during the migrations`);
      await assertWritesKept(load, tenant);
    }
    console.log(
      `      ${s1}: read-only window out ${(windows[0] / 1000).toFixed(1)} s (${readOnly.length} writes refused both ways); ` +
        `back ${(windows[1] / 1000).toFixed(1)} s`,
    );
  });

  it("on a cluster that allows one Ingress per host (ingress-nginx's admission webhook), moves a tenant all the same: the source lets the host go first", async () => {
    // The last test: s2 stays on its own stack.
    const webhook = await OneIngressPerHost.start(kube, `one-ingress-per-host-${fleet.run}`, fleet.namespaces());
    const load = new TrafficLoad(clients);
    load.start();
    let result: Awaited<ReturnType<Driver["migrate"]>>;
    try {
      await sleep(2000);
      result = await driver.migrate({ tenant: s2, to: "dedicated", operationId: `webhook-${fleet.run}` });
      await sleep(3000);
    } finally {
      await load.stop();
      await webhook.close();
    }
    assert.equal(result.status, "succeeded", JSON.stringify(result));
    // The target's claim was refused while the source held the host, and granted once it let go.
    assert.ok(
      webhook.refused.some((m) => m.startsWith(`host "${s2}.example.com" and path "/" is already defined in ingress ${sharedNamespace}/`)),
      webhook.refused.join("; "),
    );
    const route = result.steps.find((s) => s.step === `dev-${s2}:route`);
    assert.deepEqual([route?.status, route?.attempts], ["done", 2]);
    assert.equal(routes.address(`${s2}.example.com`), await AppClient.serviceAddress(kube, `tenantstack-dev-${s2}`));
    await assertWritesKept(load, s2);
    // Its failures: writes refused as read-only, and the requests sent while its host was on no Ingress.
    const { readOnly, unrouted, other } = load.failures(s2);
    assert.deepEqual(other, [], "nothing but read-only refusals and the unrouted moment");
    for (const tenant of [solo, s1]) assert.deepEqual(load.of(tenant).failed, [], `${tenant}: no request failed`);
    console.log(
      `      ${s2}: read-only window ${(load.readOnlyWindow(s2) / 1000).toFixed(1)} s (${readOnly.length} writes refused); ` +
        `host on no Ingress ${(spanMs(unrouted) / 1000).toFixed(1)} s (${unrouted.length} requests)`,
    );
  });
});
