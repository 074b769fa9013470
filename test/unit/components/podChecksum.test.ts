import * as assert from "node:assert/strict";
import { Api } from "../../../components";
import { capture, propsOf, T } from "./capture";

const CREDENTIALS = { credentialsSecretName: "credentials", tenantCredentialsSecretName: "tenant-credentials" };
const WIRING = { credentialKeys: ["POSTGRES_PASSWORD"], tenancyMode: "dedicated" as const, tenants: ["acme"], ollama: false };
const image = "ghcr.io/example/api:1.0.0";
const CHECKSUM = "tenantstack.io/settings-checksum";

async function podChecksum(name: string, spec: Record<string, unknown>): Promise<string> {
  const { resources, opts } = capture();
  new Api(name, { namespace: "apps", credentials: CREDENTIALS, spec: { image, ...spec }, wiring: WIRING }, opts);
  const deployment = await propsOf(resources, T.deployment, `${name}-deployment`);
  return deployment.spec.template.metadata.annotations[CHECKSUM];
}

describe("the rollout's timeout", () => {
  it("is the engine's wait for the Deployment when set (create and update), pulumi-kubernetes' own when not", () => {
    const deployment = (spec: Record<string, unknown>) => {
      const { resources, opts } = capture();
      new Api("api", { namespace: "apps", credentials: CREDENTIALS, spec: { image, ...spec }, wiring: WIRING }, opts);
      return resources.find((r) => r.type === T.deployment)!;
    };
    assert.deepEqual(deployment({ rolloutTimeoutSeconds: 90 }).opts.customTimeouts, { create: "90s", update: "90s" });
    assert.equal(deployment({}).opts.customTimeouts, undefined);
  });
});

describe("the pods' settings checksum", () => {
  it("stays the same when only the replica count, autoscaling, the disruption budget or the rollout's deadline or timeout changes, so scaling rolls no pod", async () => {
    const base = await podChecksum("base", { replicas: 1 });
    assert.match(base, /^[0-9a-f]{64}$/);
    assert.equal(await podChecksum("scaled", { replicas: 2 }), base);
    assert.equal(await podChecksum("budget", { replicas: 1, maxUnavailable: 0 }), base);
    assert.equal(await podChecksum("deadline", { replicas: 1, progressDeadlineSeconds: 60 }), base);
    assert.equal(await podChecksum("timeout", { replicas: 1, rolloutTimeoutSeconds: 90 }), base);
    assert.equal(await podChecksum("autoscaled", { replicas: 1, autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 4 } }), base);
  });

  it("changes with what shapes a pod: its environment, arguments or resources", async () => {
    const base = await podChecksum("base", {});
    assert.notEqual(await podChecksum("env", { env: { LOG_LEVEL: "debug" } }), base);
    assert.notEqual(await podChecksum("args", { args: ["--verbose"] }), base);
    assert.notEqual(await podChecksum("cpu", { resources: { cpuLimit: "2" } }), base);
  });
});
