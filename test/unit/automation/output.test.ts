import * as assert from "node:assert/strict";
import { operationSummary, progressLine, tenantTable, upgradeSummary } from "../../../automation/cli/output";
import type { OperationResult, StackOutcome } from "../../../automation/driver";
import { ProtectedResourcesError, StackOperationError, toWire } from "../../../automation/errors";
import type { ChangeSummary, ResourceChange } from "../../../automation/operations/changes";
import type { DriverEvent } from "../../../automation/operations/events";
import type { StackJobResult } from "../../../automation/operations/stackJob";
import { tenantSettings } from "./fixtures";
import { scriptedDriver } from "./scriptedDriver";

const migration = (step: string, status: string, detail?: string) =>
  ({ type: "migration", operationId: "op", step, status, ...(detail ? { detail } : {}) }) as DriverEvent;

describe("the CLI's progress lines", () => {
  it("name the migration step a progress line belongs to, and a step's status with its first line of detail", () => {
    assert.deepEqual(
      [
        migration("copyPostgres", "started"),
        migration("copyPostgres", "log", "dumping tenant_acme from the source"),
        migration("copyPostgres", "failed", "pg_dump exited 1\nsecond line"),
        migration("drain", "skipped"),
      ].map(progressLine),
      [
        "migrate copyPostgres: started",
        "migrate copyPostgres: dumping tenant_acme from the source",
        "migrate copyPostgres: failed — pg_dump exited 1",
        "migrate drain: skipped",
      ],
    );
  });
});

describe("the CLI's fleet upgrade summary", () => {
  it("says when a failed stack was not rolled back for want of an earlier deployment", () => {
    const error = toWire(new StackOperationError("dev-new", "up", "the image is broken"));
    const summary = upgradeSummary({
      operationId: "op",
      status: "failed",
      version: "2.0.0",
      resumed: false,
      failedStack: "dev-new",
      waves: [[{ stack: "dev-new", status: "failed", version: "1.0.0", error, rollback: { status: "skipped", detail: "none" } }]],
    });
    assert.equal(
      summary,
      "fleet upgrade to 2.0.0 failed (operation op)\n" +
        '  wave 0 (canary): dev-new failed (up of stack "dev-new" failed:) (not rolled back: no deployment before this upgrade)\n' +
        "  stopped at dev-new; later waves untouched",
    );
  });
});

describe("the version -> image mapping", () => {
  it("is a column of the tenant table, the images at the tenant's version whatever tag its settings name", async () => {
    const scripted = await scriptedDriver();
    try {
      // The settings name tag 1.0.0; the tenant runs version 2.4.1.
      const created = await scripted.driver.registry.create({
        name: "acme",
        host: "acme.example.com",
        plan: "dedicated",
        version: "2.4.1",
        settings: tenantSettings(),
      });
      assert.deepEqual(created.images, { api: "hashicorp/http-echo:2.4.1", worker: "hashicorp/http-echo:2.4.1" });
      const listed = await scripted.driver.registry.list();
      assert.deepEqual(listed[0].images, created.images, "the JSON of `tenant list` and GET /tenants");
      assert.equal((listed[0].settings.api as { image: string }).image, "hashicorp/http-echo:1.0.0", "the settings as given");
      assert.equal(
        tenantTable(listed),
        "NAME  PLAN       ENV  VERSION  REGION  CLUSTER  HOST              API IMAGE                  WORKER IMAGE\n" +
          "acme  dedicated  dev  2.4.1    local   local    acme.example.com  hashicorp/http-echo:2.4.1  hashicorp/http-echo:2.4.1",
      );
      // After a fleet upgrade, the listing follows the version.
      await scripted.driver.fleetUpgrade({ version: "2.5.0" });
      assert.deepEqual((await scripted.driver.registry.show("acme")).images, {
        api: "hashicorp/http-echo:2.5.0",
        worker: "hashicorp/http-echo:2.5.0",
      });
    } finally {
      await scripted.close();
    }
  });

  it("is in a preview's result per stack, and in its summary", async () => {
    const scripted = await scriptedDriver();
    try {
      await scripted.driver.registry.create({
        name: "acme",
        host: "acme.example.com",
        plan: "dedicated",
        version: "2.4.1",
        settings: tenantSettings(),
      });
      const preview = await scripted.driver.preview();
      assert.equal(preview.stacks[0].version, "2.4.1");
      assert.deepEqual(preview.stacks[0].images, { api: "hashicorp/http-echo:2.4.1", worker: "hashicorp/http-echo:2.4.1" });
      assert.equal(
        operationSummary(preview).split("\n").slice(1).join("\n"),
        "  dev-acme: succeeded\n    version 2.4.1: api hashicorp/http-echo:2.4.1, worker hashicorp/http-echo:2.4.1",
      );
      const refresh = await scripted.driver.refresh();
      assert.equal(refresh.stacks[0].images, undefined, "a refresh sets no version");
    } finally {
      await scripted.close();
    }
  });
});

