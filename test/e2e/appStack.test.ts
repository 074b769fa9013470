/**
 * The program against the real engine and the local control plane: what mocks cannot prove.
 */
import * as assert from "node:assert/strict";
import type { Stack } from "@pulumi/pulumi/automation";
import { devSettings } from "../support/devStack";
import { EngineSession, uniqueName } from "../support/engine";
import { removeNamespace } from "../support/testRun";

const apps = (ns: string, kind: string, name: string) => `/apis/apps/v1/namespaces/${ns}/${kind}/${name}`;
const core = (ns: string, kind: string, name = "") => `/api/v1/namespaces/${ns}/${kind}${name ? `/${name}` : ""}`;

describe("the program on the local cluster", function () {
  let session: EngineSession;
  before(async () => {
    session = await EngineSession.open();
  });
  after(async () => {
    await session?.close();
  });

  /** Asserts every workload of a stack is ready, read back from the API server. */
  async function assertReady(ns: string, ollama: boolean): Promise<void> {
    for (const name of ["api", "worker"]) {
      const deployment = await session.kube.get(apps(ns, "deployments", name));
      assert.equal(deployment.status.readyReplicas, deployment.spec.replicas, `${name} ready`);
    }
    for (const name of ["postgres", "redis", ...(ollama ? ["ollama"] : [])]) {
      const statefulSet = await session.kube.get(apps(ns, "statefulsets", name));
      assert.equal(statefulSet.status.readyReplicas, 1, `${name} ready`);
      const claim = await session.kube.get(core(ns, "persistentvolumeclaims", `data-${name}-0`));
      assert.equal(claim.status.phase, "Bound", `${name} volume bound`);
    }
  }

  describe("a dedicated dev stack", () => {
    let stack: Stack;
    let ns: string;
    let settings: Record<string, any>;

    before(async () => {
      ns = uniqueName("e2e-dedicated");
      settings = { ...devSettings(), namespace: ns };
      stack = await session.stack(ns, settings);
    });
    after(async () => {
      if (!stack) return;
      // Opt in to lifting the protection, destroy, then drop the retained namespace and its volumes.
      for (const store of ["postgres", "redis", "ollama"]) settings[store] = { ...settings[store], allowVolumeReplacement: true };
      await session.configure(stack, settings);
      await stack.up().catch(() => undefined);
      await stack.destroy().catch(() => undefined);
      await removeNamespace(session.kube, ns);
    });

    it("comes up with every workload ready, Ollama on the GPU node and the volumes bound", async () => {
      const result = await stack.up();
      assert.equal(result.summary.result, "succeeded");
      assert.equal(result.outputs.namespace.value, ns);
      await assertReady(ns, true);
      const pod = await session.kube.get(core(ns, "pods", "ollama-0"));
      const node = await session.kube.get(`/api/v1/nodes/${pod.spec.nodeName}`);
      assert.equal(node.metadata.labels["nvidia.com/gpu.present"], "true");
      assert.equal(pod.spec.containers[0].resources.limits["nvidia.com/gpu"], "1");
    });

    it("enforces Pod Security restricted, and admitted every pod", async () => {
      const namespace = await session.kube.get(`/api/v1/namespaces/${ns}`);
      assert.equal(namespace.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
      const pods = await session.kube.list(core(ns, "pods"));
      assert.ok(pods.length >= 5, `pods: ${pods.map((p: any) => p.metadata.name).join(", ")}`);
      const privileged = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "privileged" },
        spec: { containers: [{ name: "c", image: "busybox:1.36", securityContext: { privileged: true } }] },
      };
      await assert.rejects(
        session.kube.request("POST", core(ns, "pods"), privileged),
        /403 .*violates PodSecurity \\"restricted:latest\\": privileged/,
      );
    });

    it("changes nothing on a second up", async () => {
      const result = await stack.up({ expectNoChanges: true });
      assert.equal(result.summary.result, "succeeded");
      assert.deepEqual(Object.keys(result.summary.resourceChanges ?? {}), ["same"]);
    });

    it("keeps every generated password out of the state files", async () => {
      const decode = (data: Record<string, string>) => Object.values(data).map((v) => Buffer.from(v, "base64").toString("utf8"));
      const stackSecret = await session.kube.get(core(ns, "secrets", "credentials"));
      const tenantSecret = await session.kube.get(core(ns, "secrets", "tenant-credentials"));
      const passwords = [...decode(stackSecret.data), ...decode(tenantSecret.data)].filter((v) => /^[A-Za-z0-9]{32}$/.test(v));
      assert.equal(passwords.length, 4, "3 stack passwords and the tenant's database password");
      // The engine knows them (decrypted on demand), so a leak would be found by the same search.
      const decrypted = JSON.stringify(await stack.exportStack());
      for (const password of passwords) assert.ok(decrypted.includes(password));
      const files = session.backendFiles();
      for (const password of passwords) {
        assert.ok(!files.includes(password), "a generated password is in the state files in plaintext");
        assert.ok(!files.includes(Buffer.from(password).toString("base64")), "a generated password is in the state files in base64");
      }
    });

    it("updates the API image in place", async () => {
      settings.api = { ...settings.api, image: "hashicorp/http-echo:1.0.1" };
      await session.configure(stack, settings);
      const result = await stack.up();
      assert.equal(result.summary.resourceChanges?.replace, undefined);
      assert.ok((result.summary.resourceChanges?.update ?? 0) >= 1);
      const deployment = await session.kube.get(apps(ns, "deployments", "api"));
      assert.equal(deployment.spec.template.spec.containers[0].image, "hashicorp/http-echo:1.0.1");
    });

    it("refuses to resize the Postgres volume without the opt-in, and leaves it untouched", async () => {
      const before = await session.kube.get(core(ns, "persistentvolumeclaims", "data-postgres-0"));
      await session.configure(stack, { ...settings, postgres: { ...settings.postgres, storageGi: 2 } });
      await assert.rejects(stack.preview(), /`postgres\.storageGi` changed from 1 to 2: .* set `postgres\.allowVolumeReplacement: true`/s);
      await assert.rejects(stack.up(), /`postgres\.storageGi` changed from 1 to 2/);
      const after = await session.kube.get(core(ns, "persistentvolumeclaims", "data-postgres-0"));
      assert.equal(after.metadata.uid, before.metadata.uid);
      assert.equal(after.spec.resources.requests.storage, "1Gi");
      await session.configure(stack, settings);
    });

    it("refuses to destroy the protected stores", async () => {
      await assert.rejects(stack.destroy(), /protected/);
      const claim = await session.kube.get(core(ns, "persistentvolumeclaims", "data-postgres-0"));
      assert.equal(claim.status.phase, "Bound");
      assert.ok(await session.kube.get(apps(ns, "statefulsets", "postgres")));
    });
  });

  describe("a shared stack with three tenants", () => {
    let stack: Stack;
    let ns: string;
    let settings: Record<string, any>;

    before(async () => {
      ns = uniqueName("e2e-shared");
      settings = {
        ...devSettings(),
        namespace: ns,
        tenancy: {
          mode: "shared",
          tenants: ["acme", "globex", "initech"].map((name) => ({ name, host: `${name}.tenantstack.localhost` })),
        },
        ollama: { ...devSettings().ollama, enabled: false },
      };
      stack = await session.stack(ns, settings);
    });
    after(async () => {
      if (!stack) return;
      for (const store of ["postgres", "redis", "ollama"]) settings[store] = { ...settings[store], allowVolumeReplacement: true };
      await session.configure(stack, settings);
      await stack.up().catch(() => undefined);
      await stack.destroy().catch(() => undefined);
      await removeNamespace(session.kube, ns);
    });

    it("comes up with every workload ready and a database job per tenant list", async () => {
      const result = await stack.up();
      assert.equal(result.summary.result, "succeeded");
      assert.deepEqual(Object.keys(result.outputs.urls.value), ["acme", "globex", "initech"]);
      await assertReady(ns, false);
      const jobs = await session.kube.list(`/apis/batch/v1/namespaces/${ns}/jobs`);
      const provision = jobs.find((j: any) => j.metadata.name.startsWith("postgres-provision-"));
      assert.equal(provision?.status.succeeded, 1);
      const ingress = await session.kube.get(`/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses/api`);
      assert.deepEqual(
        ingress.spec.rules.map((r: any) => r.host),
        ["acme.tenantstack.localhost", "globex.tenantstack.localhost", "initech.tenantstack.localhost"],
      );
      const policies = await session.kube.list(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`);
      assert.ok(policies.some((p: any) => p.metadata.name === "default-deny"));
    });
  });
});
