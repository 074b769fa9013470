/**
 * The driver README's examples as a reader runs them on the local cluster: the library example, as
 * written, compiled in a new project with the package installed from its tarball and run twice (the
 * second run changes nothing and exits 0 too); then the CLI walkthrough, its two shell blocks run as
 * written by bash in a clean clone of HEAD (`npm ci`, `npm run build`, the toolchain, the cluster,
 * then `npx tenantstack ...` and the stand-in data plane), every command exiting 0. Both use the
 * tenant `acme` (namespace `tenantstack-dev-acme`), one after the other; the walkthrough's fixed
 * state directory `~/.cache/tenantstack/walkthrough` must not exist (a reader's own walkthrough?).
 */
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KUBECONFIG, MAIN_CLUSTER, OWN_CLUSTER, REPO } from "../../support/controlPlane";
import { KubeClient } from "../../support/kube";
import { checkoutVersions, installPacked, npm, PULUMI_TSCONFIG } from "../../support/packedPackage";
import { cliWalkthrough, libraryExample } from "../../support/readmeBlocks";
import { removeNamespace, testDir } from "../../support/testRun";

const NAMESPACE = "tenantstack-dev-acme";
const CACHE = path.join(os.homedir(), ".cache/tenantstack");
/** What the walkthrough writes outside its clone, as it names them. */
const WALKTHROUGH_STATE = path.join(CACHE, "walkthrough");
const WALKTHROUGH_DATA = path.join(CACHE, "walkthrough-data");

/** The image of the api Deployment of the example's tenant. */
async function apiImage(kube: KubeClient): Promise<string | undefined> {
  return (await kube.get(`/apis/apps/v1/namespaces/${NAMESPACE}/deployments/api`))?.spec.template.spec.containers[0].image;
}

