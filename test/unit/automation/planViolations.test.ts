import * as assert from "node:assert/strict";
import { fromWire, PlanMismatchError, toWire } from "../../../automation/errors";
import { planViolations } from "../../../automation/operations/planViolations";

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

  it("keep a reason that is not a property change, cut before any rendered value", () => {
    assert.deepEqual(
      planViolations(["resource urn:pulumi:s::p::t::api violates plan: unexpected update [{secret}]", "an unrelated line"]),
      ["api: unexpected update"],
    );
  });
});
