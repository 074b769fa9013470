/**
 * A preview's changes as every surface shows them: a stack job fed the engine events of an
 * `api.replicas` change 1 -> 2 (and a Secret's) runs in place of a worker; the library's result, the
 * journal, `GET /operations/{id}` and the CLI's human summary list the api Deployment with
 * `spec.replicas`, the Secret by `data` only, and no value; the OpenAPI document describes those fields.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { Driver, type Executor, type StackJob } from "../../../automation";
import { CHANGE_LEGEND } from "../../../automation/cli/changeList";
import { operationSummary } from "../../../automation/cli/output";
import { buildServer } from "../../../automation/http/server";
import { runStackJob } from "../../../automation/operations/stackJob";
import type { WorkspaceFactory } from "../../../automation/workspace";
import { finishedOperation } from "../../support/httpOperation";
import { API, SETTINGS_CHECKSUM, VALUES, apiReplicasEvents, credentialsEvents, sameEvents } from "./changeEvents";
import { tenantSettings } from "./fixtures";

/** An executor that runs each job's real stack job on a stack whose preview replays `events`. */
function replayingExecutor(events: readonly EngineEvent[], jobs: StackJob[], workDir: string): Executor {
  const stack = {
    preview: async (options: { onEvent: (event: EngineEvent) => void }) => {
      events.forEach(options.onEvent);
      return { stdout: "", stderr: "", changeSummary: { update: 2, same: 2 } };
    },
  } as unknown as Stack;
  const factory = { stack: async () => stack, workDir: () => workDir } as unknown as WorkspaceFactory;
  return {
    run: async (job, options) => {
      jobs.push(job);
      return runStackJob(factory, job, (event) => options?.onEvent?.({ type: "step", ...event }));
    },
    close: async () => undefined,
  };
}

describe("a preview's changes on every surface", () => {
  let stateDir: string;
  let driver: Driver;
  const jobs: StackJob[] = [];

  beforeEach(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), "tenantstack-preview-"));
    const executor = replayingExecutor([...sameEvents(), ...apiReplicasEvents(), ...credentialsEvents()], jobs, stateDir);
    driver = await Driver.open({ workspace: { stateDir, passphrase: "unit-test-passphrase" }, executor });
    await driver.registry.create({
      name: "acme",
      host: "acme.example.com",
      plan: "dedicated",
      version: "1.0.0",
      settings: tenantSettings(),
    });
  });
  afterEach(async () => {
    await driver.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const expectedResources = [
    {
      urn: API,
      name: "tenantstack-api-deployment",
      kind: "update",
      diffs: ["spec.replicas", SETTINGS_CHECKSUM],
      properties: [
        { path: "spec.replicas", kind: "update", replaces: false, secret: false },
        { path: SETTINGS_CHECKSUM, kind: "update", replaces: false, secret: false },
      ],
    },
    {
      name: "tenantstack-secrets-credentials",
      kind: "update",
      diffs: ["data", 'metadata.labels["app.kubernetes.io/version"]'],
      properties: [
        { path: "data", kind: "update", replaces: false, secret: true },
        { path: 'metadata.labels["app.kubernetes.io/version"]', kind: "update", replaces: false, secret: false },
      ],
    },
  ];
  /** A value as JSON without the `images` a stack's version maps to (from the registry, not the engine). */
  const withoutImages = (value: unknown) => JSON.stringify(value, (key, field: unknown) => (key === "images" ? undefined : field));
  /** The fields of `expectedResources` picked from each resource. */
  const picked = (resources: readonly object[]) =>
    resources.map((r, i) =>
      Object.fromEntries(Object.keys(expectedResources[i] ?? r).map((key) => [key, (r as Record<string, unknown>)[key]])),
    );

  it("lists each changing resource's keys in the library's result and the journal, and no value", async () => {
    const result = await driver.preview({ tenants: ["acme"], operationId: "preview-1" });
    assert.deepEqual(
      jobs.map((j) => [j.kind, j.stack]),
      [["preview", "dev-acme"]],
    );
    const changes = result.stacks[0].result?.changes;
    assert.deepEqual([changes?.updates, changes?.same], [2, 2]);
    assert.deepEqual(picked(changes?.resources ?? []), expectedResources);
    const journaled = JSON.stringify((await driver.journal.get("preview-1"))?.result);
    assert.deepEqual(JSON.parse(journaled), JSON.parse(JSON.stringify(result)));
    // The images of the stack's version come from the registry (the version -> image mapping), not the engine.
    assert.deepEqual(result.stacks[0].images, { api: VALUES[0], worker: VALUES[0] });
    const reported = withoutImages(JSON.parse(journaled));
    for (const value of [...VALUES, "POSTGRES_PASSWORD"]) assert.ok(!reported.includes(value), `${value} is not in the result`);
  });

  it("shows the same keys over HTTP", async () => {
    const token = "unit-test-token-0123456789";
    const headers = { authorization: `Bearer ${token}` };
    const app = buildServer(driver, { token });
    try {
      const started = await app.inject({ method: "POST", url: "/operations", headers, payload: { kind: "preview", tenants: ["acme"] } });
      assert.equal(started.statusCode, 202, started.body);
      const operation = await finishedOperation(app, started.json().id, headers, 10_000);
      assert.equal(operation.status, "succeeded", JSON.stringify(operation));
      assert.deepEqual(picked(operation.result.stacks[0].result.changes.resources), expectedResources);
      // What the engine reported (not the operation's parameters, the tenant's own settings).
      const body = withoutImages([operation.result, operation.steps, operation.events]);
      for (const value of [...VALUES, "POSTGRES_PASSWORD"]) assert.ok(!body.includes(value), `${value} is not in the response`);

      // The OpenAPI document describes exactly these fields.
      const { schemas } = (await app.inject({ method: "GET", url: "/openapi.json" })).json().components;
      const { changes } = operation.result.stacks[0].result;
      const fields = (schema: string) => Object.keys(schemas[schema].properties).sort();
      assert.deepEqual(fields("ChangeSummary"), Object.keys(changes).sort());
      assert.deepEqual(fields("ResourceChange"), Object.keys(changes.resources[0]).sort());
      assert.deepEqual(fields("PropertyChange"), Object.keys(changes.resources[0].properties[0]).sort());
    } finally {
      await app.close();
    }
  });

  it("shows each changing resource with its keys in the CLI's summary, with the legend", async () => {
    const result = await driver.preview({ tenants: ["acme"], operationId: "preview-2" });
    assert.equal(
      operationSummary(result),
      [
        "preview succeeded (operation preview-2)",
        "  dev-acme: succeeded +0 ~2 +-0 -0",
        "    version 1.0.0: api hashicorp/http-echo:1.0.0, worker hashicorp/http-echo:1.0.0",
        "    ~  kubernetes:apps/v1:Deployment tenantstack-api-deployment",
        "       ~ spec.replicas",
        `       ~ ${SETTINGS_CHECKSUM}`,
        "    ~  kubernetes:core/v1:Secret tenantstack-secrets-credentials",
        "       ~ data [secret]",
        '       ~ metadata.labels["app.kubernetes.io/version"]',
        CHANGE_LEGEND,
      ].join("\n"),
    );
  });
});
