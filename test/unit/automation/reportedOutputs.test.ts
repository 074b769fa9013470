import * as assert from "node:assert/strict";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { OutputsCollector, withReportedOutputs } from "../../../automation/operations/reportedOutputs";

/** A secret as the engine's events carry it: blinded. */
const blinded = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "[secret]" };

const outputsEvent = (type: string, outputs: Record<string, unknown>): EngineEvent =>
  ({
    sequence: 1,
    timestamp: 0,
    resOutputsEvent: { metadata: { op: "same", urn: `urn:pulumi:dev::tenantstack::${type}::x`, type, new: { outputs } } },
  }) as unknown as EngineEvent;

describe("reported outputs", () => {
  it("takes the root stack's outputs from the events, secrets masked at any depth", () => {
    const collector = new OutputsCollector();
    assert.equal(collector.outputs, undefined);
    collector.onEvent(
      outputsEvent("pulumi:pulumi:Stack", {
        namespace: "tenantstack-dev",
        tenantDatabaseUrls: blinded,
        urls: { a: "https://a", token: blinded },
      }),
    );
    collector.onEvent(outputsEvent("kubernetes:apps/v1:Deployment", { metadata: { name: "api" } }));
    assert.deepEqual(collector.outputs, {
      namespace: { value: "tenantstack-dev", secret: false },
      tenantDatabaseUrls: { value: "[secret]", secret: true },
      urls: { value: { a: "https://a", token: "[secret]" }, secret: false },
    });
  });

  it("answers Stack.up's read-backs from the collector and leaves the rest of the stack as it is", async () => {
    const collector = new OutputsCollector();
    let readBack = 0;
    const stack = {
      name: "dev-a",
      outputs: async () => (readBack++, { namespace: { value: "read back", secret: false } }),
    } as unknown as Stack;
    const view = withReportedOutputs(stack, collector);
    assert.equal(view.name, "dev-a");
    assert.deepEqual(await view.outputs(), { namespace: { value: "read back", secret: false } });
    collector.onEvent(outputsEvent("pulumi:pulumi:Stack", { namespace: "reported" }));
    assert.deepEqual(await view.outputs(), { namespace: { value: "reported", secret: false } });
    assert.equal(await view.info(), undefined);
    assert.equal(readBack, 1);
  });
});
