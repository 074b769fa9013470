/**
 * Renaming an AppStack on the real engine: with `aliases` and its `instance` fixed to the old name, the engine
 * moves every resource to its new URN and changes nothing in the cluster; without the fixed `instance`, the
 * selectors would change and the preview refuses to replace the protected StatefulSets.
 */
import * as assert from "node:assert/strict";
import type { Stack } from "@pulumi/pulumi/automation";
import { AppStack, type AppStackArgs } from "../../components";
import { devSettings } from "../support/devStack";
import { EngineSession, uniqueName } from "../support/engine";
import { removeNamespace } from "../support/testRun";

const statefulSet = (ns: string, name: string) => `/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`;

describe("renaming an AppStack", function () {
  let session: EngineSession;
  let stack: Stack;
  let ns: string;
  let settings: AppStackArgs;

  /** A program of one AppStack named `name`, with `args` added to the settings. */
  const program =
    (name: string, args: Partial<AppStackArgs> = {}, aliases?: string[]) =>
    async () => {
      const app = new AppStack(name, { ...settings, ...args } as AppStackArgs, { aliases: aliases?.map((alias) => ({ name: alias })) });
      return { namespace: app.namespace };
    };

  before(async () => {
    session = await EngineSession.open();
    ns = uniqueName("e2e-rename");
    const dev = devSettings();
    settings = { ...dev, namespace: ns, ollama: { ...dev.ollama, enabled: false } } as AppStackArgs;
    stack = await session.inlineStack(ns, program("before"));
  });
  after(async () => {
    if (stack) {
      const lifted = { allowVolumeReplacement: true };
      session.setProgram(
        stack,
        program("after", { instance: "before", postgres: { ...settings.postgres, ...lifted }, redis: lifted }, ["before"]),
      );
      await stack.up().catch(() => undefined);
      await stack.destroy().catch(() => undefined);
      await removeNamespace(session.kube, ns);
    }
    await session?.close();
  });

  it("comes up under its first name", async () => {
    const result = await stack.up();
    assert.equal(result.summary.result, "succeeded");
    const postgres = await session.kube.get(statefulSet(ns, "postgres"));
    assert.equal(postgres.spec.selector.matchLabels["app.kubernetes.io/instance"], "before");
  });

  it("cannot be renamed with aliases alone: the selectors would change, and the protected StatefulSets are not replaced", async () => {
    session.setProgram(stack, program("after", {}, ["before"]));
    await assert.rejects(stack.preview(), /protect/);
  });

  it("is renamed with aliases and its instance fixed, replacing and deleting nothing", async () => {
    const before = await Promise.all(["postgres", "redis"].map((name) => session.kube.get(statefulSet(ns, name))));
    session.setProgram(stack, program("after", { instance: "before" }, ["before"]));

    const preview = await stack.preview();
    assert.deepEqual(Object.keys(preview.changeSummary), ["same"], JSON.stringify(preview.changeSummary));
    const result = await stack.up();
    assert.equal(result.summary.result, "succeeded");
    assert.deepEqual(Object.keys(result.summary.resourceChanges ?? {}), ["same"], JSON.stringify(result.summary.resourceChanges));

    const state = await stack.exportStack();
    const urns: string[] = state.deployment.resources.map((r: { urn: string }) => r.urn);
    assert.ok(urns.some((urn) => urn.endsWith("::after-postgres-statefulset")));
    assert.ok(!urns.some((urn) => /::before-/.test(urn)), "no resource left under the old name");
    const after = await Promise.all(["postgres", "redis"].map((name) => session.kube.get(statefulSet(ns, name))));
    assert.deepEqual(
      after.map((s) => s.metadata.uid),
      before.map((s) => s.metadata.uid),
      "the same StatefulSets",
    );
    assert.equal(after[0].metadata.generation, before[0].metadata.generation, "unchanged");
  });
});