describe("the CLI's summary of an operation on stacks", () => {
  const statefulSet =
    "urn:pulumi:dev-b::tenantstack::tenantstack:stack:AppStack$tenantstack:data:Postgres$kubernetes:apps/v1:StatefulSet::pg";
  const replaced: ResourceChange = {
    urn: statefulSet,
    type: "kubernetes:apps/v1:StatefulSet",
    name: "pg",
    kind: "replace",
    diffs: ["spec.volumeClaimTemplates"],
    properties: [{ path: "spec.volumeClaimTemplates", kind: "update", replaces: true, secret: false }],
    stateful: true,
  };
  const changes = (resources: ResourceChange[], same = 0): ChangeSummary => ({
    creates: resources.filter((r) => r.kind === "create").length,
    updates: resources.filter((r) => r.kind === "update").length,
    replaces: resources.filter((r) => r.kind === "replace").length,
    deletes: resources.filter((r) => r.kind === "delete").length,
    same,
    resources,
    statefulReplacements: resources.filter((r) => r.stateful && (r.kind === "replace" || r.kind === "delete")),
  });
  const outcome = (stack: string, result?: Partial<StackJobResult>): StackOutcome => ({
    stack,
    status: result ? "succeeded" : "failed",
    ...(result
      ? { result: { stack, kind: "preview", durationMs: 1, ...result } }
      : { error: toWire(new StackOperationError(stack, "preview", "boom")) }),
  });
  const summary = (kind: OperationResult["kind"], stacks: StackOutcome[]) =>
    operationSummary({ operationId: "op", kind, status: "succeeded", resumed: false, stacks });

  it("lists every stack's changing resources with their keys and prints the legend once, at the end", () => {
    const created: ResourceChange = {
      ...replaced,
      urn: "u::cm",
      type: "kubernetes:core/v1:ConfigMap",
      name: "cm",
      kind: "create",
      diffs: [],
      properties: [],
      stateful: false,
    };
    const removed: ResourceChange = {
      ...replaced,
      type: "kubernetes:core/v1:Secret",
      name: "creds",
      kind: "update",
      diffs: ["data", "metadata.labels"],
      properties: [
        { path: "data", kind: "delete", replaces: false, secret: true },
        { path: "metadata.labels", kind: "add", replaces: false, secret: false },
      ],
      stateful: false,
    };
    assert.equal(
      summary("preview", [
        outcome("dev-a", { changes: changes([], 30) }),
        outcome("dev-b", { changes: changes([created, removed, replaced]) }),
        outcome("dev-c"),
      ]),
      [
        "preview succeeded (operation op)",
        "  dev-a: succeeded +0 ~0 +-0 -0",
        "  dev-b: succeeded +1 ~1 +-1 -0  STATEFUL: replace pg",
        "    +  kubernetes:core/v1:ConfigMap cm",
        "    ~  kubernetes:core/v1:Secret creds",
        "       - data [secret]",
        "       + metadata.labels",
        "    +- kubernetes:apps/v1:StatefulSet pg  (stateful: its data can be lost)",
        "       ~ spec.volumeClaimTemplates (replaces)",
        "  dev-c: failed",
        '    preview of stack "dev-c" failed:',
        "    boom",
        "legend: + create  ~ update  - delete  +- replace",
        "        keys: + added  ~ changed  - removed; (replaces) forces the replacement; [secret] a secret, nothing beneath it shown",
      ].join("\n"),
    );
  });

  it("prints no legend when no stack reports changes", () => {
    assert.equal(
      summary("refresh", [outcome("dev-a", { kind: "refresh", drift: [] })]),
      ["refresh succeeded (operation op)", "  dev-a: succeeded drift: none"].join("\n"),
    );
  });

  it("shows a result journaled before resources had names and keys (a resumed operation's finished stack)", () => {
    const journaled = Object.fromEntries(
      Object.entries(replaced).filter(([key]) => key !== "name" && key !== "properties"),
    ) as unknown as ResourceChange;
    assert.equal(
      summary("preview", [outcome("dev-b", { changes: changes([journaled]) })])
        .split("\n")
        .slice(1, 3)
        .join("\n"),
      [
        "  dev-b: succeeded +0 ~0 +-1 -0  STATEFUL: replace pg",
        "    +- kubernetes:apps/v1:StatefulSet pg  (stateful: its data can be lost)",
      ].join("\n"),
    );
  });
});

describe("the CLI's progress line of a failed stack", () => {
  it("words its error as the CLI does, naming the flag, not the API's field", () => {
    const error = toWire(new ProtectedResourcesError("dev-acme", ["postgres"]));
    const event = { type: "stack", operationId: "op", stack: "dev-acme", status: "failed", detail: error.message, error } as DriverEvent;
    assert.equal(
      progressLine(event),
      'dev-acme: failed — Stack "dev-acme" holds protected data (postgres); nothing was destroyed. Back the data up, then destroy with `--force-destroy-data`.',
    );
  });
});
