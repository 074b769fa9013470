/**
 * Stack jobs on Kubernetes: the driver with `executor: "kubernetes"` runs each stack job as a Job of one
 * runner pod on the real node, from the runner image built here (tools/images/runner), its state in an
 * S3-compatible bucket (gofakes3 on the node's bridge, where both the driver and the pods reach it), the
 * local cluster reached from the pods at `kubernetes.default.svc`, the registry in PostgreSQL. A fleet of
 * five stacks is provisioned and upgraded, a runner pod is killed mid-update, an update is cancelled, a
 * driver process is killed mid-fleet and another host identity takes its operation over (ending the
 * runner the dead driver left), a runner's node stops answering mid-update (its kubelet frozen) and the
 * runner is killed at its timeout; every result is checked against the API server, the journal and the
 * bucket, and no secret is in any Job spec, pod spec or runner log. One scenario, run in order.
 */
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { CancelledError, Driver, type DriverEvent, type FleetUpgradeResult, type OperationResult } from "../../../automation";
import { parseRunnerLine } from "../../../automation/fleet/runnerProtocol";
import { KUBECONFIG, MAIN_CLUSTER, OWN_CLUSTER } from "../../support/controlPlane";
import { cancelledUp } from "../../support/cancelledUp";
import { assertTakenOver, expiredOperationLease, jsonLines, startFleetDriver } from "../../support/driverChild";
import { dedicatedTestTenant } from "../../support/devStack";
import { KubeClient } from "../../support/kube";
import { ObjectStore } from "../../support/objectStore";
import { holdNewPods } from "../../support/podHold";
import { PostgresServer } from "../../support/postgresServer";
import { REAL_NODE } from "../../support/pods";
import { followRunner, localRunners, NODE_IP } from "../../support/runners";
import { removeNamespace, testDir } from "../../support/testRun";

