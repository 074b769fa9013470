/**
 * A stack's changes from its engine events: each changing resource with the paths of its changed
 * properties, from the events' `detailedDiff` (the Kubernetes provider leaves `diffs` empty), else
 * their `diffs`; secrets cut at their own path; never a value. The events are shaped as the engine
 * sends them for the dev stack's resources (`changeEvents.ts`).
 */
import * as assert from "node:assert/strict";
import { DiffKind } from "@pulumi/pulumi/automation";
import { ChangeCollector, type ChangeSummary } from "../../../automation/operations/changes";
import { pathSegments, propertyChanges } from "../../../automation/operations/propertyChanges";
import {
  API,
  BLINDED,
  SETTINGS_CHECKSUM,
  CREDENTIALS,
  POSTGRES,
  VALUES,
  apiReplicasEvents,
  credentialsEvents,
  postgresResizeEvents,
  preEvent,
  sameEvents,
  state,
  step,
} from "./changeEvents";

function collect(...events: Parameters<ChangeCollector["onEvent"]>[0][]): ChangeSummary {
  const collector = new ChangeCollector();
  events.forEach(collector.onEvent);
  return collector.summary();
}

describe("a stack's changes", () => {
  it("lists the api Deployment's spec.replicas for api.replicas 1 -> 2, from the detailed diff", () => {
    const summary = collect(...sameEvents(), ...apiReplicasEvents());
    assert.deepEqual([summary.creates, summary.updates, summary.replaces, summary.deletes, summary.same], [0, 1, 0, 0, 2]);
    assert.deepEqual(summary.resources, [
      {
        urn: API,
        type: "kubernetes:apps/v1:Deployment",
        name: "tenantstack-api-deployment",
        kind: "update",
        diffs: ["spec.replicas", SETTINGS_CHECKSUM],
        properties: [
          { path: "spec.replicas", kind: "update", replaces: false, secret: false },
          { path: SETTINGS_CHECKSUM, kind: "update", replaces: false, secret: false },
        ],
        stateful: false,
      },
    ]);
  });

  it("names a Secret's changed data by `data` only, marked secret, and shows no value or key beneath it", () => {
    const summary = collect(...credentialsEvents());
    assert.deepEqual(
      summary.resources.map((r) => [r.name, r.kind, r.properties]),
      [
        [
          "tenantstack-secrets-credentials",
          "update",
          [
            { path: "data", kind: "update", replaces: false, secret: true },
            { path: 'metadata.labels["app.kubernetes.io/version"]', kind: "update", replaces: false, secret: false },
          ],
        ],
      ],
    );
    const text = JSON.stringify(summary);
    for (const value of [...VALUES, "POSTGRES_PASSWORD", "DATABASE_URL_acme"]) assert.ok(!text.includes(value), `${value} is not shown`);
  });

  it("cuts a path at a secret found on the way down in the step's values, whatever the resource type", () => {
    const thing = "urn:pulumi:dev-acme::tenantstack::example:index:Thing::t";
    const metadata = step("update", thing, {
      old: state(thing, {
        spec: {
          env: [
            { name: "A", value: "plain" },
            { name: "TOKEN", value: BLINDED },
          ],
        },
      }),
      detailedDiff: {
        "spec.env[0].value": { diffKind: DiffKind.update, inputDiff: true },
        "spec.env[1].value": { diffKind: DiffKind.update, inputDiff: true },
      },
    });
    assert.deepEqual(propertyChanges(metadata), [
      { path: "spec.env[0].value", kind: "update", replaces: false, secret: false },
      { path: "spec.env[1].value", kind: "update", replaces: false, secret: true },
    ]);
    const whole = step("update", thing, {
      new: state(thing, { settings: BLINDED }, {}),
      detailedDiff: {
        'settings["db.password"]': { diffKind: DiffKind.add, inputDiff: true },
        "settings.user": { diffKind: DiffKind.delete, inputDiff: true },
      },
    });
    assert.deepEqual(propertyChanges(whole), [{ path: "settings", kind: "update", replaces: false, secret: true }]);
    // A Kubernetes Secret's data is secret even in a step that carries no values.
    const bare = step("update", CREDENTIALS, { detailedDiff: { 'stringData["TOKEN"]': { diffKind: DiffKind.add, inputDiff: true } } });
    assert.deepEqual(propertyChanges(bare), [{ path: "stringData", kind: "add", replaces: false, secret: true }]);
  });

  it("makes one replacement of a StatefulSet's replacing steps, with the key that forces it, flagged stateful", () => {
    const summary = collect(...postgresResizeEvents());
    assert.equal(summary.replaces, 1);
    assert.deepEqual(summary.resources, [
      {
        urn: POSTGRES,
        type: "kubernetes:apps/v1:StatefulSet",
        name: "tenantstack-postgres-statefulset",
        kind: "replace",
        diffs: ["spec.volumeClaimTemplates[0].spec.resources.requests.storage"],
        properties: [
          { path: "spec.volumeClaimTemplates[0].spec.resources.requests.storage", kind: "update", replaces: true, secret: false },
        ],
        stateful: true,
      },
    ]);
    assert.deepEqual(
      summary.statefulReplacements.map((r) => r.urn),
      [POSTGRES],
    );
  });

  it("falls back on the step's top-level diffs when it has no detailed diff, marking the keys that force a replacement", () => {
    const summary = collect(
      preEvent(step("replace", CREDENTIALS, { diffs: ["metadata", "type"], keys: ["type"] })),
      preEvent(step("update", API, { diffs: ["spec"], detailedDiff: {} })),
    );
    assert.deepEqual(
      summary.resources.map((r) => [r.name, r.properties]),
      [
        [
          "tenantstack-secrets-credentials",
          [
            { path: "metadata", kind: "update", replaces: false, secret: false },
            { path: "type", kind: "update", replaces: true, secret: false },
          ],
        ],
        ["tenantstack-api-deployment", [{ path: "spec", kind: "update", replaces: false, secret: false }]],
      ],
    );
  });

  it("lists no keys for creates and deletes, and leaves out the stack and its providers", () => {
    const summary = collect(
      preEvent(step("create", "urn:pulumi:dev-acme::tenantstack::pulumi:providers:kubernetes::default", {})),
      preEvent(step("create", "urn:pulumi:dev-acme::tenantstack::pulumi:pulumi:Stack::tenantstack-dev-acme", {})),
      preEvent(step("create", API, {})),
      preEvent(step("delete", CREDENTIALS, {})),
    );
    assert.deepEqual(
      summary.resources.map((r) => [r.kind, r.name, r.diffs]),
      [
        ["create", "tenantstack-api-deployment", []],
        ["delete", "tenantstack-secrets-credentials", []],
      ],
    );
  });
});

describe("property paths", () => {
  const keys = (path: string) => pathSegments(path)?.map((s) => s.key);

  it("read names, indexes, every element and quoted keys, dots and escaped quotes included", () => {
    assert.deepEqual(keys("spec.replicas"), ["spec", "replicas"]);
    assert.deepEqual(keys("spec.template.spec.containers[0].image"), ["spec", "template", "spec", "containers", 0, "image"]);
    assert.deepEqual(keys('metadata.annotations["app.kubernetes.io/version"]'), ["metadata", "annotations", "app.kubernetes.io/version"]);
    assert.deepEqual(keys('["a \\"quoted\\" key"].x[*].y'), ['a "quoted" key', "x", "*", "y"]);
  });

  it("refuse what is not a path", () => {
    assert.equal(pathSegments(".spec"), undefined);
    assert.equal(pathSegments('spec["open'), undefined);
  });
});
