/**
 * The README's quick start as a newcomer runs it: a clean clone of HEAD, `npm ci --ignore-scripts`,
 * `npm run quickstart` with a state directory of its own, on the local cluster with its real node.
 */
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { KUBECONFIG, OWN_CLUSTER, REPO } from "../support/controlPlane";
import { devSettings } from "../support/devStack";
import { AppClient } from "../support/appClient";
import { KubeClient } from "../support/kube";
import { removeNamespace, TEST_RUN_LABELS } from "../support/testRun";
import { defaultNamespace } from "../../schema";

describe("the README's quick start on a clean clone", function () {
  let clone: string;
  let state: string;
  let env: NodeJS.ProcessEnv;
  let kube: KubeClient; // in `before`: the kubeconfig exists once the root hook has started the cluster
  const settings = devSettings();
  const tenant = settings.tenancy.tenant;
  const namespace = defaultNamespace(settings.environment, tenant.name);

  /** Runs a command in the clone, its output on failure only. */
  const run = (command: string, args: string[]): string =>
    execFileSync(command, args, { cwd: clone, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });

  before(async function () {
    if (OWN_CLUSTER) this.skip(); // the quick start is the local cluster's
    kube = KubeClient.fromKubeconfig(KUBECONFIG);
    const existing = await kube.get(`/api/v1/namespaces/${namespace}`).catch(() => undefined);
    if (existing) {
      throw new Error(
        `namespace ${namespace} exists on the local cluster (your own quick start?); the test needs it free: ` +
          `remove that stack first (README "Removing a stack"), then delete the namespace`,
      );
    }
    clone = mkdtempSync(path.join(tmpdir(), "tenantstack-quickstart-"));
    state = mkdtempSync(path.join(tmpdir(), "tenantstack-quickstart-state-"));
    execFileSync("git", ["clone", "--quiet", "--no-hardlinks", REPO, clone]);
    env = { ...process.env, TENANTSTACK_STATE_DIR: state };
    for (const name of ["PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_BACKEND_URL"]) delete env[name];
  });

  after(async function () {
    if (!clone) return;
    // Lift the protection of the stores, destroy, then drop the retained namespace and its claims.
    const pulumi: NodeJS.ProcessEnv = {
      ...env,
      PULUMI_BACKEND_URL: `file://${state}/backend`,
      PULUMI_CONFIG_PASSPHRASE_FILE: `${state}/passphrase`,
    };
    const quiet = { cwd: clone, env: pulumi, stdio: "ignore" as const };
    const toolchain = execFileSync(path.join(clone, "tools/toolchain.sh"), ["path"], { encoding: "utf8" }).trim();
    pulumi.PATH = `${toolchain}:${pulumi.PATH}`;
    try {
      execFileSync("pulumi", ["state", "unprotect", "--all", "--yes", "--stack", "dev"], quiet);
      execFileSync("pulumi", ["destroy", "--yes", "--skip-preview", "--stack", "dev", "--non-interactive"], quiet);
    } catch {
      // the namespace goes below all the same
    }
    await removeNamespace(kube, namespace);
    rmSync(clone, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  });

  it("brings the dev stack up with `npm ci --ignore-scripts && npm run quickstart`, its pods on the real node, and changes no tracked file", async function () {
    run("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"]);
    const quickstart = spawnSync("npm", ["run", "--silent", "quickstart"], { cwd: clone, env, encoding: "utf8", maxBuffer: 64 << 20 });
    assert.equal(quickstart.status, 0, quickstart.stderr);
    const printed = quickstart.stdout;
    // Marked as this run's, so that `cluster.sh gc` removes it should the run be killed before `after`.
    await kube.request(
      "PATCH",
      `/api/v1/namespaces/${namespace}`,
      { metadata: { labels: TEST_RUN_LABELS } },
      "application/merge-patch+json",
    );

    // The outputs it printed, as `pulumi stack output` shows them.
    assert.match(printed, new RegExp(`namespace\\s+${namespace}`));
    assert.match(printed, new RegExp(`urls\\s+\\{"${tenant.name}":"https?://${tenant.host.replace(/\./g, "\\.")}/?"\\}`));

    // What it made, read back from the API server: every workload ready, the CPU ones on the real node.
    for (const name of ["api", "worker"]) {
      const deployment = await kube.get(`/apis/apps/v1/namespaces/${namespace}/deployments/${name}`);
      assert.equal(deployment.status.readyReplicas, deployment.spec.replicas, `${name} ready`);
    }
    const pods = await kube.get(`/api/v1/namespaces/${namespace}/pods`);
    const nodes = Object.fromEntries(pods.items.map((pod: any) => [pod.metadata.name, pod.spec.nodeName]));
    for (const name of ["postgres-0", "redis-0"]) assert.equal(nodes[name], "tenantstack-node", `${name} on the real node`);
    assert.match(nodes["ollama-0"], /^kwok-gpu-/, "Ollama on the GPU node");

    // The reference app answers by the address the quick start printed: a note written through the API
    // is read back, and a job the API enqueued is run by a worker pod.
    const address = await AppClient.serviceAddress(kube, namespace);
    assert.ok(quickstart.stderr.includes(`-H 'Host: ${tenant.host}' http://${address}/notes`), quickstart.stderr);
    const app = new AppClient(address, tenant.host);
    try {
      const note = await app.send("POST", "/notes", { text: "hello from the quick start" });
      assert.equal(note.status, 201, JSON.stringify(note.body));
      assert.deepEqual(
        (await app.allNotes()).map((n) => n.text),
        ["hello from the quick start"],
      );
      const job = await app.send("POST", "/jobs", { text: "three short words" });
      assert.equal(job.status, 202, JSON.stringify(job.body));
      let done: any;
      for (let i = 0; i < 50 && !done; i++) {
        const reply = await app.send("GET", `/jobs/${job.body.job.id}`);
        if (reply.status === 200) done = reply.body.job;
        else await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.equal(done?.words, 3, "the worker ran the job");
      assert.match(done.worker, /^worker-/);
    } finally {
      app.close();
    }

    // Nothing the quick start ran leaves a tracked file changed (such as a stack's encryptionsalt).
    assert.equal(execFileSync("git", ["status", "--porcelain"], { cwd: clone, encoding: "utf8" }), "");
  });
});
