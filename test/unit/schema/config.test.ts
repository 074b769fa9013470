import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { readStackConfig, ValidationError } from "../../../schema";
import { allConfigOfYaml } from "./stackFiles";

/** A stack file's config as `pulumi.runtime.allConfig()` presents it: objects as JSON text. */
function allConfigOf(file: string): Record<string, string> {
  return allConfigOfYaml(readFileSync(path.join(__dirname, "../../..", file), "utf8"));
}

function problemsOf(all: Record<string, string>, secretKeys: string[] = []): readonly string[] {
  try {
    readStackConfig(all, (key) => secretKeys.includes(key));
    return [];
  } catch (error) {
    assert.ok(error instanceof ValidationError);
    return error.problems;
  }
}

describe("stack config", () => {
  it("reads Pulumi.dev.yaml: a dedicated dev stack on the local cluster", () => {
    const { spec } = readStackConfig(allConfigOf("Pulumi.dev.yaml"), () => false);
    assert.equal(spec.environment, "dev");
    assert.deepEqual(spec.tenancy, { mode: "dedicated", tenant: { name: "demo", host: "demo.tenantstack.localhost", routed: true } });
    assert.equal(spec.api.autoscaling.enabled, false);
    assert.equal(spec.postgres.storageGi, 1);
    assert.deepEqual(spec.ingress.tls, { issuer: "none" });
    assert.equal(spec.ingress.waitForAddress, false);
  });

  it("reads Pulumi.prod.yaml: a shared prod stack with external secrets", () => {
    const { spec } = readStackConfig(allConfigOf("Pulumi.prod.yaml"), () => false);
    assert.equal(spec.environment, "prod");
    assert.equal(spec.tenancy.mode, "shared");
    assert.equal(spec.ingress.tls.issuer, "letsencrypt-prod");
    assert.equal(spec.secrets.source, "external");
    assert.equal(spec.postgres.backup.destination.type, "s3");
  });

  it("reads the stack's scheduling: the real node's label and taint", () => {
    const all = {
      ...allConfigOf("Pulumi.dev.yaml"),
      "tenantstack:scheduling": JSON.stringify({
        nodeSelector: { "tenantstack.dev/node": "real" },
        tolerations: [{ key: "tenantstack.dev/node", value: "real", effect: "NoSchedule" }],
      }),
    };
    const { spec } = readStackConfig(all, () => false);
    assert.deepEqual(spec.scheduling, {
      nodeSelector: { "tenantstack.dev/node": "real" },
      tolerations: [{ key: "tenantstack.dev/node", operator: "Equal", value: "real", effect: "NoSchedule" }],
    });
  });

  it("ignores other namespaces' keys and rejects unknown tenantstack keys", () => {
    const all = { ...allConfigOf("Pulumi.dev.yaml"), "kubernetes:context": "local", "tenantstack:ollamma": "{}" };
    assert.deepEqual(problemsOf(all), [
      '`tenantstack:ollamma` is not a known setting (did you mean "ollama"?); allowed: environment, cloud, aws, gcp, azure, namespace, namespaceLabels, tenancy, scheduling, api, worker, postgres, redis, ollama, ingress, secrets, monitoring',
    ]);
  });

  it("takes app secret values only from a secret key, and never shows them", () => {
    const base = allConfigOf("Pulumi.dev.yaml");
    base["tenantstack:secrets"] = JSON.stringify({ source: "generated", appSecretNames: ["OPENAI_API_KEY"] });
    base["tenantstack:appSecretValues"] = JSON.stringify({ OPENAI_API_KEY: "sk-live-123456" });

    const plain = problemsOf(base);
    assert.deepEqual(plain, [
      "`tenantstack:appSecretValues.OPENAI_API_KEY` is required by `tenantstack:secrets.appSecretNames`: provide it as a secret (`pulumi config set --secret --path 'tenantstack:appSecretValues.OPENAI_API_KEY'`)",
      "`tenantstack:appSecretValues` must be set as a secret; set each value with `pulumi config set --secret --path 'tenantstack:appSecretValues.NAME'` (its value is not shown)",
    ]);
    assert.ok(!plain.join("\n").includes("sk-live"));

    const { appSecretValues } = readStackConfig(base, (key) => key === "tenantstack:appSecretValues");
    assert.deepEqual(appSecretValues, { OPENAI_API_KEY: "sk-live-123456" });
  });

  it("rejects app secret values that are not strings, without showing them", () => {
    const base = allConfigOf("Pulumi.dev.yaml");
    base["tenantstack:appSecretValues"] = JSON.stringify({ TOKEN: 123456789 });
    const found = problemsOf(base, ["tenantstack:appSecretValues"]);
    assert.deepEqual(found, ["`tenantstack:appSecretValues.TOKEN` must be a string (its value is not shown)"]);
    assert.ok(!found.join("\n").includes("123456789"));
  });
});