describe("stack jobs as Kubernetes Jobs: the Kubernetes executor on the real node", function () {
  const run = randomBytes(2).toString("hex");
  const tenants = ["a", "b", "c", "d", "e"].map((t) => `k${run}-${t}`);
  const [a, b, c, d, e] = tenants;
  const runnerNamespace = `tsrun-${run}`;
  const dir = testDir("k8s-executor");
  const passphrase = randomBytes(16).toString("hex");
  /** Seconds a driver's lease lives without a heartbeat: long enough for a driver process to start, short enough to wait for. */
  const LEASE_TTL_SECONDS = 30;
  const RUNNERS = localRunners(runnerNamespace, { concurrency: 2, cancelGraceSeconds: 30 });
  let store: ObjectStore;
  let server: PostgresServer;
  let database: string;
  let kube: KubeClient;
  let driver: Driver;
  /** What the runners showed the cluster: each Job's and pod's spec and each runner's log, as text. */
  const seen: string[] = [];
  const followers: Promise<void>[] = [];

  const apps = (tenant: string) => `/apis/apps/v1/namespaces/tenantstack-dev-${tenant}/deployments/api`;
  const image = async (tenant: string) => (await kube.get(apps(tenant)))?.spec.template.spec.containers[0].image as string | undefined;
  const statuses = (result: FleetUpgradeResult) => result.waves.map((wave) => wave.map((s) => `${s.stack}:${s.status}`));

  /** Records a runner's Job, its pod and its whole log, from its start to its end. */
  const watchRunner = (runner: string) => {
    const [namespace, name] = runner.split("/");
    followers.push(
      (async () => {
        seen.push(JSON.stringify(await kube.get(`/apis/batch/v1/namespaces/${namespace}/jobs/${name}`)));
        const lines: string[] = [];
        await followRunner(
          kube,
          runner,
          (line) => lines.push(line),
          (pod) => seen.push(JSON.stringify(pod)),
        );
        seen.push(lines.join("\n"));
      })(),
    );
  };
  const recordRunners = (event: DriverEvent) => {
    if (event.type === "started" && "runner" in event && typeof event.runner === "string") watchRunner(event.runner);
  };

  before(async function () {
    if (OWN_CLUSTER) this.skip(); // the bucket is on the local node's bridge
    mkdirSync(dir, { recursive: true });
    kube = KubeClient.fromKubeconfig(KUBECONFIG);
    store = await ObjectStore.start("runner-state", NODE_IP);
    // One registry for this driver and the driver processes of other host identities.
    server = await PostgresServer.start();
    database = server.createDatabase(`runners_${run}`);
    driver = await Driver.open({
      workspace: { stateDir: path.join(dir, "state"), passphrase, backendUrl: store.backendUrl(), env: { KUBECONFIG, ...store.env } },
      database,
      identity: "test-driver",
      leaseTtlSeconds: LEASE_TTL_SECONDS,
      executor: "kubernetes",
      runners: RUNNERS,
    });
  });
  after(async () => {
    await driver?.close();
    await Promise.all(followers);
    if (kube) for (const ns of [runnerNamespace, ...tenants.map((t) => `tenantstack-dev-${t}`)]) await removeNamespace(kube, ns);
    kube?.close();
    await store?.stop();
    server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("provisions five stacks and upgrades them in runner pods; each stack's objects read back, no runner left", async () => {
    for (const tenant of tenants) await driver.registry.create(dedicatedTestTenant(tenant));
    const up = await driver.up({ concurrency: 2, onEvent: recordRunners });
    assert.equal(up.status, "succeeded", JSON.stringify(up.stacks.filter((s) => s.status !== "succeeded")));
    for (const tenant of tenants) assert.equal(await image(tenant), "hashicorp/http-echo:1.0.0", tenant);

    const runners: string[] = [];
    const upgraded = await driver.fleetUpgrade({
      version: "1.0.1",
      canary: 1,
      waveSize: 2,
      concurrency: 2,
      onEvent: (event) => {
        recordRunners(event);
        if (event.type === "started" && "runner" in event && event.runner) runners.push(event.runner);
      },
    });
    assert.equal(upgraded.status, "succeeded", JSON.stringify(upgraded));
    assert.deepEqual(statuses(upgraded).flat().sort(), tenants.map((t) => `dev-${t}:upgraded`).sort());
    for (const tenant of tenants) assert.equal(await image(tenant), "hashicorp/http-echo:1.0.1", tenant);
    // Each stack job was a runner pod of the runner namespace, and the checkpoint an object of the bucket.
    assert.ok(
      runners.length >= tenants.length && runners.every((r) => r.startsWith(`${runnerNamespace}/tsrun-dev-k${run}-`)),
      runners.join(", "),
    );
    const keys = await (await fetch(`${store.endpoint}/${store.bucket}?list-type=2`)).text();
    for (const tenant of tenants) assert.ok(keys.includes(`stacks/tenantstack/dev-${tenant}.json`), tenant);
    assert.deepEqual(await kube.list(`/apis/batch/v1/namespaces/${runnerNamespace}/jobs`), [], "every runner Job is deleted");
    assert.deepEqual(
      await kube.list(`/api/v1/namespaces/${runnerNamespace}/secrets?labelSelector=app.kubernetes.io/component=runner`),
      [],
      "and its Secret",
    );
    const quota = await kube.get(`/api/v1/namespaces/${runnerNamespace}/resourcequotas/tenantstack-runners`);
    assert.equal(quota.spec.hard.pods, "2");
  });

  it("a runner pod killed mid-update: that stack fails as a crashed worker, the other finishes, and a re-run recovers and retries it", async () => {
    const operationId = `crash-${run}`;
    let killed: string | undefined;
    const runnerOf = new Map<string, string>();
    const onEvent = (event: DriverEvent) => {
      recordRunners(event);
      if (event.type === "started" && "runner" in event && event.runner) runnerOf.set(event.stack, event.runner);
      if (event.type === "step" && event.stack === `dev-${b}` && event.op === "update" && killed === undefined) {
        killed = runnerOf.get(`dev-${b}`);
        const [namespace, name] = killed!.split("/");
        // As a lost node or an OOM kill: no grace.
        void kube.request(
          "DELETE",
          `/api/v1/namespaces/${namespace}/pods?labelSelector=tenantstack.io/runner=${name}&gracePeriodSeconds=0`,
        );
      }
    };
    const first = await driver.fleetUpgrade({
      operationId,
      version: "1.0.2",
      canary: 1,
      waveSize: 2,
      concurrency: 2,
      onEvent,
      tenants: [a, b, c],
    });
    assert.ok(killed, "a runner was killed mid-update");
    assert.equal(first.status, "failed");
    const crashed = first.waves.flat().find((s) => s.stack === `dev-${b}`);
    assert.equal(crashed?.status, "failed");
    assert.equal(crashed?.error?.name, "WorkerCrashedError", JSON.stringify(crashed?.error));
    assert.match(crashed?.error?.message ?? "", /runner pod/);
    assert.equal(
      first.waves.flat().find((s) => s.stack === `dev-${c}`)?.status,
      "upgraded",
      "the other stack of the wave was not taken down",
    );

    const second = await driver.fleetUpgrade({
      operationId,
      version: "1.0.2",
      canary: 1,
      waveSize: 2,
      concurrency: 2,
      onEvent: recordRunners,
      tenants: [a, b, c],
    });
    assert.equal(second.status, "succeeded", JSON.stringify(second));
    assert.deepEqual(statuses(second), [[`dev-${a}:skipped`], [`dev-${b}:upgraded`, `dev-${c}:skipped`]]);
    for (const tenant of [a, b, c]) assert.equal(await image(tenant), "hashicorp/http-echo:1.0.2", tenant);
    const steps = await driver.journal.steps(operationId);
    assert.equal(steps.find((s) => s.step === `dev-${a}:upgrade`)?.attempts, 1, "the canary was not upgraded twice");
    const recovered = steps.find((s) => s.step === `dev-${b}:up:2:recover`);
    assert.equal(recovered?.status, "done", `the crashed stack was recovered first: ${JSON.stringify(recovered?.detail)}`);
    assert.deepEqual(await driver.leases.list(), [], "no lease is left");
  });

  it("cancels an update cleanly: the runner interrupts its engine, the journal says cancelled, and the next up completes", async () => {
    const operationId = `cancel-${run}`;
    const [stack] = await driver.registry.stacks([c]);
    await driver.registry.setVersion(stack, "1.0.3");
    const started = Date.now();
    const { outcome, cancelledAt } = await cancelledUp(driver, kube, {
      tenant: c,
      namespace: `tenantstack-dev-${c}`,
      operationId,
      onEvent: recordRunners,
    });
    assert.ok(outcome instanceof CancelledError, String(outcome));
    assert.ok(cancelledAt, "cancelled during an update");
    const [cancelled] = (outcome as CancelledError & { result: OperationResult }).result.stacks;
    // A runner killed would be a WorkerCrashedError: this one reported its engine's clean stop.
    assert.equal(cancelled.error?.name, "CancelledError", `the engine was interrupted mid-update: ${JSON.stringify(cancelled)}`);
    assert.ok(Date.now() - started < 30_000 + 60_000, "it stopped within the cancel grace");
    assert.equal((await driver.journal.get(operationId))?.status, "cancelled");
    assert.deepEqual(await driver.leases.list(), [], "the stack's lease is released");
    const keys = await (await fetch(`${store.endpoint}/${store.bucket}?list-type=2`)).text();
    assert.ok(!/<Key>[^<]*\/locks\//.test(keys), `the engine released its lock in the bucket: ${keys}`);

    const next = await driver.up({ tenants: [c], onEvent: recordRunners });
    assert.equal(next.status, "succeeded", JSON.stringify(next));
    assert.equal(await image(c), "hashicorp/http-echo:1.0.3");
  });

  it("previews with a saved plan and applies exactly it: the plan back and out sealed, kept by the driver, a stale one refused", async () => {
    const [stack] = await driver.registry.stacks([b]);
    await driver.registry.setVersion(stack, "1.0.6");
    const before = await image(b);
    const previewed = await driver.preview({ tenants: [b], plan: true, onEvent: recordRunners });
    assert.equal(previewed.status, "succeeded", JSON.stringify(previewed));
    const planFile = previewed.stacks[0].result?.planFile ?? "(none)";
    assert.ok(planFile.startsWith(path.join(dir, "state")) && existsSync(planFile), `the driver keeps the plan: ${planFile}`);
    assert.match(readFileSync(planFile, "utf8"), /hashicorp\/http-echo:1\.0\.6/, "the plan is the preview's");
    assert.equal(await image(b), before, "a preview changes nothing");
    const applied = await driver.up({ tenants: [b], plan: true, onEvent: recordRunners });
    assert.equal(applied.status, "succeeded", JSON.stringify(applied));
    assert.equal(await image(b), "hashicorp/http-echo:1.0.6");
    assert.equal(existsSync(planFile), false, "an applied plan is used up");

    await driver.preview({ tenants: [b], plan: true, onEvent: recordRunners });
    await driver.registry.setVersion(stack, "1.0.7");
    const stale = await driver.up({ tenants: [b], plan: true, onEvent: recordRunners });
    assert.equal(stale.status, "failed");
    assert.equal(stale.stacks[0].error?.name, "PlanMismatchError", JSON.stringify(stale.stacks[0].error));
    assert.equal(await image(b), "hashicorp/http-echo:1.0.6", "nothing was forced");
  });

  it("a driver killed mid-fleet: another host identity ends the runner it left, recovers the stack and finishes, repeating no finished stack and leaving no runner or lock", async () => {
    const operationId = `takeover-${run}`;
    const [first, held, last] = [a, d, e].map((t) => `dev-${t}`);
    /** A driver process of host identity `identity`, sharing the registry, the bucket and the runner namespace; killed as `crashAt` changes. */
    const start = (identity: string, crashAt?: string) =>
      startFleetDriver({
        stateDir: path.join(dir, "state"),
        passphrase,
        kubeconfig: KUBECONFIG,
        database,
        identity,
        leaseTtlSeconds: LEASE_TTL_SECONDS,
        operationId,
        version: "1.0.4",
        waveSize: 1,
        crashAt,
        backendUrl: store.backendUrl(),
        env: store.env,
        executor: "kubernetes",
        runners: RUNNERS,
        tenants: [a, d, e],
      });
    const jobs = () => kube.list(`/apis/batch/v1/namespaces/${runnerNamespace}/jobs`);
    // The held stack's update cannot finish: its runner is still changing it when its driver dies.
    const hold = await holdNewPods(kube, `tenantstack-dev-${d}`);
    let released: Promise<void> | undefined;
    try {
      let killedAt: any;
      await jsonLines(start("host-a", held), (event) => {
        recordRunners(event);
        if (event.type === "killed") killedAt = event.at;
      });
      assert.equal(killedAt?.stack, held, "the first driver was killed mid-update");
      const [orphan, ...others] = await jobs();
      assert.equal(others.length, 0);
      assert.equal(orphan?.metadata.annotations["tenantstack.io/stack"], held, "the killed driver's runner runs on without it");
      const orphanLog: string[] = [];
      const orphanEnded = followRunner(kube, `${runnerNamespace}/${orphan.metadata.name}`, (line) => orphanLog.push(line));

      // Once the killed driver's lease has expired, host-b takes the operation over.
      assert.equal((await expiredOperationLease(driver)).identity, "host-a");
      let result: FleetUpgradeResult | undefined;
      await jsonLines(start("host-b"), (event) => {
        recordRunners(event);
        if (event.type === "stack" && event.stack === held && event.status === "recovered") released = hold.release();
        if (event.type === "result") result = event.result;
      });
      const recovered = await assertTakenOver(driver, operationId, result, [first, held, last]);
      assert.equal((recovered.detail as { orphansEnded?: number }).orphansEnded, 1, "the runner the killed driver left was ended first");
      // Ended as a cancel is: its engine interrupted, which stops cleanly and says so.
      await orphanEnded;
      const ending = orphanLog
        .map((line) => parseRunnerLine(line))
        .filter((m) => m !== undefined)
        .pop();
      assert.equal(ending?.type === "error" && ending.error.code, "cancelled", orphanLog.slice(-3).join("\n"));
      for (const tenant of [a, d, e]) assert.equal(await image(tenant), "hashicorp/http-echo:1.0.4", tenant);
      assert.deepEqual(await jobs(), [], "no runner Job is left, the killed driver's neither");
      assert.deepEqual(
        await kube.list(`/api/v1/namespaces/${runnerNamespace}/secrets?labelSelector=app.kubernetes.io/component=runner`),
        [],
      );
      assert.deepEqual(await driver.leases.list(), [], "no stack lease left");
      assert.deepEqual(await driver.operationLeases.list(), [], "no operation lease left");
      const keys = await (await fetch(`${store.endpoint}/${store.bucket}?list-type=2`)).text();
      assert.ok(!/<Key>[^<]*\/locks\//.test(keys), `no engine lock is left in the bucket: ${keys}`);
    } finally {
      await (released ?? hold.release().catch(() => undefined));
    }
  });

  it("a runner whose node stops answering mid-update (its kubelet frozen): no wait on its silent log; killed at its timeout, the stack fails as a crashed worker, and the same operation run again recovers it", async () => {
    const operationId = `lost-node-${run}`;
    const [stack] = await driver.registry.stacks([e]);
    await driver.registry.setVersion(stack, "1.0.5");
    const timeoutSeconds = 60; // the shortest allowed
    const impatient = await Driver.open({
      workspace: { stateDir: path.join(dir, "state"), passphrase, backendUrl: store.backendUrl(), env: { KUBECONFIG, ...store.env } },
      database,
      identity: "test-impatient",
      executor: "kubernetes",
      runners: { ...RUNNERS, timeoutSeconds, cancelGraceSeconds: 5 },
    });
    // The node's kubelet, frozen as a node that stopped answering: its pods' status and logs stop where they are.
    const kubelet = Number(readFileSync(path.join(MAIN_CLUSTER.dir, "run/kubelet.pid"), "utf8"));
    let frozen = false;
    const thaw = () => frozen && process.kill(kubelet, "SIGCONT");
    process.once("exit", thaw);
    // The node comes back after a while even if the executor never returns (the failure this test finds).
    const comeback = setTimeout(thaw, (timeoutSeconds + 60) * 1000);
    const hold = await holdNewPods(kube, `tenantstack-dev-${e}`);
    try {
      const started = Date.now();
      const first = await impatient.up({
        tenants: [e],
        operationId,
        onEvent: (event) => {
          recordRunners(event);
          if (event.type === "step" && event.op === "update" && !frozen) {
            process.kill(kubelet, "SIGSTOP");
            frozen = true;
          }
        },
      });
      const elapsed = (Date.now() - started) / 1000;
      assert.ok(frozen, "the node stopped answering mid-update");
      const [timedOut] = first.stacks;
      assert.equal(timedOut.status, "failed");
      assert.equal(timedOut.error?.name, "WorkerCrashedError", JSON.stringify(timedOut.error));
      assert.match(timedOut.error!.message, new RegExp(`timed out after ${timeoutSeconds} s and its runner pod was killed`));
      assert.ok(elapsed >= timeoutSeconds && elapsed < timeoutSeconds + 45, `stopped at its timeout (${elapsed} s)`);
      assert.deepEqual(await kube.list(`/apis/batch/v1/namespaces/${runnerNamespace}/jobs`), [], "its Job is deleted");
    } finally {
      clearTimeout(comeback);
      thaw();
      process.removeListener("exit", thaw);
      await hold.release();
      await impatient.close();
    }
    await kube.waitFor(
      `/api/v1/nodes/${REAL_NODE.name}`,
      (node: any) => node.status.conditions.some((c: any) => c.type === "Ready" && c.status === "True"),
      120_000,
    );
    const second = await driver.up({ tenants: [e], operationId, onEvent: recordRunners });
    assert.equal(second.status, "succeeded", JSON.stringify(second));
    const recovered = (await driver.journal.steps(operationId)).find((s) => s.step.endsWith(":recover"));
    assert.equal(recovered?.status, "done", JSON.stringify(recovered));
    assert.equal(await image(e), "hashicorp/http-echo:1.0.5");
    const keys = await (await fetch(`${store.endpoint}/${store.bucket}?list-type=2`)).text();
    assert.ok(!/<Key>[^<]*\/locks\//.test(keys), `no engine lock is left: ${keys}`);
  });

  it("no secret is in any runner Job spec, pod spec or runner log", async () => {
    await Promise.all(followers);
    const text = seen.join("\n");
    assert.ok(seen.length >= 20 && text.includes("tenantstack-runner "), `the runners' specs and logs were recorded (${seen.length})`);
    const kubeconfig = readFileSync(KUBECONFIG, "utf8");
    const clientKey = /client-key-data: (\S+)/.exec(kubeconfig)?.[1];
    assert.ok(clientKey, "the kubeconfig embeds its client key");
    const keyLine = Buffer.from(clientKey, "base64").toString().split("\n")[1];
    const secrets = {
      passphrase,
      AWS_SECRET_ACCESS_KEY: store.env.AWS_SECRET_ACCESS_KEY,
      clientKeyData: clientKey.slice(0, 40),
      clientKeyPem: keyLine,
    };
    for (const [what, secret] of Object.entries(secrets)) assert.ok(!text.includes(secret), `${what} is not in any runner's spec or log`);
  });
});