/** Deletes the tenant's namespace and waits until it is gone (the next example makes it again). */
async function clearNamespace(kube: KubeClient): Promise<void> {
  await removeNamespace(kube, NAMESPACE);
  for (let i = 0; i < 180 && (await kube.get(`/api/v1/namespaces/${NAMESPACE}`)) !== undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

describe("the driver README's examples on the local cluster", function () {
  this.timeout(3_600_000);
  let kube: KubeClient;

  before(async function () {
    // The walkthrough names the default local cluster's kubeconfig.
    if (OWN_CLUSTER || path.resolve(MAIN_CLUSTER.dir) !== path.join(CACHE, "cluster")) this.skip();
    kube = KubeClient.fromKubeconfig(KUBECONFIG);
    const taken = [
      ...((await kube.get(`/api/v1/namespaces/${NAMESPACE}`)) ? [`the namespace ${NAMESPACE}`] : []),
      ...[WALKTHROUGH_STATE, WALKTHROUGH_DATA].filter(existsSync),
    ];
    if (taken.length > 0)
      throw new Error(`${taken.join(" and ")} exist (a walkthrough of your own?); the test needs them free: remove them first`);
  });
  after(async () => {
    if (!kube) return;
    await clearNamespace(kube);
    kube.close();
  });

  it("runs the library example as written, twice: the second run changes nothing and exits 0 too", async () => {
    const dir = testDir("readme-library");
    try {
      npm(["run", "build"]);
      installPacked(dir, checkoutVersions(["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/random", "typescript", "@types/node"]));
      writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(PULUMI_TSCONFIG, null, 2));
      writeFileSync(path.join(dir, "index.ts"), libraryExample());
      execFileSync(path.join(dir, "node_modules/.bin/tsc"), ["-p", "."], { cwd: dir, stdio: "pipe" });
      // The toolchain is on this process's PATH (the root hook): outside a checkout the driver finds `pulumi` there.
      const env = {
        ...process.env,
        TENANTSTACK_STATE_DIR: path.join(dir, "state"),
        TENANTSTACK_PASSPHRASE: randomBytes(16).toString("hex"),
        KUBECONFIG,
      };
      const runs = [1, 2].map(() =>
        spawnSync(process.execPath, ["bin/index.js"], { cwd: dir, env, encoding: "utf8", maxBuffer: 64 << 20 }),
      );
      for (const [i, run] of runs.entries()) {
        assert.equal(run.status, 0, `run ${i + 1} exited ${run.status}:\n${run.stderr}`);
        assert.match(run.stdout, /^dev-acme: hashicorp\/http-echo:\d+\.\d+\.\d+ and hashicorp\/http-echo:\d+\.\d+\.\d+$/m);
        assert.match(run.stdout, /^the fleet runs 2\.5\.0$/m);
      }
      assert.match(runs[0].stdout, /^dev-acme: hashicorp\/http-echo:2\.4\.1 and/m, "the first preview at the provisioned version");
      assert.match(runs[1].stdout, /^dev-acme: hashicorp\/http-echo:2\.5\.0 and/m, "the second at the upgraded one");
      assert.equal(await apiImage(kube), "hashicorp/http-echo:2.5.0", "the api runs the upgraded version");
    } finally {
      await clearNamespace(kube);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs the CLI walkthrough as written in a clean clone: every command exits 0", async () => {
    const dir = testDir("readme-walkthrough");
    const clone = path.join(dir, "clone");
    const { setup, settingsFile, settings, commands } = cliWalkthrough();
    try {
      execFileSync("git", ["clone", "--quiet", "--no-hardlinks", REPO, clone]);
      writeFileSync(path.join(clone, settingsFile), `${JSON.stringify(settings, null, 2)}\n`);
      const env = { ...process.env };
      for (const name of [
        "TENANTSTACK_STATE_DIR",
        "TENANTSTACK_PASSPHRASE",
        "PULUMI_CONFIG_PASSPHRASE",
        "PULUMI_BACKEND_URL",
        "TENANTSTACK_DATA_PLANE",
      ])
        delete env[name];
      const bash = (script: string) =>
        spawnSync("bash", ["-euo", "pipefail", "-c", script], { cwd: clone, env, encoding: "utf8", maxBuffer: 64 << 20 });
      const prepared = bash(setup);
      assert.equal(prepared.status, 0, `the setup exited ${prepared.status}:\n${prepared.stderr}`);
      const walked = bash(commands);
      assert.equal(walked.status, 0, `the walkthrough exited ${walked.status}:\n${walked.stderr}`);

      // What it printed: the tenant listed with the images of its upgraded version, the migration planned.
      assert.match(walked.stdout, /^acme\s+dedicated\s+dev\s+2\.5\.0\s.*hashicorp\/http-echo:2\.5\.0\s+hashicorp\/http-echo:2\.5\.0$/m);
      assert.match(walked.stdout, /^migrate acme dedicated -> shared: planned/m);
      assert.match(walked.stdout, /^ {2}postgres tenant_acme: .* target: absent$/m);
      assert.equal(await apiImage(kube), "hashicorp/http-echo:2.5.0");
      // The stand-in data servers were stopped by its last line.
      assert.equal(existsSync(WALKTHROUGH_DATA), false);
      assert.equal(execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: clone, encoding: "utf8" }), "");
    } finally {
      spawnSync(path.join(REPO, "tools/dataservers.sh"), ["stop", WALKTHROUGH_DATA], { stdio: "ignore" });
      rmSync(WALKTHROUGH_STATE, { recursive: true, force: true });
      // npx installed the clone's package into its cache: that entry goes with the clone.
      const npx = path.join(os.homedir(), ".npm/_npx");
      for (const entry of existsSync(npx) ? readdirSync(npx) : []) {
        const manifest = path.join(npx, entry, "package.json");
        if (existsSync(manifest) && readFileSync(manifest, "utf8").includes(clone))
          rmSync(path.join(npx, entry), { recursive: true, force: true });
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
