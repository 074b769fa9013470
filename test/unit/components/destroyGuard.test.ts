import * as assert from "node:assert/strict";
import { dedicatedStack } from "../fixtures";
import { buildStack, one, T } from "./capture";

describe("AppStack's destroy guard", () => {
  it("is a protected ConfigMap that depends on every other part, so destroy deletes it first and stops there", () => {
    const { resources } = buildStack("guarded", dedicatedStack());
    const guard = one(resources, T.configMap, "-destroy-guard");
    assert.equal(guard.opts.protect, true);
    const dependsOn = (guard.opts.dependsOn as unknown as { __name: string }[]).map((r) => r.__name);
    assert.deepEqual(dependsOn, [
      "guarded-namespace",
      "guarded-secrets",
      "guarded-postgres",
      "guarded-redis",
      "guarded-ollama",
      "guarded-api",
      "guarded-worker",
      "guarded-ingress",
      "guarded-network-policies",
    ]);
  });

  it("is lifted with the stores' protection, by allowVolumeReplacement on every store", () => {
    const lifted = { allowVolumeReplacement: true };
    const stack = { ...dedicatedStack(), postgres: lifted, redis: lifted, ollama: { enabled: false } };
    assert.equal(one(buildStack("lifted", stack).resources, T.configMap, "-destroy-guard").opts.protect, false);
    const redisOnly = { ...dedicatedStack(), redis: lifted, ollama: { enabled: false } };
    assert.equal(one(buildStack("kept", redisOnly).resources, T.configMap, "-destroy-guard").opts.protect, true);
  });
});
