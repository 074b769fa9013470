import * as assert from "node:assert/strict";
import { AppStack } from "../../../components";
import { builtinPasswordProvider } from "../../../components/password";
import { dedicatedStack } from "../fixtures";
import { capture, isSecret, one, resolve, secretValues } from "./capture";

const BUILTIN = "pulumi-nodejs:dynamic/tenantstack:Password";

describe("builtin passwords", () => {
  it("are letters and digits of the asked length, different each time", async () => {
    const first = await builtinPasswordProvider.create({ length: 40 });
    const second = await builtinPasswordProvider.create({ length: 40 });
    assert.match(first.outs.result, /^[A-Za-z0-9]{40}$/);
    assert.equal(first.outs.length, 40);
    assert.notEqual(first.outs.result, second.outs.result);
    assert.notEqual(first.id, second.id);
  });

  it("never change once made, whatever the new length", async () => {
    const made = await builtinPasswordProvider.create({ length: 32 });
    assert.deepEqual(await builtinPasswordProvider.diff!(made.id, made.outs, { length: 64 }), { changes: false });
  });

  it("replace @pulumi/random in a stack that asks for them, as secret outputs", async () => {
    const { resources, opts } = capture();
    const input = dedicatedStack();
    new AppStack("builtin", { ...input, secrets: { source: "generated", passwordProvider: "builtin" } }, opts);
    await resolve(1);
    const passwords = resources.filter((r) => r.type === BUILTIN);
    assert.deepEqual(
      passwords.map((p) => p.name),
      [
        "builtin-secrets-postgres-password",
        "builtin-secrets-redis-password",
        "builtin-secrets-app-secret-key",
        "builtin-secrets-tenant-acme-database-password",
        "builtin-secrets-tenant-acme-redis-password",
      ],
    );
    assert.equal(resources.filter((r) => r.type.startsWith("random:")).length, 0);
    for (const password of passwords) {
      assert.deepEqual(password.opts.additionalSecretOutputs, ["result"], password.name);
      assert.equal(password.props.length, 32, password.name);
    }
    const credentials = one(resources, "kubernetes:core/v1:Secret", "-secrets-credentials");
    assert.equal(await isSecret(credentials.props.data as any), true);
    assert.equal(credentials.props.stringData, undefined, "values encoded here, not by the provider (saved plans)");
    const values = await secretValues(credentials);
    assert.equal(values.POSTGRES_PASSWORD, "generated-builtin-secrets-postgres-password");
  });
});
