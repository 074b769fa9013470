import * as assert from "node:assert/strict";
import type { Deployment } from "@pulumi/pulumi/automation";
import { driftBetween, driftedKeys } from "../../../automation/operations/drift";

const deployment = (labels: Record<string, string>, resourceVersion: string, ready: number, revision = "1") => ({
  metadata: { name: "api", labels, resourceVersion, annotations: { "deployment.kubernetes.io/revision": revision } },
  spec: { replicas: 1 },
  status: { readyReplicas: ready },
});

const resource = (name: string, type: string, outputs: object, custom = true) => ({
  urn: `urn:pulumi:dev::tenantstack::${type}::${name}`,
  type,
  custom,
  outputs,
});
const stack = resource("tenantstack-dev", "pulumi:pulumi:Stack", {}, false);
const provider = resource("default", "pulumi:providers:kubernetes", { version: "4.25.0" });
const component = resource("tenantstack-api", "tenantstack:workload:Api", {}, false);
const api = (labels: Record<string, string>, resourceVersion: string) =>
  resource("api", "kubernetes:apps/v1:Deployment", deployment(labels, resourceVersion, 1));
const pdb = resource("api-pdb", "kubernetes:policy/v1:PodDisruptionBudget", { spec: { minAvailable: 1 } });
const state = (...resources: object[]): Deployment => ({ version: 3, deployment: { resources } });

describe("drift", () => {
  it("ignores status and metadata bookkeeping, the controller's rollout revision included", () =>
    assert.deepEqual(driftedKeys(deployment({ a: "1" }, "1", 0), deployment({ a: "1" }, "7", 1, "2")), []));

  it("reports changed labels and specs", () => {
    const before = deployment({ a: "1", b: "2" }, "1", 1);
    const changed = deployment({ a: "9", drifted: "yes" }, "8", 1);
    const after = { ...changed, metadata: { ...changed.metadata, annotations: { team: "x" } }, spec: { replicas: 3 } };
    assert.deepEqual(driftedKeys(before, after), [
      "metadata.annotations.team",
      "metadata.labels.a",
      "metadata.labels.b",
      "metadata.labels.drifted",
      "spec",
    ]);
  });

  it("finds nothing when a refresh only moved bookkeeping", () =>
    assert.deepEqual(
      driftBetween(state(stack, provider, component, api({}, "1"), pdb), state(stack, provider, component, api({}, "9"), pdb)),
      [],
    ));

  it("reports a resource the refresh dropped as deleted, and a changed one as updated, never their values", () => {
    const drift = driftBetween(
      state(stack, provider, component, api({}, "1"), pdb),
      state(stack, provider, component, api({ x: "y" }, "2")),
    );
    assert.deepEqual(drift, [
      { urn: api({}, "1").urn, type: "kubernetes:apps/v1:Deployment", kind: "update", diffs: ["metadata.labels.x"] },
      { urn: pdb.urn, type: "kubernetes:policy/v1:PodDisruptionBudget", kind: "delete", diffs: [] },
    ]);
  });

  it("leaves the stack, providers and components out", () =>
    assert.deepEqual(driftBetween(state(stack, provider, component), state()), []));
});
