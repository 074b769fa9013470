/**
 * The package as published: built, packed by npm, and the driver's default program one of its
 * files (an installed driver runs the compiled program; the checkout runs `index.ts`); then
 * installed from its tarball into an empty project, whose `tenantstack` CLI brings a stack up.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { KUBECONFIG, REPO } from "../support/controlPlane";
import { KubeClient } from "../support/kube";
import { testTenantSettings } from "../support/devStack";
import { checkoutVersions, installPacked, npm } from "../support/packedPackage";
import { removeNamespace, testDir } from "../support/testRun";

describe("the published package", function () {
  this.timeout(300_000);

  before(() => npm(["run", "build"]));

  it("holds the compiled components, schema, driver and program, and no tests or stack files", async () => {
    const [pack] = JSON.parse(npm(["pack", "--dry-run", "--json", "--ignore-scripts"]));
    const files: string[] = pack.files.map((f: { path: string }) => f.path);
    for (const file of [
      "dist/index.js",
      "dist/components/index.js",
      "dist/schema/index.js",
      "dist/automation/index.js",
      "tenantstack.schema.json",
    ])
      assert.ok(files.includes(file), `${file} is packed`);
    assert.deepEqual(
      files.filter((f) => /^(test|tools|bench)\/|^Pulumi\.|^index\.ts$|\.test\./.test(f)),
      [],
      "no tests, tools or stack files",
    );

    // Every package the compiled code requires is a dependency or peer dependency, not a dev one
    // resolving only because another package happens to bring it.
    const manifest = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8"));
    const declared = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)]);
    const required = new Set(
      files
        .filter((f) => f.endsWith(".js"))
        .flatMap((f) => [...readFileSync(path.join(REPO, f), "utf8").matchAll(/require\("([^".][^"]*)"\)/g)].map((m) => m[1]))
        .filter((name) => !name.startsWith("node:"))
        .map((name) =>
          name
            .split("/")
            .slice(0, name.startsWith("@") ? 2 : 1)
            .join("/"),
        ),
    );
    assert.deepEqual(
      [...required].filter((name) => !declared.has(name)),
      [],
      "undeclared runtime dependencies",
    );
    assert.ok(required.has("js-yaml") && required.has("@pulumi/pulumi"), `the scan found the requires: ${[...required].join(", ")}`);

    // The compiled driver's default program is the packed, compiled program.
    const stateDir = mkdtempSync(path.join(tmpdir(), "tenantstack-package-"));
    try {
      const { resolveWorkspaceOptions } = await import(path.join(REPO, "dist/automation/workspace.js"));
      const { program } = resolveWorkspaceOptions({ stateDir, passphrase: "p" });
      assert.equal(program, path.join(REPO, "dist/index.js"));
      assert.ok(existsSync(program));
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it("installs from its tarball into an empty project, whose `tenantstack` CLI brings a tenant's stack up on the cluster", async () => {
    const dir = testDir("consumer");
    const tenant = `pk${randomBytes(2).toString("hex")}`;
    const kube = KubeClient.fromKubeconfig(KUBECONFIG);
    try {
      installPacked(dir, checkoutVersions(["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/random"]));
      writeFileSync(path.join(dir, "settings.json"), JSON.stringify(testTenantSettings()));
      const cli = (...args: string[]) =>
        execFileSync(
          path.join(dir, "node_modules/.bin/tenantstack"),
          ["--state-dir", path.join(dir, "state"), "--kubeconfig", KUBECONFIG, ...args],
          {
            cwd: dir,
            encoding: "utf8",
            env: { ...process.env, TENANTSTACK_PASSPHRASE: randomBytes(16).toString("hex") },
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
      cli(
        "tenant",
        "create",
        tenant,
        "--host",
        `${tenant}.example.com`,
        "--plan",
        "dedicated",
        "--version",
        "1.0.0",
        "--settings",
        "settings.json",
      );
      const up = JSON.parse(cli("--json", "up"));
      assert.equal(up.status, "succeeded", JSON.stringify(up.stacks.map((s: { error?: unknown }) => s.error)));
      assert.ok(up.stacks[0].result.changes.creates > 20, "the stack's resources were created");

      const deployment = await kube.get(`/apis/apps/v1/namespaces/tenantstack-dev-${tenant}/deployments/api`);
      assert.equal(deployment?.spec.template.spec.containers[0].image, "hashicorp/http-echo:1.0.0");
      const project = yaml.load(readFileSync(path.join(dir, "state/stacks", `dev-${tenant}`, "Pulumi.yaml"), "utf8")) as { main: string };
      assert.equal(project.main, path.join(dir, "node_modules/tenantstack/dist/index.js"), "the engine ran the installed program");
    } finally {
      await removeNamespace(kube, `tenantstack-dev-${tenant}`);
      kube.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
