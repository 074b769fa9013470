/**
 * The driver against the real engine and the local cluster: a fleet of three dedicated stacks and a
 * shared stack of two tenants, upgraded, failed, rolled back, crashed, killed and resumed; every
 * result checked against the API server, the journal or the backend. The tests are one scenario,
 * run in order: each starts from the fleet the ones before it left (the first provisions it; the
 * versions and stacks each one expects are those the earlier ones set), so none runs on its own.
 */
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import * as path from "node:path";
import {
  CancelledError,
  Driver,
  type DriverEvent,
  type FleetUpgradeResult,
  type OperationResult,
  PlanMismatchError,
  StackLockedError,
  fromWire,
} from "../../../automation";
import { main } from "../../../automation/cli/main";
import { buildServer } from "../../../automation/http/server";
import { KUBECONFIG } from "../../support/controlPlane";
import { cancelledUp } from "../../support/cancelledUp";
import { jsonLines, startFleetDriver } from "../../support/driverChild";
import { finishedOperation } from "../../support/httpOperation";
import { testTenantSettings as tenantSettings } from "../../support/devStack";
import { KubeClient } from "../../support/kube";
import { removeNamespace, testDir } from "../../support/testRun";

const apps = (ns: string, kind: string, name: string) => `/apis/apps/v1/namespaces/${ns}/${kind}/${name}`;

