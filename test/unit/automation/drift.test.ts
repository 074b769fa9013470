import * as assert from "node:assert/strict";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { driftedKeys, driftOf } from "../../../automation/operations/drift";

const deployment = (labels: Record<string, string>, resourceVersion: string, ready: number) => ({
  metadata: { name: "api", labels, resourceVersion },
  spec: { replicas: 1 },
  status: { readyReplicas: ready },
});

function refreshEvent(before: object | undefined, after: object | undefined): EngineEvent {
  const state = (outputs: object) => ({
    type: "kubernetes:apps/v1:Deployment",
    urn: "urn:x::api-deployment",
    id: "ns/api",
    parent: "",
    inputs: {},
    outputs,
    provider: "",
  });
  return {
    sequence: 1,
    timestamp: 0,
    resOutputsEvent: {
      metadata: {
        op: "refresh",
        urn: "urn:x::api-deployment",
        type: "kubernetes:apps/v1:Deployment",
        provider: "",
        ...(before ? { old: state(before) } : {}),
        ...(after ? { new: state(after) } : {}),
      },
    },
  } as EngineEvent;
}

describe("drift", () => {
  it("ignores status and metadata bookkeeping", () =>
    assert.deepEqual(driftedKeys(deployment({ a: "1" }, "1", 0), deployment({ a: "1" }, "7", 1)), []));
  it("reports changed labels and specs", () => {
    const after = { ...deployment({ a: "1", drifted: "yes" }, "8", 1), spec: { replicas: 3 } };
    assert.deepEqual(driftedKeys(deployment({ a: "1" }, "1", 1), after), ["metadata", "spec"]);
  });
  it("reads refresh events", () => {
    assert.deepEqual(driftOf(refreshEvent(deployment({}, "1", 1), deployment({ x: "y" }, "2", 1))), {
      urn: "urn:x::api-deployment",
      type: "kubernetes:apps/v1:Deployment",
      kind: "update",
      diffs: ["metadata"],
    });
    assert.equal(driftOf(refreshEvent(deployment({}, "1", 1), deployment({}, "2", 0))), undefined);
    assert.equal(driftOf(refreshEvent(deployment({}, "1", 1), undefined))?.kind, "delete");
    assert.equal(
      driftOf(refreshEvent(deployment({}, "1", 1), {}))?.kind,
      "delete",
      "the engine's refresh of a deleted resource: no outputs",
    );
  });
});
