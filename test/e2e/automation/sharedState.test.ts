/**
 * State the drivers (and later their runners) share: a `s3://` backend on an S3-compatible object
 * store built here (gofakes3, built by tools/cluster/build.sh), and one registry. Two drivers with state directories of
 * their own, as on two hosts, see the same stacks: what one deploys, the other previews as unchanged
 * and updates; the stack's checkpoint is an object of the bucket, not a file of either driver.
 */
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { Driver, WorkspaceFactory } from "../../../automation";
import { KUBECONFIG } from "../../support/controlPlane";
import { dedicatedTestTenant } from "../../support/devStack";
import { KubeClient } from "../../support/kube";
import { ObjectStore } from "../../support/objectStore";
import { removeNamespace, testDir } from "../../support/testRun";

describe("state shared by drivers on an S3-compatible backend", function () {
  const run = randomBytes(2).toString("hex");
  const tenant = `ss${run}`;
  const stack = `dev-${tenant}`;
  const namespace = `tenantstack-${stack}`;
  const dir = testDir("shared-state");
  const passphrase = randomBytes(16).toString("hex");
  let store: ObjectStore;
  let kube: KubeClient;
  const drivers: Driver[] = [];

  /** A driver as on a host of its own: its own state directory, the shared backend and registry. */
  const openDriver = async (host: string) => {
    const stateDir = path.join(dir, host);
    mkdirSync(stateDir, { recursive: true });
    const workspace = { stateDir, passphrase, backendUrl: store.backendUrl(), env: { KUBECONFIG, ...store.env } };
    const driver = await Driver.open({ workspace, database: path.join(dir, "registry.db"), poolSize: 1 });
    drivers.push(driver);
    return { driver, factory: await WorkspaceFactory.create(workspace) };
  };

  /** The keys of the bucket's objects (ListObjectsV2). */
  const objects = async () => {
    const xml = await (await fetch(`${store.endpoint}/${store.bucket}?list-type=2`)).text();
    return [...xml.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
  };

  before(async () => {
    mkdirSync(dir, { recursive: true });
    store = await ObjectStore.start();
    kube = KubeClient.fromKubeconfig(KUBECONFIG);
  });
  after(async () => {
    for (const driver of drivers) await driver.close();
    await removeNamespace(kube, namespace);
    kube?.close();
    await store?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps a stack one driver deployed in the bucket, where a driver on another host previews it unchanged and updates it", async () => {
    const a = await openDriver("host-a");
    const provisioned = await a.driver.provision(dedicatedTestTenant(tenant));
    assert.equal(provisioned.status, "succeeded", JSON.stringify(provisioned.stacks[0].error));
    const keys = await objects();
    assert.ok(
      keys.some((k) => k.endsWith(`/stacks/tenantstack/${stack}.json`)),
      `the stack's checkpoint is in the bucket: ${keys.join(", ")}`,
    );
    assert.ok(((await a.factory.resourceCounts()).get(stack) ?? 0) > 20);

    const b = await openDriver("host-b");
    assert.equal((await b.factory.resourceCounts()).get(stack), (await a.factory.resourceCounts()).get(stack));
    const preview = await b.driver.preview({ tenants: [tenant] });
    assert.equal(preview.status, "succeeded", JSON.stringify(preview));
    const changes = preview.stacks[0].result!.changes!;
    assert.deepEqual([changes.creates, changes.updates, changes.deletes, changes.replaces], [0, 0, 0, 0], JSON.stringify(changes));

    // An update through the second driver lands in the stack the first deployed.
    await b.driver.registry.update(tenant, { settings: { api: { replicas: 2 } } });
    const up = await b.driver.up({ tenants: [tenant] });
    assert.equal(up.status, "succeeded", JSON.stringify(up));
    assert.equal((await kube.get(`/apis/apps/v1/namespaces/${namespace}/deployments/api`)).spec.replicas, 2);
  });
});
