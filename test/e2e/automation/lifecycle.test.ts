/**
 * A tenant's lifecycle on the real engine and the local cluster, through the CLI and the HTTP API: an
 * update previewed (nothing stored or changed) then applied; a deletion refused while the tenant's
 * stack is live (the stack and the registration untouched), then with `--destroy` the stack destroyed
 * and the registration deleted in one journaled operation; a shared tenant deleted with its shared
 * stack updated without it. Liveness is read back from the backend (`pulumi stack ls`), workloads from
 * the API server. The tests are one scenario, run in order: each starts where the one before left.
 */
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { FastifyInstance } from "fastify";
import { Driver, TenantNotFoundError, WorkspaceFactory } from "../../../automation";
import { buildServer } from "../../../automation/http/server";
import { KUBECONFIG } from "../../support/controlPlane";
import { cliInProcess } from "./cliInProcess";
import { dedicatedTestTenant, testTenantSettings as tenantSettings } from "../../support/devStack";
import { finishedOperation } from "../../support/httpOperation";
import { ingressHosts, KubeClient } from "../../support/kube";
import { removeNamespace, testDir } from "../../support/testRun";

const apps = (ns: string, kind: string, name: string) => `/apis/apps/v1/namespaces/${ns}/${kind}/${name}`;

describe("a tenant's lifecycle on the real engine", function () {
  const run = randomBytes(2).toString("hex");
  const [tenant, s1, s2] = ["t", "s1", "s2"].map((t) => `l${run}-${t}`);
  const stack = `dev-${tenant}`;
  const namespace = `tenantstack-${stack}`;
  const sharedNamespace = `l${run}-shared`;
  const stateDir = testDir("lifecycle");
  const passphrase = randomBytes(16).toString("hex");
  const workspace = { stateDir, passphrase, env: { KUBECONFIG } };
  const token = randomBytes(16).toString("hex");
  const headers = { authorization: `Bearer ${token}` };
  let kube: KubeClient;
  let driver: Driver;
  let app: FastifyInstance;
  let factory: WorkspaceFactory;

  /** The resources of a stack in the backend, as `pulumi stack ls` counts them (undefined: no such stack). */
  const resources = async (name: string) => (await factory.resourceCounts()).get(name);

  /** Runs the CLI in this process on the scenario's state directory. */
  const cli = (...args: string[]) => cliInProcess(stateDir, passphrase, args);

  before(async () => {
    kube = KubeClient.fromKubeconfig(KUBECONFIG);
    driver = await Driver.open({ workspace, poolSize: 1 });
    factory = await WorkspaceFactory.create(workspace);
    app = buildServer(driver, { token });
  });
  after(async () => {
    await app?.close();
    await driver?.close();
    for (const ns of [namespace, sharedNamespace]) await removeNamespace(kube, ns);
    kube?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("provisions a dedicated tenant, whose stack the backend then lists as live", async () => {
    const provisioned = await driver.provision(dedicatedTestTenant(tenant));
    assert.equal(provisioned.status, "succeeded", JSON.stringify(provisioned.stacks[0].error));
    assert.ok(((await resources(stack)) ?? 0) > 20, `${stack} holds its resources`);
  });

  it("refuses to delete the tenant while its stack is live (CLI exit 2, HTTP 409), leaving the stack and the registration", async () => {
    const before = await resources(stack);
    const refused = await cli("tenant", "delete", tenant);
    assert.equal(refused.code, 2, refused.err);
    assert.match(refused.err, new RegExp(`Tenant "${tenant}" has a stack of its own, "${stack}", which is live \\(${before} resources\\)`));
    const http = await app.inject({ method: "DELETE", url: `/tenants/${tenant}`, headers });
    assert.equal(http.statusCode, 409, http.body);
    assert.equal(http.json().error.code, "stack_live");
    assert.equal((await driver.registry.show(tenant)).name, tenant);
    assert.ok(await kube.get(apps(namespace, "deployments", "api")), "the stack's workloads still run");
    assert.equal(await resources(stack), before);
  });

  it("previews an update with --dry-run, storing and changing nothing, then stores it with PATCH and applies it with up", async () => {
    const patch = path.join(stateDir, "patch.json");
    writeFileSync(patch, JSON.stringify({ api: { replicas: 2 } }));
    const dry = await cli("--json", "tenant", "update", tenant, "--settings", patch, "--dry-run");
    assert.equal(dry.code, 0, dry.err);
    const previewed = JSON.parse(dry.out);
    assert.deepEqual(
      [previewed.status, previewed.dryRun, previewed.changed, previewed.stack],
      ["succeeded", true, ["settings.api.replicas"], stack],
    );
    const changes = previewed.stacks[0].result.changes;
    assert.ok(
      changes.resources.some(
        (r: { type: string; urn: string; kind: string }) =>
          r.type === "kubernetes:apps/v1:Deployment" && r.urn.endsWith("::tenantstack-api-deployment") && r.kind === "update",
      ),
      `the preview updates the api Deployment: ${JSON.stringify(changes.resources)}`,
    );
    assert.equal(changes.creates + changes.deletes + changes.replaces, 0);
    assert.equal(((await driver.registry.show(tenant)).settings as any).api.replicas, 1, "a dry run stores nothing");
    assert.equal((await kube.get(apps(namespace, "deployments", "api"))).spec.replicas, 1, "and changes nothing");

    const stored = await app.inject({
      method: "PATCH",
      url: `/tenants/${tenant}`,
      headers: { ...headers, "content-type": "application/merge-patch+json" },
      payload: { settings: { api: { replicas: 2 } } },
    });
    assert.equal(stored.statusCode, 200, stored.body);
    assert.deepEqual(stored.json().changed, ["settings.api.replicas"]);
    assert.equal((await kube.get(apps(namespace, "deployments", "api"))).spec.replicas, 1, "the stack follows at its next up");
    const up = await driver.up({ tenants: [tenant] });
    assert.equal(up.status, "succeeded", JSON.stringify(up.stacks[0].error));
    assert.equal((await kube.get(apps(namespace, "deployments", "api"))).spec.replicas, 2);
  });

  it("deletes the tenant with --destroy: protected data refused first, then its stack destroyed and its registration deleted, journaled", async () => {
    const kept = await cli("tenant", "delete", tenant, "--destroy");
    assert.equal(kept.code, 5, `${kept.out}${kept.err}`);
    assert.match(kept.out, /registration kept/);
    assert.equal((await driver.registry.show(tenant)).name, tenant);
    assert.ok(await kube.get(apps(namespace, "statefulsets", "postgres")), "nothing was destroyed");

    const operationId = `bye-${run}`;
    const deleted = await cli("--json", "tenant", "delete", tenant, "--destroy", "--force-destroy-data", "--operation-id", operationId);
    assert.equal(deleted.code, 0, deleted.err);
    const result = JSON.parse(deleted.out);
    assert.deepEqual([result.status, result.action, result.deleted], ["succeeded", "destroyed", true]);
    assert.equal(await kube.get(apps(namespace, "deployments", "api")), undefined);
    assert.equal(await kube.get(apps(namespace, "statefulsets", "postgres")), undefined);
    assert.equal(
      (await kube.get(`/api/v1/namespaces/${namespace}/persistentvolumeclaims/data-postgres-0`))?.metadata.name,
      "data-postgres-0",
      "the data volume is retained, as with any destroy",
    );
    assert.equal(await resources(stack), 0, "the backend's stack holds nothing");
    await assert.rejects(driver.registry.show(tenant), TenantNotFoundError);
    const operation = await driver.journal.get(operationId);
    assert.deepEqual([operation?.kind, operation?.status], ["delete-tenant", "succeeded"]);
    assert.deepEqual(
      (await driver.journal.steps(operationId)).map((s) => [s.step, s.status]),
      [
        [`${stack}:destroy`, "done"],
        ["registry:delete", "done"],
      ],
    );

    const again = await cli("--json", "tenant", "delete", tenant, "--destroy", "--force-destroy-data", "--operation-id", operationId);
    assert.equal(again.code, 0, again.err);
    assert.equal(JSON.parse(again.out).resumed, true, "a re-run of the id reports the finished deletion");
  });

  it("deletes a shared tenant over HTTP with destroy=true: the shared stack updated without it, the other tenant still served", async () => {
    await driver.registry.create({
      name: s1,
      host: `${s1}.example.com`,
      plan: "shared",
      version: "1.0.0",
      settings: { ...tenantSettings(), namespace: sharedNamespace },
    });
    await driver.registry.create({ name: s2, host: `${s2}.example.com`, plan: "shared", version: "1.0.0" });
    const up = await driver.up({ tenants: [s1] });
    assert.equal(up.status, "succeeded", JSON.stringify(up.stacks[0].error));
    assert.deepEqual((await ingressHosts(kube, sharedNamespace)).sort(), [`${s1}.example.com`, `${s2}.example.com`].sort());

    const refused = await app.inject({ method: "DELETE", url: `/tenants/${s1}`, headers });
    assert.equal(refused.statusCode, 409, refused.body);
    assert.match(refused.json().error.message, /is in the shared stack "dev-shared", which is live/);

    const started = await app.inject({ method: "DELETE", url: `/tenants/${s1}?destroy=true`, headers });
    assert.equal(started.statusCode, 202, started.body);
    const operation = await finishedOperation(app, started.json().id, headers);
    assert.deepEqual(
      [operation.status, operation.result.action, operation.result.deleted],
      ["succeeded", "left", true],
      JSON.stringify(operation),
    );
    assert.deepEqual(
      operation.steps.map((s: { step: string; status: string }) => [s.step, s.status]),
      [
        ["dev-shared:leave", "done"],
        ["registry:delete", "done"],
      ],
    );
    assert.deepEqual(await ingressHosts(kube, sharedNamespace), [`${s2}.example.com`]);
    const credentials = Object.keys((await kube.get(`/api/v1/namespaces/${sharedNamespace}/secrets/tenant-credentials`)).data);
    assert.deepEqual(
      [credentials.some((key) => key.startsWith(s1)), credentials.some((key) => key.startsWith(s2))],
      [false, true],
      "the deleted tenant's credentials left the shared stack",
    );
    assert.deepEqual(
      (await driver.registry.list()).map((t) => t.name),
      [s2],
    );
  });
});
