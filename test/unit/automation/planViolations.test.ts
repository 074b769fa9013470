import * as assert from "node:assert/strict";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { fromWire, PlanMismatchError, StackOperationError, toWire } from "../../../automation/errors";
import { ChangeCollector } from "../../../automation/operations/changes";
import { planViolations } from "../../../automation/operations/planViolations";
import { engineError } from "../../../automation/operations/stackJob";

// The engine's message for a saved plan of a new stack, as it was before the Secrets encoded their
// own data (the values are a test's, base64 of made-up passwords).
const POSTGRES = "VWJuRU5BWGpCR1ZRTU9pOUI4UlQ0Smt0dzM3MzRPMEY=";
const KEY = "TnpEZkNsblIzRDdiRnVMNjhQRkNxM1dGOHpjWWI4RXg=";
const ENGINE =
  "resource urn:pulumi:dev-plana::tenantstack::tenantstack:stack:AppStack$tenantstack:security:Secrets$kubernetes:core/v1:Secret::tenantstack-secrets-credentials " +
  `violates plan: properties changed: +-stringData[{&{output<string>{}}}], =+data[{&{{map[APP_SECRET_KEY:{${KEY}} POSTGRES_PASSWORD:{${POSTGRES}}]}}}]`;

describe("a saved plan's deviations", () => {
  it("keep the resource and the names of the changed properties, never their values", () => {
    const lines = planViolations([`error: ${ENGINE}`]);
    assert.deepEqual(lines, ["tenantstack-secrets-credentials: properties changed: stringData, data"]);
    const error = new PlanMismatchError("dev-plana", lines.join("\n"), 15);
    for (const text of [error.message, JSON.stringify(toWire(error))]) {
      assert.ok(!text.includes(POSTGRES) && !text.includes(KEY), text);
      assert.ok(!text.includes(Buffer.from(POSTGRES, "base64").toString()), text);
    }
  });

  it("say truthfully what was applied before the deviation, across the wire too", () => {
    const error = fromWire(toWire(new PlanMismatchError("dev-a", "x: resource unexpectedly not created", 15))) as PlanMismatchError;
    assert.ok(error instanceof PlanMismatchError);
    assert.equal(error.applied, 15);
    assert.match(error.message, /stopped at the first deviation, after 15 resources had been changed as planned\./);
    assert.match(new PlanMismatchError("dev-a", "d").message, /nothing had been changed\./);
  });

  it("reach a stack job's error only as names: how many resources the update changed first, no value of the engine's", () => {
    // An update of a saved plan that created 15 resources, then left the plan: the engine's diagnostic and its
    // failed command both print the values.
    const changes = new ChangeCollector();
    let sequence = 0;
    const event = (fields: object) => changes.onEvent({ sequence: ++sequence, timestamp: 0, ...fields } as EngineEvent);
    for (let i = 0; i < 15; i++) {
      const metadata = {
        op: "create",
        urn: `urn:pulumi:dev-plana::tenantstack::kubernetes:core/v1:ConfigMap::c${i}`,
        type: "kubernetes:core/v1:ConfigMap",
        provider: "",
      };
      event({ resourcePreEvent: { metadata } });
      event({ resOutputsEvent: { metadata } });
    }
    event({
      resOutputsEvent: {
        metadata: {
          op: "create",
          urn: "urn:pulumi:dev-plana::tenantstack::pulumi:pulumi:Stack::tenantstack-dev-plana",
          type: "pulumi:pulumi:Stack",
          provider: "",
        },
      },
    });
    event({ diagnosticEvent: { severity: "error", message: `error: ${ENGINE}\n`, color: "never" } });
    const failed = new Error(`code: 255\n stdout: \n stderr: error: ${ENGINE}\n`);
    const texts = (error: Error) => [error.message, JSON.stringify(toWire(error)), JSON.stringify(toWire(error, "cli"))];
    const noValue = (text: string) =>
      [POSTGRES, KEY, Buffer.from(POSTGRES, "base64").toString(), Buffer.from(KEY, "base64").toString()].every((v) => !text.includes(v));

    const error = engineError({ kind: "up", stack: "dev-plana", plan: true }, failed, changes);
    assert.ok(error instanceof PlanMismatchError, String(error));
    assert.equal(error.applied, 15, "the resources the engine finished, the stack itself left out");
    assert.equal(
      error.message,
      'Stack "dev-plana" no longer matches the previewed plan: the update stopped at the first deviation, after 15 resources had been ' +
        "changed as planned. Preview again and approve the new plan.\ntenantstack-secrets-credentials: properties changed: stringData, data",
    );
    for (const text of texts(error)) assert.ok(noValue(text), text);

    // Without a saved plan (an engine's own plan check), the same names in a StackOperationError.
    const unplanned = engineError({ kind: "up", stack: "dev-plana" }, failed, changes);
    assert.ok(unplanned instanceof StackOperationError);
    assert.match(unplanned.message, /tenantstack-secrets-credentials: properties changed: stringData, data/);
    for (const text of texts(unplanned)) assert.ok(noValue(text), text);

    // A deviation the engine words without naming a resource: its message is withheld whole.
    const unnamed = engineError(
      { kind: "up", stack: "dev-plana", plan: true },
      new Error(`error: plan does not match: data={${POSTGRES}}`),
      new ChangeCollector(),
    );
    assert.ok(unnamed instanceof PlanMismatchError);
    assert.match(
      unnamed.message,
      /nothing had been changed\.[\s\S]*The engine named no resource \(its message is withheld: it carries property values\)\.$/,
    );
    for (const text of texts(unnamed)) assert.ok(noValue(text), text);
  });

  it("keep a reason that is not a property change, cut before any rendered value", () => {
    assert.deepEqual(
      planViolations(["resource urn:pulumi:s::p::t::api violates plan: unexpected update [{secret}]", "an unrelated line"]),
      ["api: unexpected update"],
    );
  });
});