describe("the driver on the real engine", function () {
  const run = randomBytes(2).toString("hex");
  const [a, b, c, s1, s2, d] = ["a", "b", "c", "s1", "s2", "d"].map((t) => `f${run}-${t}`);
  const sharedNamespace = `f${run}-shared`;
  const stateDir = testDir("driver");
  const passphrase = randomBytes(16).toString("hex");
  const workspace = { stateDir, passphrase, env: { KUBECONFIG } };
  let kube: KubeClient;
  const namespaceOf = (stack: string) => (stack === "dev-shared" ? sharedNamespace : `tenantstack-${stack}`);
  let driver: Driver;

  /** The image of each stack's api Deployment, read from the API server. */
  async function images(): Promise<Record<string, string>> {
    const stacks = await driver.registry.stacks();
    const entries = await Promise.all(
      stacks.map(async (s) => [
        s.name,
        (await kube.get(apps(namespaceOf(s.name), "deployments", "api")))?.spec.template.spec.containers[0].image,
      ]),
    );
    return Object.fromEntries(entries);
  }

  const echo = (version: string) => `hashicorp/http-echo:${version}`;
  const statuses = (result: FleetUpgradeResult) => result.waves.map((wave) => wave.map((s) => `${s.stack}:${s.status}`));

  before(async () => {
    kube = KubeClient.fromKubeconfig(KUBECONFIG);
    driver = await Driver.open({ workspace, poolSize: 2 });
  });
  after(async () => {
    await driver?.close();
    for (const ns of [sharedNamespace, ...[a, b, c, d].map((t) => `tenantstack-dev-${t}`)]) {
      await removeNamespace(kube, ns);
    }
    kube?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("provisions three dedicated tenants and a shared stack of two; a preview then shows no changes", async () => {
    const sharedSettings = { ...tenantSettings(), namespace: sharedNamespace };
    const provisioned = await driver.provision({
      name: a,
      host: `${a}.example.com`,
      plan: "dedicated",
      version: "1.0.0",
      settings: tenantSettings(),
    });
    assert.equal(provisioned.status, "succeeded", JSON.stringify(provisioned));
    for (const t of [b, c])
      await driver.registry.create({ name: t, host: `${t}.example.com`, plan: "dedicated", version: "1.0.0", settings: tenantSettings() });
    await driver.registry.create({ name: s1, host: `${s1}.example.com`, plan: "shared", version: "1.0.0", settings: sharedSettings });
    await driver.registry.create({ name: s2, host: `${s2}.example.com`, plan: "shared", version: "1.0.0" });
    const up = await driver.up({ concurrency: 2 });
    assert.deepEqual(
      up.stacks.map((s) => [s.stack, s.status]),
      [`dev-${a}`, `dev-${b}`, `dev-${c}`, "dev-shared"].map((s) => [s, "succeeded"]),
      JSON.stringify(up.stacks.map((s) => s.error)),
    );
    const pids: number[] = [];
    const preview = await driver.preview({ concurrency: 2, onEvent: (e) => void (e.type === "started" && pids.push(e.pid)) });
    assert.equal(pids.length, 4);
    assert.ok(new Set(pids).size <= 2, `4 jobs ran in the pool's 2 warm worker processes (pids ${pids.join(", ")})`);
    for (const stack of preview.stacks) {
      const changes = stack.result?.changes;
      assert.deepEqual([changes?.creates, changes?.updates, changes?.replaces, changes?.deletes], [0, 0, 0, 0], stack.stack);
      assert.ok((changes?.same ?? 0) > 20, `${stack.stack} has its resources`);
    }
    const tenantsSecret = await kube.get(`/api/v1/namespaces/${sharedNamespace}/secrets/tenant-credentials`);
    assert.ok(
      Object.keys(tenantsSecret.data).some((key) => key.startsWith(s2)),
      "the shared stack serves both tenants",
    );
  });

  it("upgrades the API image across every stack at concurrency 2, canary first", async () => {
    const events: DriverEvent[] = [];
    const result = await driver.fleetUpgrade({ version: "1.0.1", canary: 1, waveSize: 2, concurrency: 2, onEvent: (e) => events.push(e) });
    assert.equal(result.status, "succeeded", JSON.stringify(result));
    assert.deepEqual(statuses(result), [[`dev-${a}:upgraded`], [`dev-${b}:upgraded`, `dev-${c}:upgraded`], ["dev-shared:upgraded"]]);
    assert.deepEqual(Object.values(await images()), Array(4).fill(echo("1.0.1")));
    const firstOfWave1 = events.findIndex((e) => e.type === "stack" && e.wave === 1);
    const canaryHealthy = events.findIndex((e) => e.type === "stack" && e.stack === `dev-${a}` && e.status === "healthy");
    assert.ok(canaryHealthy >= 0 && canaryHealthy < firstOfWave1, "the canary passed its health gate before wave 1 started");
    assert.deepEqual(
      (await driver.registry.list()).map((t) => t.version),
      Array(5).fill("1.0.1"),
    );
  });

  it("stops on a failed health gate in wave 2, leaves later waves untouched and rolls the failed stack back", async () => {
    const server: Server = createServer((req, res) => res.writeHead(req.url === `/dev-${c}` ? 503 : 200).end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/{stack}`;
    try {
      const result = await driver.fleetUpgrade({
        version: "1.0.2",
        canary: 1,
        waveSize: 2,
        concurrency: 1,
        rollback: true,
        health: { httpCheckUrl: url },
      });
      assert.equal(result.status, "failed");
      assert.equal(result.failedStack, `dev-${c}`);
      assert.deepEqual(statuses(result), [[`dev-${a}:upgraded`], [`dev-${b}:upgraded`, `dev-${c}:rolled-back`], ["dev-shared:untouched"]]);
      assert.equal(result.waves[1][1].health?.httpStatus, 503);
      assert.deepEqual(await images(), {
        [`dev-${a}`]: echo("1.0.2"),
        [`dev-${b}`]: echo("1.0.2"),
        [`dev-${c}`]: echo("1.0.1"),
        "dev-shared": echo("1.0.1"),
      });
      assert.deepEqual(
        (await driver.registry.list()).map((t) => [t.name, t.version]),
        [
          [a, "1.0.2"],
          [b, "1.0.2"],
          [c, "1.0.1"],
          [s1, "1.0.1"],
          [s2, "1.0.1"],
        ],
      );
    } finally {
      server.close();
    }
  });

  it("survives a worker crash mid-fleet: the other stacks of the wave finish, and a re-run recovers the crashed stack", async () => {
    const operationId = `crash-${run}`;
    let worker: number | undefined;
    let killed: number | undefined;
    // Killed mid-update: when its engine starts updating the first resource.
    const onEvent = (event: DriverEvent) => {
      if (event.type === "started" && event.stack === `dev-${b}`) worker ??= event.pid;
      if (event.type === "step" && event.stack === `dev-${b}` && event.op === "update" && killed === undefined && worker !== undefined) {
        killed = worker;
        process.kill(worker, "SIGKILL");
      }
    };
    const first = await driver.fleetUpgrade({ operationId, version: "1.0.3", canary: 1, waveSize: 3, concurrency: 2, onEvent });
    assert.ok(killed !== undefined);
    assert.equal(first.status, "failed");
    assert.deepEqual(statuses(first)[1].slice(0, 1), [`dev-${b}:failed`]);
    assert.equal(first.waves[1][0].error?.name, "WorkerCrashedError");
    assert.equal(first.waves[1][1].status, "upgraded", "the other stack of the wave was not taken down");

    const second = await driver.fleetUpgrade({ operationId, version: "1.0.3", canary: 1, waveSize: 3, concurrency: 2 });
    assert.equal(second.status, "succeeded", JSON.stringify(second));
    assert.equal(second.resumed, true);
    assert.deepEqual(statuses(second), [[`dev-${a}:skipped`], [`dev-${b}:upgraded`, `dev-${c}:skipped`, "dev-shared:upgraded"]]);
    assert.deepEqual(Object.values(await images()), Array(4).fill(echo("1.0.3")));
    const steps = await driver.journal.steps(operationId);
    assert.equal(steps.find((s) => s.step === `dev-${a}:upgrade`)?.attempts, 1, "the canary was not upgraded twice");
    assert.ok(
      steps.some((s) => s.step === `dev-${b}:up:2`),
      "the crashed stack was retried as a new attempt",
    );
    const recovered = steps.find((s) => s.step === `dev-${b}:up:2:recover`);
    assert.equal(recovered?.status, "done", `the crashed stack was recovered first: ${JSON.stringify(recovered?.detail)}`);
  });

  it("finishes a fleet upgrade after its driver process is killed, without repeating finished stacks or leaving a lock", async () => {
    const operationId = `kill-${run}`;
    const args = { stateDir, passphrase, kubeconfig: KUBECONFIG, operationId, version: "1.0.4", waveSize: 1 };
    const start = (crashAt?: string) => startFleetDriver({ ...args, crashAt });

    // Killed while the second stack is being updated: it kills itself when that stack's engine starts changing a resource.
    let killedAt: any;
    await jsonLines(start(`dev-${b}`), (event) => {
      if (event.type === "killed") killedAt = event.at;
    });
    assert.equal(killedAt?.stack, `dev-${b}`, "the first driver was killed mid-update");
    assert.equal((await driver.journal.step(operationId, `dev-${a}:upgrade`))?.status, "done");
    assert.equal((await driver.journal.step(operationId, `dev-${b}:upgrade`))?.status, "running");

    let result: FleetUpgradeResult | undefined;
    await jsonLines(start(), (event) => {
      if (event.type === "result") result = event.result;
    });
    assert.equal(result?.status, "succeeded", JSON.stringify(result));
    assert.deepEqual(
      result?.waves.map((w) => w[0].status),
      ["skipped", "upgraded", "upgraded", "upgraded"],
    );
    assert.equal((await driver.journal.step(operationId, `dev-${a}:upgrade`))?.attempts, 1);
    assert.deepEqual(Object.values(await images()), Array(4).fill(echo("1.0.4")));
    assert.deepEqual(await driver.leases.list(), []);
    const locks = path.join(stateDir, "state/.pulumi/locks/organization/tenantstack");
    const held = existsSync(locks) ? readdirSync(locks).flatMap((stack) => readdirSync(path.join(locks, stack))) : [];
    assert.deepEqual(held, [], "no engine lock left behind");
  });

  it("lets one of two drivers update a stack; the other gets StackLockedError", async () => {
    const other = await Driver.open({ workspace, poolSize: 1 });
    let worker: number | undefined;
    try {
      // The first driver holds the stack's lease when its worker is given the job; the worker (its
      // whole process group) is stopped right then, so the job cannot end before the second tries.
      let stopped!: () => void;
      const workerStopped = new Promise<void>((resolve) => (stopped = resolve));
      const first = driver.up({
        tenants: [a],
        onEvent: (event) => {
          if (event.type !== "started" || worker !== undefined) return;
          process.kill(-(worker = event.pid), "SIGSTOP");
          stopped();
        },
      });
      await Promise.race([workerStopped, first]);
      assert.ok(worker !== undefined, "the first driver's worker started the job");
      const second = await other.up({ tenants: [a] });
      process.kill(-worker, "SIGCONT");
      const outcomes = [await first, second].map((r: OperationResult) => r.stacks[0]);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ["succeeded", "failed"],
      );
      assert.ok(fromWire(outcomes[1].error!) instanceof StackLockedError, JSON.stringify(outcomes[1].error));
    } finally {
      if (worker !== undefined) process.kill(-worker, "SIGCONT");
      await other.close();
    }
  });

  it("cancels a running up cleanly: the journal says cancelled, no lock is left, and the next up completes", async () => {
    const operationId = `cancel-${run}`;
    const [stack] = await driver.registry.stacks([c]);
    await driver.registry.setVersion(stack, "1.0.6");
    const { outcome, cancelledAt } = await cancelledUp(driver, kube, { tenant: c, namespace: `tenantstack-dev-${c}`, operationId });
    assert.ok(outcome instanceof CancelledError, String(outcome));
    assert.ok(cancelledAt, "cancelled during an update");
    const [cancelled] = (outcome as CancelledError & { result: OperationResult }).result.stacks;
    assert.equal(cancelled.error?.name, "CancelledError", `the engine was interrupted mid-update: ${JSON.stringify(cancelled)}`);
    assert.equal((await driver.journal.get(operationId))?.status, "cancelled");
    assert.deepEqual(await driver.leases.list(), [], "the stack's lease is released");

    const next = await driver.up({ tenants: [c] });
    assert.equal(next.status, "succeeded", JSON.stringify(next));
    assert.equal((await images())[`dev-${c}`], echo("1.0.6"));
  });

  it("runs an operation through the HTTP API as an async resource, and through the CLI", async () => {
    const token = randomBytes(16).toString("hex");
    const app = buildServer(driver, { token });
    try {
      const headers = { authorization: `Bearer ${token}` };
      const started = await app.inject({ method: "POST", url: "/operations", headers, payload: { kind: "preview", tenants: [a] } });
      assert.equal(started.statusCode, 202, started.body);
      const operation = await finishedOperation(app, started.json().id, headers);
      assert.equal(operation.status, "succeeded", JSON.stringify(operation));
      assert.deepEqual(
        operation.steps.map((s: any) => [s.step, s.status]),
        [[`dev-${a}:preview`, "done"]],
      );
      assert.equal(operation.result.stacks[0].result.changes.updates, 0);
      assert.ok(operation.events.some((e: any) => e.type === "stack" && e.status === "succeeded"));
    } finally {
      await app.close();
    }

    let out = "";
    process.env.TENANTSTACK_PASSPHRASE = passphrase;
    const code = await main(
      ["--state-dir", stateDir, "--kubeconfig", KUBECONFIG, "--json", "outputs", "--tenant", a],
      (t) => (out += t),
      () => undefined,
    );
    delete process.env.TENANTSTACK_PASSPHRASE;
    assert.equal(code, 0, out);
    const outputs = JSON.parse(out).stacks[0].result.outputs;
    assert.equal(outputs.namespace, `tenantstack-dev-${a}`);
    assert.equal(outputs.tenantDatabaseUrls, "[secret]", "secret outputs are never shown");
  });

  it("reports a wrong passphrase as a typed error with advice (CLI exit 2), and lists tenants without any passphrase", async () => {
    let out = "";
    let err = "";
    process.env.TENANTSTACK_PASSPHRASE = `not-${passphrase}`;
    const code = await main(
      ["--state-dir", stateDir, "--kubeconfig", KUBECONFIG, "--json", "preview", "--tenant", a],
      (t) => (out += t),
      (t) => (err += t),
    );
    delete process.env.TENANTSTACK_PASSPHRASE;
    assert.equal(code, 2, `${out}${err}`);
    const [stack] = JSON.parse(out).stacks;
    assert.equal(stack.error.name, "PassphraseIncorrectError", JSON.stringify(stack.error));
    assert.match(stack.error.message, new RegExp(`^The passphrase does not unlock the secrets of stack "dev-${a}"`));
    assert.doesNotMatch(out, /code: 255|stderr|PULUMI_CONFIG_PASSPHRASE_FILE/, "no Automation API dump");

    // The registry holds no secret: listing it needs no passphrase.
    let listed = "";
    const listCode = await main(
      ["--state-dir", stateDir, "--json", "tenant", "list"],
      (t) => (listed += t),
      () => undefined,
    );
    assert.equal(listCode, 0, listed);
    assert.deepEqual(
      JSON.parse(listed).map((t: { name: string }) => t.name),
      [a, b, c, s1, s2],
    );
    // The right passphrase still works: nothing was changed.
    const again = await driver.preview({ tenants: [a] });
    assert.equal(again.status, "succeeded", JSON.stringify(again.stacks[0].error));
  });

  it("applies exactly what was previewed, and reports a plan that no longer matches", async () => {
    const previewed = await driver.preview({ tenants: [b], plan: true });
    assert.ok(previewed.stacks[0].result?.planFile);
    const applied = await driver.up({ tenants: [b], plan: true });
    assert.equal(applied.status, "succeeded", JSON.stringify(applied));

    await driver.preview({ tenants: [b], plan: true });
    const [stack] = await driver.registry.stacks([b]);
    const image = (await kube.get(apps(`tenantstack-dev-${b}`, "deployments", "api"))).spec.template.spec.containers[0].image;
    await driver.registry.setVersion(stack, "1.0.5");
    const mismatch = await driver.up({ tenants: [b], plan: true });
    assert.equal(mismatch.status, "failed");
    assert.ok(fromWire(mismatch.stacks[0].error!) instanceof PlanMismatchError, JSON.stringify(mismatch.stacks[0].error));
    assert.equal(
      (await kube.get(apps(`tenantstack-dev-${b}`, "deployments", "api"))).spec.template.spec.containers[0].image,
      image,
      "nothing was forced",
    );
  });

  it("applies the saved plan of a stack never deployed, whose passwords are generated at update", async () => {
    await driver.registry.create({ name: d, host: `${d}.example.com`, plan: "dedicated", version: "1.0.0", settings: tenantSettings() });
    const previewed = await driver.preview({ tenants: [d], plan: true });
    assert.ok((previewed.stacks[0].result?.changes?.creates ?? 0) > 20, JSON.stringify(previewed.stacks[0].error));
    const applied = await driver.up({ tenants: [d], plan: true });
    assert.equal(applied.status, "succeeded", JSON.stringify(applied.stacks[0].error));
    const credentials = await kube.get(`/api/v1/namespaces/tenantstack-dev-${d}/secrets/credentials`);
    assert.equal(
      Buffer.from(credentials.data.POSTGRES_PASSWORD, "base64").toString().length,
      32,
      "the generated password is in the Secret",
    );
  });

  it("reports drift on refresh, and refuses to destroy protected data unless forced", async () => {
    const ns = `tenantstack-dev-${c}`;
    // Someone deletes the API's disruption budget behind the stack's back.
    await kube.request("DELETE", `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/api`);
    const refreshed = await driver.refresh({ tenants: [c] });
    const drift = refreshed.stacks[0].result?.drift ?? [];
    assert.deepEqual(
      drift.map((d) => [d.type, d.kind]),
      [["kubernetes:policy/v1:PodDisruptionBudget", "delete"]],
      JSON.stringify(drift),
    );

    const refused = await driver.destroy({ tenants: [c] });
    assert.equal(refused.stacks[0].error?.name, "ProtectedResourcesError");
    assert.ok(await kube.get(apps(ns, "statefulsets", "postgres")), "nothing was destroyed");
    const destroyed = await driver.destroy({ tenants: [c], forceDestroyData: true });
    assert.equal(destroyed.status, "succeeded", JSON.stringify(destroyed));
    assert.equal(await kube.get(apps(ns, "statefulsets", "postgres")), undefined);
    assert.equal(
      (await kube.get(`/api/v1/namespaces/${ns}/persistentvolumeclaims/data-postgres-0`))?.metadata.name,
      "data-postgres-0",
      "the data volume is retained",
    );
  });

  it("refuses an inline program that exports no function, before its engine starts", async () => {
    const program = path.join(__dirname, "notAProgram.ts");
    const other = await Driver.open({ workspace: { ...workspace, program, inlineProgram: true }, poolSize: 1 });
    try {
      const result = await other.preview({ tenants: [a] });
      assert.equal(result.stacks[0].status, "failed");
      assert.equal(result.stacks[0].error?.name, "InputError");
      assert.match(result.stacks[0].error?.message ?? "", /`program` \S+notAProgram\.ts exports no function/);
    } finally {
      await other.close();
    }
  });
});
