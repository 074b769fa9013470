/**
 * A tenant moved to another cluster by the driver: two local control planes (`local` and `edge`),
 * each stack's engine, drain and health gate on the API server of its own cluster, the data on real
 * Postgres and Redis servers (one pair per stack), every object read back from the cluster that
 * must hold it. The tests are one scenario, run in order: each starts where the one before left the
 * tenant (its move, then the gc of its source), so none runs on its own.
 */
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { Driver, InputError } from "../../../automation";
import { staticDataPlane } from "../../../automation/migration/staticDataPlane";
import { tenantDatabase } from "../../../schema/naming";
import { EDGE_CLUSTER, KUBECONFIG } from "../../support/controlPlane";
import { testTenantSettings as tenantSettings } from "../../support/devStack";
import { KubeClient } from "../../support/kube";
import { removeNamespace, testDir } from "../../support/testRun";
import { PostgresServer, RedisServer, useDataServerBinaries } from "./data/servers";
import { ingressHosts, KEYS, keyDump, seedTenant, tableDigests } from "./tenantData";

describe("tenant migration to another cluster", function () {
  const run = randomBytes(2).toString("hex");
  const tenant = `x${run}`;
  const host = `${tenant}.example.com`;
  const namespace = `tenantstack-dev-${tenant}`;
  const [sourceStack, targetStack] = [`dev-${tenant}`, `dev-${tenant}.edge`];
  const stateDir = testDir("cross-cluster");
  const passphrase = randomBytes(16).toString("hex");
  const servers: { postgres: PostgresServer; redis: RedisServer }[] = [];
  let local: KubeClient;
  let edge: KubeClient;
  let driver: Driver;

  /** The api Deployment's image on a cluster (undefined when there is none). */
  const apiImage = async (kube: KubeClient) =>
    (await kube.get(`/apis/apps/v1/namespaces/${namespace}/deployments/api`))?.spec.template.spec.containers[0].image;

  before(async function () {
    this.timeout(600_000);
    EDGE_CLUSTER.ensure();
    local = KubeClient.fromKubeconfig(KUBECONFIG);
    edge = KubeClient.fromKubeconfig(EDGE_CLUSTER.kubeconfig);
    useDataServerBinaries();
    for (const name of ["local", "edge"])
      servers.push({ postgres: await PostgresServer.start(name), redis: await RedisServer.start(name) });
    const endpoints = Object.fromEntries(
      [sourceStack, targetStack].map((stack, i) => [stack, { postgresUrl: servers[i].postgres.url, redisUrl: servers[i].redis.url }]),
    );
    driver = await Driver.open({
      workspace: {
        stateDir,
        passphrase,
        clusters: { local: { kubeconfig: KUBECONFIG }, edge: { kubeconfig: EDGE_CLUSTER.kubeconfig } },
      },
      poolSize: 1,
      migration: { dataPlane: staticDataPlane(endpoints), removalGraceMs: 60_000 },
    });
    await driver.registry.create({ name: tenant, host, plan: "dedicated", version: "1.0.0", settings: tenantSettings() });
    const up = await driver.up();
    assert.equal(up.status, "succeeded", JSON.stringify(up.stacks.map((s) => s.error)));
    await seedTenant(servers[0].postgres, servers[0].redis, tenant);
  });

  after(async () => {
    await driver?.close();
    for (const kube of [local, edge]) {
      if (kube) await removeNamespace(kube, namespace);
      kube?.close();
    }
    for (const { postgres, redis } of servers) await Promise.all([postgres.stop(), redis.stop()]);
    rmSync(stateDir, { recursive: true, force: true });
    EDGE_CLUSTER.release();
  });

  it("refuses a tenant on an unknown cluster, and a move to where the tenant is, touching nothing", async () => {
    await assert.rejects(
      driver.registry.create({ name: `y${run}`, host: `y${run}.example.com`, plan: "dedicated", version: "1.0.0", cluster: "mars" }),
      (error: Error) =>
        error instanceof InputError && /`cluster` must be one of the driver's clusters \["local","edge"\]/.test(error.message),
    );
    await assert.rejects(
      driver.migrate({ tenant, to: "dedicated", cluster: "local" }),
      /`to` must differ from the plan of tenant "x[0-9a-f]+", or `cluster` from its cluster: it is dedicated on "local" already/,
    );
    assert.deepEqual(
      (await driver.registry.list()).map((t) => [t.name, t.cluster]),
      [[tenant, "local"]],
    );
    assert.equal(await edge.get(`/api/v1/namespaces/${namespace}`), undefined, "nothing on the edge cluster");
    assert.equal(await apiImage(local), "hashicorp/http-echo:1.0.0", "the stack runs on the local cluster");
  });

  it("moves a dedicated tenant to the edge cluster: the target stack and its routing on edge, the data equal, the source unrouted", async () => {
    const digests = await tableDigests(servers[0].postgres, tenantDatabase(tenant));
    const keys = await keyDump(servers[0].redis, tenant);

    const planned = await driver.migrate({ tenant, to: "dedicated", cluster: "edge", dryRun: true });
    assert.deepEqual(planned.stacks, { source: sourceStack, target: targetStack });

    const result = await driver.migrate({ tenant, to: "dedicated", cluster: "edge", operationId: `edge-${run}` });
    assert.equal(result.status, "succeeded", JSON.stringify(result));
    assert.deepEqual(result.stacks, { source: sourceStack, target: targetStack });
    assert.deepEqual(await tableDigests(servers[1].postgres, tenantDatabase(tenant)), digests);
    assert.deepEqual(await keyDump(servers[1].redis, tenant), keys);
    assert.equal(Object.keys(keys).length, KEYS);

    // Each stack's objects are on its own cluster's API server.
    assert.deepEqual(await ingressHosts(edge, namespace), [host], "edge routes the host");
    assert.deepEqual(await ingressHosts(local, namespace), [], "local no longer routes it");
    assert.equal(await apiImage(edge), "hashicorp/http-echo:1.0.0");
    assert.equal((await edge.get(`/api/v1/namespaces/${namespace}/services/api`))?.metadata.name, "api", "the target's Service is on edge");
    assert.equal((await driver.registry.show(tenant)).cluster, "edge");
    assert.deepEqual(
      (await driver.registry.stacks()).map((s) => [s.name, s.cluster, s.tenants]),
      [
        [targetStack, "edge", [tenant]],
        [sourceStack, "local", [tenant]],
      ],
      "the source copy is kept through its grace period",
    );
  });

  it("gc destroys the source stack on the local cluster only; a fleet upgrade then updates and health-checks the tenant on edge", async () => {
    const [record] = await driver.migrations.list();
    const removed = await driver.gc({ now: new Date(new Date(record.removeAfter!).getTime() + 1000) });
    assert.equal(removed.status, "succeeded", JSON.stringify(removed));
    assert.deepEqual(
      removed.removals.map((r) => [r.stack, r.status, r.destroyed]),
      [[sourceStack, "removed", true]],
    );
    assert.equal(await apiImage(local), undefined, "the source stack is gone from local");
    assert.equal(await apiImage(edge), "hashicorp/http-echo:1.0.0", "the target stays on edge");
    assert.equal(Object.keys(await keyDump(servers[1].redis, tenant)).length, KEYS, "the serving copy stays");

    const upgrade = await driver.fleetUpgrade({ version: "1.0.1", canary: 1 });
    assert.equal(upgrade.status, "succeeded", JSON.stringify(upgrade));
    const [[upgraded]] = upgrade.waves;
    assert.equal(upgraded.stack, targetStack);
    assert.ok(
      upgraded.health?.workloads.some((w) => w.name === "Deployment/api" && w.ready),
      `the health gate read the edge cluster's workloads: ${JSON.stringify(upgraded.health)}`,
    );
    assert.equal(await apiImage(edge), "hashicorp/http-echo:1.0.1");
  });
});
