/**
 * A tenant's update and deletion over the HTTP API and the CLI: the same requests, checks and errors
 * as the library's (one request table), with their statuses and exit codes.
 */
import * as assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import type { FastifyInstance } from "fastify";
import { AcceptedSchema, TenantUpdateSchema } from "../../../../automation/http/openapi";
import { buildServer } from "../../../../automation/http/server";
import { finishedOperation } from "../../../support/httpOperation";
import { type LifecycleHarness, lifecycleHarness, PASSPHRASE, settingsOf, tenantInput, UP_RESOURCES } from "./harness";
import { type CliRun, runCli } from "../../../support/cliRun";

describe("updating and deleting a tenant over HTTP and the CLI", () => {
  let harness: LifecycleHarness;
  beforeEach(async () => {
    harness = await lifecycleHarness();
    await harness.driver.registry.create(tenantInput("acme"));
  });
  afterEach(() => harness.close());
  const registered = async () => (await harness.driver.registry.list()).map((t) => t.name);

  describe("the HTTP API", () => {
    const token = "unit-test-token-0123456789";
    const headers = { authorization: `Bearer ${token}` };
    let app: FastifyInstance;
    beforeEach(() => {
      app = buildServer(harness.driver, { token });
    });
    afterEach(() => app.close());
    const inject = (method: "DELETE" | "PATCH", url: string, payload?: object, type = "application/json") =>
      app.inject({ method, url, headers: { ...headers, ...(payload ? { "content-type": type } : {}) }, payload });

    it("refuses to delete a tenant whose stack is live (409 stack_live), deletes one whose stack is not (204)", async () => {
      harness.executor.setStack("dev-acme", UP_RESOURCES);
      const refused = await inject("DELETE", "/tenants/acme");
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(refused.json().error.code, "stack_live");
      assert.match(refused.json().error.message, /^Tenant "acme" has a stack of its own, "dev-acme", which is live \(31 resources\)/);
      assert.deepEqual(await registered(), ["acme"]);

      harness.executor.setStack("dev-acme", 0);
      const deleted = await inject("DELETE", "/tenants/acme");
      assert.equal(deleted.statusCode, 204, deleted.body);
      assert.deepEqual(await registered(), []);
      assert.equal((await inject("DELETE", "/tenants/acme")).statusCode, 404);
    });

    it("deletes with ?destroy=true as an operation to follow: the stack destroyed, then the tenant", async () => {
      harness.executor.setStack("dev-acme", UP_RESOURCES);
      const misspelt = await inject("DELETE", "/tenants/acme?destory=true");
      assert.equal(misspelt.statusCode, 400);
      assert.match(misspelt.json().error.problems[0], /^`destory` is not a known setting \(did you mean "destroy"\?\)/);
      const alone = await inject("DELETE", "/tenants/acme?forceDestroyData=true");
      assert.deepEqual(alone.json().error.problems, [
        "`forceDestroyData` needs `destroy`: only a stack being destroyed loses its data (got true)",
      ]);

      const started = await inject("DELETE", "/tenants/acme?destroy=true&forceDestroyData=true&operationId=bye-acme");
      assert.equal(started.statusCode, 202, started.body);
      assert.deepEqual(started.json(), { id: "bye-acme", status: "running", href: "/operations/bye-acme" });
      const operation = await finishedOperation(app, "bye-acme", headers);
      assert.deepEqual(
        [operation.kind, operation.status, operation.result.action, operation.result.deleted],
        ["delete-tenant", "succeeded", "destroyed", true],
      );
      assert.deepEqual(
        operation.steps.map((s: { step: string; status: string }) => [s.step, s.status]),
        [
          ["dev-acme:destroy", "done"],
          ["registry:delete", "done"],
        ],
      );
      assert.deepEqual(await registered(), []);
      assert.equal((await app.inject({ method: "GET", url: "/tenants/acme", headers })).statusCode, 404);
    });

    it("updates with PATCH (a JSON merge patch, checked as POST /tenants checks), or previews with ?dryRun=true", async () => {
      const bad = await inject("PATCH", "/tenants/acme", { hots: "acme.example.org", plan: "shared" });
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(bad.json().error.problems, [
        '`plan` cannot be changed by an update: move the tenant to the other plan with `migrate` (`to`) (got "shared")',
        '`hots` is not a known setting (did you mean "host"?); allowed: name, host, plan, environment, version, region, cluster, settings',
      ]);
      const invalid = await inject("PATCH", "/tenants/acme", { settings: { api: { replicas: 0 } } });
      assert.equal(invalid.statusCode, 400);
      assert.deepEqual(invalid.json().error.problems, ["`settings.api.replicas` must be an integer between 1 and 100 (got 0)"]);
      assert.equal((await inject("PATCH", "/tenants/nobody", { host: "n.example.com" })).statusCode, 404);

      const preview = await inject("PATCH", "/tenants/acme?dryRun=true", { settings: { api: { replicas: 2 } } });
      assert.equal(preview.statusCode, 202, preview.body);
      AcceptedSchema.parse(preview.json());
      const previewed = await finishedOperation(app, preview.json().id, headers);
      assert.deepEqual(
        [previewed.status, previewed.result.dryRun, previewed.result.changed, previewed.result.stacks[0].result.changes.updates],
        ["succeeded", true, ["settings.api.replicas"], 1],
      );
      assert.equal(settingsOf(await harness.driver.registry.show("acme")).api.replicas, 1, "a dry run stores nothing");

      const updated = await inject("PATCH", "/tenants/acme", { settings: { api: { replicas: 2 } } }, "application/merge-patch+json");
      assert.equal(updated.statusCode, 200, updated.body);
      // The body is the one the OpenAPI document describes (strict: no field it does not name).
      const body = TenantUpdateSchema.parse(updated.json());
      assert.deepEqual([body.changed, body.stack, body.tenant.name], [["settings.api.replicas"], "dev-acme", "acme"]);
      assert.equal(settingsOf(await harness.driver.registry.show("acme")).api.replicas, 2);
      assert.deepEqual(
        harness.executor.jobs.map((j) => j.kind),
        ["preview"],
      );
    });
  });

  describe("the CLI", () => {
    async function cli(...args: string[]): Promise<CliRun> {
      return runCli(["--state-dir", harness.stateDir, "--pulumi", harness.pulumi, ...args], PASSPHRASE);
    }

    it("refuses `tenant delete` of a tenant whose stack is live (exit 2, with what to do), deletes one whose stack is not", async () => {
      harness.executor.setStack("dev-acme", UP_RESOURCES);
      const refused = await cli("tenant", "delete", "acme");
      assert.equal(refused.code, 2, refused.err);
      assert.match(refused.err, /which is live \(31 resources\); nothing was deleted\. To delete it, destroy the stack first/);
      const json = await cli("--json", "tenant", "delete", "acme");
      assert.equal(JSON.parse(json.out).error.name, "TenantStackLiveError");
      const alone = await cli("tenant", "delete", "acme", "--force-destroy-data");
      assert.equal(alone.code, 2);
      assert.match(alone.err, /`--force-destroy-data` needs `destroy`/);
      assert.deepEqual(await registered(), ["acme"]);

      harness.executor.setStack("dev-acme", 0);
      const deleted = await cli("tenant", "delete", "acme");
      assert.equal(deleted.code, 0, deleted.err);
      assert.match(
        deleted.out,
        /^delete tenant acme succeeded \(operation \S+\)\n {2}stack dev-acme: not live, left as it is\n {2}registration deleted\n$/,
      );
      assert.deepEqual(await registered(), []);
    });

    it("`tenant update` takes the tenant's flags and a settings merge patch, refused as `tenant create` refuses", async () => {
      const patch = path.join(harness.stateDir, "patch.json");
      writeFileSync(patch, JSON.stringify({ api: { replicas: 3 } }));
      const moved = await cli("tenant", "update", "acme", "--plan", "shared", "--environment", "prod");
      assert.equal(moved.code, 2);
      // Flags the update does not take are refused as any other command's (the patch's schema says why for the API).
      assert.match(
        moved.err,
        /`--plan` is not a flag of `tenant update`: its flags are --host, --version, --region, --settings, --dry-run,/,
      );
      assert.match(moved.err, /`--environment` is not a flag of `tenant update`/);
      const badHost = await cli("tenant", "update", "acme", "--host", "acme");
      assert.equal(badHost.code, 2);
      assert.match(badHost.err, /`--host` must be a DNS-1123 host name .* \(got "acme"\)/);

      const updated = await cli("tenant", "update", "acme", "--host", "acme.example.org", "--settings", patch);
      assert.equal(updated.code, 0, updated.err);
      assert.match(updated.out, /^update tenant acme succeeded \(operation \S+\): changes host, settings\.api\.replicas\n/);
      assert.match(updated.out, /stack dev-acme follows at its next up: `tenantstack up --tenant acme`/);
      const shown = JSON.parse((await cli("tenant", "show", "acme")).out);
      assert.deepEqual(
        [shown.host, shown.settings.api.replicas, shown.settings.worker],
        ["acme.example.org", 3, tenantInput("acme").settings?.worker],
      );
    });
  });
});
