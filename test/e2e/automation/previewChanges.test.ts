/**
 * A preview shows what changes, on the real engine and the local cluster: after a dedicated tenant's
 * `api.replicas` goes from 1 to 2 in the registry, the library's result, the CLI (`--json`, and its
 * human summary with the legend) and `GET /operations/{id}` list `spec.replicas` for the stack's api
 * Deployment, the keys the Kubernetes provider gives only in the events' detailed diff. No value
 * read back from the cluster (the pods' settings checksum, the generated credentials) is shown, and
 * nothing is applied. The tests run in order: the first provisions the tenant.
 */
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { Driver, type OperationResult, type ResourceChange } from "../../../automation";
import { buildServer } from "../../../automation/http/server";
import { KUBECONFIG } from "../../support/controlPlane";
import { cliInProcess } from "./cliInProcess";
import { testTenantSettings as tenantSettings } from "../../support/devStack";
import { finishedOperation } from "../../support/httpOperation";
import { KubeClient } from "../../support/kube";
import { removeNamespace, testDir } from "../../support/testRun";

/** The api Deployment's URN ends so in every stack: the AppStack's Api component's Deployment. */
const API_DEPLOYMENT = /tenantstack:workload:Api\$kubernetes:apps\/v1:Deployment::[^:]+$/;

describe("a preview's changed keys on the real engine", function () {
  const run = randomBytes(2).toString("hex");
  const tenant = `p${run}-a`;
  const stack = `dev-${tenant}`;
  const namespace = `tenantstack-${stack}`;
  const stateDir = testDir("preview");
  const passphrase = randomBytes(16).toString("hex");
  let kube: KubeClient;
  let driver: Driver;

  const deployment = () => kube.get(`/apis/apps/v1/namespaces/${namespace}/deployments/api`);
  /** Values on the cluster that a preview must never show: the api pods' settings checksum and the credentials. */
  async function clusterValues(): Promise<string[]> {
    const checksum = (await deployment()).spec.template.metadata.annotations["tenantstack.io/settings-checksum"];
    const credentials = await kube.get(`/api/v1/namespaces/${namespace}/secrets/credentials`);
    const encoded = Object.values(credentials?.data ?? {}) as string[];
    return [checksum, ...encoded, ...encoded.map((value) => Buffer.from(value, "base64").toString())].filter((v) => v.length >= 16);
  }
  /** The stack's changes in a result: its counts, and the api Deployment's entry. */
  function apiChange(result: OperationResult): { counts: number[]; api?: ResourceChange } {
    const outcome = result.stacks.find((s) => s.stack === stack);
    assert.equal(outcome?.status, "succeeded", JSON.stringify(outcome?.error));
    const changes = outcome!.result!.changes!;
    return {
      counts: [changes.creates, changes.updates, changes.replaces, changes.deletes],
      api: changes.resources.find((r) => API_DEPLOYMENT.test(r.urn)),
    };
  }
  /** Asserts that a result lists `spec.replicas` for the api Deployment as an update, and shows no value of `values`. */
  function assertReplicasListed(result: OperationResult, values: readonly string[], surface: string): void {
    const { counts, api } = apiChange(result);
    assert.deepEqual([counts[0], counts[2], counts[3]], [0, 0, 0], `${surface}: nothing created, replaced or deleted`);
    assert.equal(api?.kind, "update", `${surface}: ${JSON.stringify(result.stacks[0].result?.changes)}`);
    // Scaling changes no pod: the pods' settings checksum leaves the replica count out.
    assert.deepEqual(api.diffs, ["spec.replicas"], `${surface}: ${JSON.stringify(api)}`);
    assert.deepEqual(
      api.properties.find((p) => p.path === "spec.replicas"),
      { path: "spec.replicas", kind: "update", replaces: false, secret: false },
      surface,
    );
    const text = JSON.stringify(result);
    for (const value of values) assert.ok(!text.includes(value), `${surface}: a value read from the cluster is shown`);
  }
  /** Runs the CLI against the suite's state directory. */
  const cli = (...args: string[]) => cliInProcess(stateDir, passphrase, args);

  before(async () => {
    kube = KubeClient.fromKubeconfig(KUBECONFIG);
    driver = await Driver.open({ workspace: { stateDir, passphrase, env: { KUBECONFIG } }, poolSize: 1 });
  });
  after(async () => {
    await driver?.close();
    await removeNamespace(kube, namespace);
    kube?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("provisions a dedicated tenant with one api replica", async () => {
    const settings = tenantSettings();
    assert.equal(settings.api.replicas, 1);
    const provisioned = await driver.provision({
      name: tenant,
      host: `${tenant}.example.com`,
      plan: "dedicated",
      version: "1.0.0",
      settings,
    });
    assert.equal(provisioned.status, "succeeded", JSON.stringify(provisioned.stacks.map((s) => s.error)));
    assert.equal((await deployment()).spec.replicas, 1);
  });

  it("lists spec.replicas for the api Deployment after api.replicas 1 -> 2 in the library, the CLI and over HTTP; applies nothing", async () => {
    const registered = await driver.registry.show(tenant);
    const settings = { ...registered.settings, api: { ...(registered.settings.api as object), replicas: 2 } };
    // The registry's settings changed the way a migration's routing switch changes them; no stack is touched.
    await driver.registry.place(tenant, { plan: registered.plan, cluster: registered.cluster, settings });
    const values = await clusterValues();
    assert.ok(values.length >= 4, `the checksum and the credentials were read back (${values.length} values)`);

    assertReplicasListed(await driver.preview({ tenants: [tenant] }), values, "library");

    const json = await cli("--json", "preview", "--tenant", tenant);
    assert.equal(json.code, 0, json.out + json.err);
    assertReplicasListed(JSON.parse(json.out), values, "CLI --json");

    const human = await cli("preview", "--tenant", tenant);
    assert.equal(human.code, 0, human.out + human.err);
    const lines = human.out.trimEnd().split("\n");
    const resourceLine = lines.findIndex((line) => /^ {4}~ {2}kubernetes:apps\/v1:Deployment \S+-api-deployment$/.test(line));
    assert.ok(resourceLine > 0, `the api Deployment is listed as updated:\n${human.out}`);
    const after = lines.slice(resourceLine + 1);
    const end = after.findIndex((line) => !line.startsWith("       "));
    const keys = end < 0 ? after : after.slice(0, end);
    assert.ok(keys.includes("       ~ spec.replicas"), `spec.replicas is listed under it:\n${human.out}`);
    assert.deepEqual(lines.slice(-2), [
      "legend: + create  ~ update  - delete  +- replace",
      "        keys: + added  ~ changed  - removed; (replaces) forces the replacement; [secret] a secret, nothing beneath it shown",
    ]);
    assert.equal(lines.filter((line) => line.startsWith("legend:")).length, 1, "the legend is printed once");
    for (const value of values)
      assert.ok(!human.out.includes(value) && !human.err.includes(value), "CLI: a value read from the cluster is shown");

    const token = randomBytes(16).toString("hex");
    const headers = { authorization: `Bearer ${token}` };
    const app = buildServer(driver, { token });
    try {
      const started = await app.inject({ method: "POST", url: "/operations", headers, payload: { kind: "preview", tenants: [tenant] } });
      assert.equal(started.statusCode, 202, started.body);
      const operation = await finishedOperation(app, started.json().id, headers);
      assert.equal(operation.status, "succeeded", JSON.stringify(operation));
      assertReplicasListed(operation.result, values, "HTTP");
    } finally {
      await app.close();
    }

    assert.equal((await deployment()).spec.replicas, 1, "a preview applies nothing");
  });
});
