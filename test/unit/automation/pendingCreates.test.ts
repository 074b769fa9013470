import * as assert from "node:assert/strict";
import type { Deployment } from "@pulumi/pulumi/automation";
import { adoptPendingCreates, type ObjectLookup, type StateResource } from "../../../automation/operations/pendingCreates";

const urn = (type: string, name: string) => `urn:pulumi:dev-acme::tenantstack::${type}::${name}`;
const stack: StateResource = { urn: urn("pulumi:pulumi:Stack", "tenantstack-dev-acme"), type: "pulumi:pulumi:Stack", custom: false };
const provider: StateResource = {
  urn: urn("pulumi:providers:kubernetes", "default_4_25_0"),
  type: "pulumi:providers:kubernetes",
  custom: true,
  id: "0b5d7e0c-4a1b-4a5e-9d9e-3f1c2b3a4d5e",
};
const providerRef = `${provider.urn}::${provider.id}`;
const configMap = (name: string, extra: Partial<StateResource> = {}): StateResource => ({
  urn: urn("kubernetes:core/v1:ConfigMap", name),
  type: "kubernetes:core/v1:ConfigMap",
  custom: true,
  parent: stack.urn,
  provider: providerRef,
  inputs: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${name}-6f1e2d3c`, namespace: "stress" }, data: { k: "v" } },
  ...extra,
});
const state = (resources: StateResource[], pending: { resource: StateResource; type: string }[]): Deployment => ({
  version: 3,
  deployment: { manifest: { time: "t" }, resources, pending_operations: pending },
});
/** A cluster holding the objects named. */
const cluster =
  (...names: string[]): ObjectLookup =>
  async (resource) => {
    const name = (resource.inputs?.metadata as { name: string }).name;
    return names.includes(name) ? { id: `stress/${name}`, fieldManager: "pulumi-kubernetes-0a1b2c3d" } : undefined;
  };

describe("pending creates", () => {
  it("adopts a pending create whose object exists, with its id and field manager, and keeps the others pending", async () => {
    const made = configMap("made");
    const notMade = configMap("not-made");
    const random: StateResource = {
      urn: urn("random:index/randomPassword:RandomPassword", "pw"),
      type: "random:index/randomPassword:RandomPassword",
      custom: true,
    };
    const updating = configMap("old", { id: "stress/old-1" });
    const before = state(
      [stack, provider, updating],
      [
        { resource: made, type: "creating" },
        { resource: notMade, type: "creating" },
        { resource: random, type: "creating" },
        { resource: updating, type: "updating" },
      ],
    );
    const adoption = await adoptPendingCreates(before, cluster("made-6f1e2d3c"));
    assert.deepEqual(adoption.adopted, [made.urn]);
    assert.deepEqual(adoption.cleared, [notMade.urn, random.urn]);
    assert.deepEqual(adoption.pending, [
      `creating ${made.urn}`,
      `creating ${notMade.urn}`,
      `creating ${random.urn}`,
      `updating ${updating.urn}`,
    ]);
    const after = adoption.state.deployment as {
      resources: StateResource[];
      pending_operations: { resource: StateResource; type: string }[];
    };
    assert.deepEqual(after.resources.at(-1), {
      ...made,
      id: "stress/made-6f1e2d3c",
      outputs: { __fieldManager: "pulumi-kubernetes-0a1b2c3d" },
    });
    assert.deepEqual(
      after.pending_operations.map((op) => [op.type, op.resource.urn]),
      [
        ["creating", notMade.urn],
        ["creating", random.urn],
        ["updating", updating.urn],
      ],
    );
    assert.equal(after.resources.length, 4);
    assert.deepEqual((before.deployment as { resources: unknown[] }).resources.length, 3, "the state given is not changed");
  });

  it("marks the resource a replacement was created for as to be deleted, as the engine does", async () => {
    const old = configMap("cfg", { id: "stress/cfg-11111111" });
    const replacement = configMap("cfg");
    const adoption = await adoptPendingCreates(
      state([stack, provider, old], [{ resource: replacement, type: "creating" }]),
      cluster("cfg-6f1e2d3c"),
    );
    const resources = (adoption.state.deployment as { resources: StateResource[] }).resources;
    assert.deepEqual(
      resources.filter((r) => r.urn === old.urn).map((r) => [r.id, r.delete ?? false]),
      [
        ["stress/cfg-11111111", true],
        ["stress/cfg-6f1e2d3c", false],
      ],
    );
  });

  it("lets the adopted resource take the place of the one a delete-before-replace deleted, or of the same object", async () => {
    const deleted = configMap("dbr", { id: "stress/dbr-11111111", pendingReplacement: true });
    const sameObject = configMap("same", { id: "stress/same-6f1e2d3c" });
    const adoption = await adoptPendingCreates(
      state(
        [stack, provider, deleted, sameObject],
        [
          { resource: configMap("dbr"), type: "creating" },
          { resource: configMap("same"), type: "creating" },
        ],
      ),
      cluster("dbr-6f1e2d3c", "same-6f1e2d3c"),
    );
    const resources = (adoption.state.deployment as { resources: StateResource[] }).resources;
    assert.deepEqual(
      resources.map((r) => [r.urn.split("::").pop(), r.id, r.delete ?? false, r.pendingReplacement ?? false]),
      [
        ["tenantstack-dev-acme", undefined, false, false],
        ["default_4_25_0", provider.id, false, false],
        ["dbr", "stress/dbr-6f1e2d3c", false, false],
        ["same", "stress/same-6f1e2d3c", false, false],
      ],
    );
  });

  it("does not adopt a create whose parent, provider or dependency is missing from the state", async () => {
    const orphans = [
      configMap("no-parent", { parent: urn("tenantstack:stress:Group", "gone") }),
      configMap("no-provider", { provider: `${provider.urn}::another-id` }),
      configMap("no-dependency", { dependencies: [urn("kubernetes:core/v1:Namespace", "gone")] }),
    ];
    const all = orphans.map((r) => (r.inputs?.metadata as { name: string }).name);
    const adoption = await adoptPendingCreates(
      state(
        [stack, provider],
        orphans.map((resource) => ({ resource, type: "creating" })),
      ),
      cluster(...all),
    );
    assert.deepEqual(adoption.adopted, []);
    assert.deepEqual(
      adoption.cleared,
      orphans.map((r) => r.urn),
    );
  });

  it("returns the state unchanged when nothing is pending", async () => {
    const before = state([stack, provider], []);
    const adoption = await adoptPendingCreates(before, cluster());
    assert.equal(adoption.state, before);
    assert.deepEqual([adoption.pending, adoption.adopted, adoption.cleared], [[], [], []]);
  });
});
