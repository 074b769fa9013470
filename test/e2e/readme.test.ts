/**
 * The README's component example, as written, on the local cluster: the first TypeScript block of "Using the
 * components" is extracted, transpiled and run as an inline program (its `tenantstack` import resolving to this
 * checkout's components); then `pulumi destroy` is shown to refuse with nothing deleted, as the README says.
 */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import type { Stack } from "@pulumi/pulumi/automation";
import * as ts from "typescript";
import * as components from "../../components";
import type { AppStackArgs } from "../../components";
import { EngineSession, REPO, uniqueName } from "../support/engine";
import { removeNamespace } from "../support/testRun";
import type { KubeClient } from "../support/kube";

/** The namespace the example's settings give its stack. */
const NAMESPACE = "tenantstack-prod";

/** The first `ts` code block of the README section `heading`. */
function readmeExample(heading: string): string {
  const readme = readFileSync(path.join(REPO, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf(`\n${heading}\n`));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error(`no ts block under ${heading}`);
  return block[1];
}

/**
 * The inline program of a TypeScript program's text: transpiled to CommonJS, run with `tenantstack` resolving to
 * `tenantstack` given here; its exports are the stack outputs.
 */
function inlineProgram(source: string, tenantstack: object): () => Promise<Record<string, unknown>> {
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  return async () => {
    const module = { exports: {} as Record<string, unknown> };
    const load = (id: string) => (id === "tenantstack" ? tenantstack : createRequire(__filename)(id));
    new Function("require", "module", "exports", outputText)(load, module, module.exports);
    return module.exports;
  };
}

/** Deletes a namespace and waits until it is gone. */
async function deleteNamespace(kube: KubeClient, namespace: string): Promise<void> {
  await removeNamespace(kube, namespace);
  for (let i = 0; i < 120; i++) {
    if ((await kube.get(`/api/v1/namespaces/${namespace}`)) === undefined) return;
    await new Promise((done) => setTimeout(done, 1000));
  }
  throw new Error(`namespace ${namespace} still exists`);
}

describe("the README's component example", function () {
  const source = readmeExample("## Using the components");
  let session: EngineSession;
  let stack: Stack;

  before(async () => {
    session = await EngineSession.open();
    // A run killed before its teardown leaves the namespace (its state went with it).
    await deleteNamespace(session.kube, NAMESPACE);
    stack = await session.inlineStack(uniqueName("e2e-readme"), inlineProgram(source, components));
  });
  after(async () => {
    if (stack) {
      // The same program with the stores' protection lifted, as "Removing a stack" says.
      const lifted = { allowVolumeReplacement: true };
      class LiftedAppStack extends components.AppStack {
        constructor(name: string, args: AppStackArgs, opts?: pulumi.ComponentResourceOptions) {
          const stores = {
            postgres: { ...args.postgres, ...lifted },
            redis: { ...args.redis, ...lifted },
            ollama: { ...args.ollama, ...lifted },
          };
          super(name, { ...args, ...stores }, opts);
        }
      }
      session.setProgram(stack, inlineProgram(source, { ...components, AppStack: LiftedAppStack }));
      await stack.up().catch(() => undefined);
      await stack.destroy().catch(() => undefined);
    }
    if (session) await deleteNamespace(session.kube, NAMESPACE).catch(() => undefined);
    await session?.close();
  });

  it("deploys as written", async () => {
    const result = await stack.up();
    assert.equal(result.summary.result, "succeeded");
    assert.deepEqual(result.outputs.urls.value, { acme: "https://acme.app.example.com", globex: "https://globex.app.example.com" });
    assert.equal(result.outputs.databaseUrls.secret, true);
    for (const name of ["postgres", "redis", "ollama"]) {
      const statefulSet = await session.kube.get(`/apis/apps/v1/namespaces/${NAMESPACE}/statefulsets/${name}`);
      assert.equal(statefulSet.status.readyReplicas, 1, `${name} ready`);
    }
    const api = await session.kube.get(`/apis/apps/v1/namespaces/${NAMESPACE}/deployments/api`);
    assert.equal(api.spec.template.spec.containers[0].image, "ghcr.io/example/api:2.4.1");
  });

  it("refuses to be destroyed, without a preview too, and deletes nothing", async () => {
    const before = (await stack.exportStack()).deployment.resources.length;
    // The Automation API destroys as `pulumi destroy --skip-preview` does.
    await assert.rejects(stack.destroy(), /protected/);
    assert.equal((await stack.exportStack()).deployment.resources.length, before, "every resource still in the state");
    for (const [kind, name] of [
      ["deployments", "api"],
      ["deployments", "worker"],
      ["statefulsets", "postgres"],
    ]) {
      assert.ok(await session.kube.get(`/apis/apps/v1/namespaces/${NAMESPACE}/${kind}/${name}`), `${kind}/${name} kept`);
    }
    const ingress = await session.kube.get(`/apis/networking.k8s.io/v1/namespaces/${NAMESPACE}/ingresses/api`);
    assert.deepEqual(
      ingress.spec.rules.map((r: { host: string }) => r.host),
      ["acme.app.example.com", "globex.app.example.com"],
    );
  });
});
