/**
 * Kill-safe migrations (issue 21): a driver process SIGKILLed (a signal it cannot handle) at the
 * moments that went wrong, then at random moments of a whole shared -> dedicated -> rollback cycle,
 * each time re-run with the same operation id. Judged by what the kernel and the servers hold, not
 * by the driver's bookkeeping: the tree of processes under the killed driver at the moment of the
 * kill (by parent pid, whatever their process group) must be gone within seconds; the workers'
 * replica counts read from the API server; the data read back from both sides; the attempts the
 * journal counts against the starts the killed drivers printed.
 */
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { Driver, type DriverEvent } from "../../../automation";
import { STEPS } from "../../../automation/migration/data";
import { staticDataPlane } from "../../../automation/migration/staticDataPlane";
import { markedProcesses, processIdentity } from "../../../automation/processes/marks";
import { tenantDatabase } from "../../../schema/naming";
import { KUBECONFIG } from "../../support/controlPlane";
import { testTenantSettings } from "../../support/devStack";
import { KubeClient } from "../../support/kube";
import { allGone, processTree, type SeenProcess } from "../../support/processTree";
import { seededRandom } from "../../support/seededRandom";
import { removeNamespace, testDir } from "../../support/testRun";
import { PostgresServer, RedisServer, sourceTableLocked, useDataServerBinaries } from "./data/servers";
import { type DriverProcess, startDriverProcess } from "./driverProcess";
import { keyDump, seedTenant, tableDigests } from "./tenantData";

/** Kills at random moments per migration of the cycle (`KILL_COUNT`), from `KILL_SEED`. */
const RANDOM_KILLS = Number(process.env.KILL_COUNT ?? 2);
const SEED = Number(process.env.KILL_SEED ?? Date.now() % 1_000_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("kill-safe migrations: the driver SIGKILLed at each moment, then re-run", function () {
  const run = randomBytes(2).toString("hex");
  const [movedDedicated, stays, cycled] = [`k${run}-a`, `k${run}-b`, `k${run}-c`];
  const sharedNamespace = `k${run}-shared`;
  const namespaceOf = (tenant: string) => `tenantstack-dev-${tenant}`;
  const stateDir = testDir("killsafe");
  const passphrase = randomBytes(16).toString("hex");
  const base = testTenantSettings();
  /** Dedicated stacks run 2 workers: a count that a drain's 0 cannot be mistaken for. */
  const dedicatedSettings = { ...base, worker: { ...base.worker, replicas: 2 } };
  let kube: KubeClient;
  let shared: { postgres: PostgresServer; redis: RedisServer };
  let dedicated: { postgres: PostgresServer; redis: RedisServer };
  let servers: Record<string, { postgresUrl: string; redisUrl: string }>;
  let driver: Driver;
  /** Every kill: where, the processes under the driver then, how long until all were gone. */
  const kills: { at: string; tree: SeenProcess[]; goneMs: number }[] = [];

  const workers = async (namespace: string): Promise<number | undefined> =>
    (await kube.get(`/apis/apps/v1/namespaces/${namespace}/deployments/worker`))?.spec.replicas;

  function startDriver(options: { operationId: string; tenant: string; to?: string; rollback?: boolean }): DriverProcess {
    return startDriverProcess({ stateDir, passphrase, kubeconfig: KUBECONFIG, servers, steps: true, ...options });
  }

  /**
   * SIGKILLs the driver alone (not its group, as a crash or the OOM killer would), having read the
   * tree of processes under it; resolves once every one of them is gone (at most 5 s), checking that
   * none carrying its mark is left either.
   */
  async function killDriver(driverProcess: DriverProcess, at: string): Promise<SeenProcess[]> {
    const { child } = driverProcess;
    const identity = processIdentity(child.pid!)!;
    const tree = processTree(child.pid!);
    process.kill(child.pid!, "SIGKILL");
    await driverProcess.exited;
    const goneMs = await allGone(tree);
    assert.deepEqual(
      markedProcesses().filter((p) => p.owner === identity),
      [],
      "no process carrying the killed driver's mark",
    );
    kills.push({ at, tree, goneMs });
    return tree;
  }

  /** Polls `probe` every 100 ms until it holds; fails when `driverProcess` exits first or after 5 minutes. */
  async function whileRunning(driverProcess: DriverProcess, what: string, probe: () => Promise<boolean> | boolean): Promise<void> {
    const deadline = Date.now() + 300_000;
    for (;;) {
      if (await probe()) return;
      if (driverProcess.child.exitCode !== null)
        assert.fail(`the driver exited before ${what}: ${JSON.stringify(driverProcess.events.at(-1))}`);
      if (Date.now() > deadline) assert.fail(`not seen in 5 minutes: ${what}`);
      await sleep(100);
    }
  }

  const attemptsOf = async (operationId: string) =>
    Object.fromEntries((await driver.journal.steps(operationId)).map((s) => [s.step, s.attempts]));

  before(async function () {
    kube = KubeClient.fromKubeconfig(KUBECONFIG);
    useDataServerBinaries();
    shared = { postgres: await PostgresServer.start("shared"), redis: await RedisServer.start("shared") };
    dedicated = { postgres: await PostgresServer.start("dedicated"), redis: await RedisServer.start("dedicated") };
    const pair = (s: typeof shared) => ({ postgresUrl: s.postgres.url, redisUrl: s.redis.url });
    servers = { "dev-shared": pair(shared), [`dev-${movedDedicated}`]: pair(dedicated), [`dev-${cycled}`]: pair(dedicated) };
    driver = await Driver.open({
      workspace: { stateDir, passphrase, env: { KUBECONFIG } },
      poolSize: 2,
      migration: { dataPlane: staticDataPlane(servers), removalGraceMs: 60_000 },
    });
    await driver.registry.create({
      name: stays,
      host: `${stays}.example.com`,
      plan: "shared",
      version: "1.0.0",
      settings: { ...dedicatedSettings, namespace: sharedNamespace },
    });
    await driver.registry.create({ name: cycled, host: `${cycled}.example.com`, plan: "shared", version: "1.0.0" });
    await driver.registry.create({
      name: movedDedicated,
      host: `${movedDedicated}.example.com`,
      plan: "dedicated",
      version: "1.0.0",
      settings: dedicatedSettings,
    });
    const up = await driver.up();
    assert.equal(up.status, "succeeded", JSON.stringify(up.stacks.map((s) => s.error)));
    await seedTenant(dedicated.postgres, dedicated.redis, movedDedicated);
    for (const tenant of [stays, cycled]) await seedTenant(shared.postgres, shared.redis, tenant);
  });

  after(async () => {
    await driver?.close();
    for (const namespace of [sharedNamespace, namespaceOf(movedDedicated), namespaceOf(cycled)]) await removeNamespace(kube, namespace);
    kube?.close();
    for (const pair of [shared, dedicated]) if (pair) await Promise.all([pair.postgres.stop(), pair.redis.stop()]);
    rmSync(stateDir, { recursive: true, force: true });
    for (const kill of kills)
      process.stdout.write(
        `      killed ${kill.at}: ${kill.tree.length} processes (${[...new Set(kill.tree.map((p) => p.comm))].join(", ")}), all gone in ${kill.goneMs} ms\n`,
      );
  });

  it("moves a dedicated tenant to shared through kills after the drain scaled its workers, in pg_dump and in the switch's up", async () => {
    const operationId = `a-${run}`;
    const args = { operationId, tenant: movedDedicated, to: "shared" };
    const sourceDigests = await tableDigests(dedicated.postgres, tenantDatabase(movedDedicated));
    const sourceKeys = await keyDump(dedicated.redis, movedDedicated);
    const staysDigests = await tableDigests(shared.postgres, tenantDatabase(stays));
    const sharedWorkers = await workers(sharedNamespace);
    assert.equal(await workers(namespaceOf(movedDedicated)), 2);

    // 1. Killed once the drain has scaled the workers to 0, before its step ended.
    const first = startDriver(args);
    await whileRunning(first, "the workers scaled to 0", async () => (await workers(namespaceOf(movedDedicated))) === 0);
    await killDriver(first, "after the drain scaled the workers to 0");
    const drain = await driver.journal.step(operationId, "migrate:drain");
    assert.deepEqual(
      [drain?.status, (drain?.detail as any)?.checkpoint],
      ["running", { replicas: { worker: 2 } }],
      "killed mid-drain, the counts saved",
    );

    // 2. Killed in pg_dump (held by a lock of the source's, however fast the machine).
    let dumps: SeenProcess[] = [];
    await sourceTableLocked(dedicated.postgres, tenantDatabase(movedDedicated), "orders", async () => {
      const second = startDriver(args);
      const identity = processIdentity(second.child.pid!);
      await whileRunning(second, "pg_dump", () =>
        markedProcesses().some((p) => p.owner === identity && p.task.startsWith(`migrate:${operationId}:copyPostgres:`)),
      );
      dumps = (await killDriver(second, "in pg_dump")).filter((p) => p.comm === "pg_dump");
    });
    assert.equal(dumps.length, 1, "the killed driver's pg_dump, gone with it");
    const copy = await driver.journal.step(operationId, "migrate:copyPostgres");
    assert.deepEqual([copy?.status, copy?.attempts], ["running", 1]);

    // 3. Killed in the routing switch's up of the source stack, its engine's plugins running (in process groups of their own).
    const third = startDriver(args);
    const source = `dev-${movedDedicated}`;
    await third.waitFor((e) => e.type === "stack" && e.stack === source && e.status === "started" && e.detail === `${source}:unroute`);
    await whileRunning(third, "the engine's plugins", () =>
      processTree(third.child.pid!).some((p) => p.comm.startsWith("pulumi-resource")),
    );
    const tree = await killDriver(third, "in the switch's up");
    const plugins = tree.filter((p) => p.comm.startsWith("pulumi-resource"));
    assert.ok(plugins.length > 0, `plugins under the killed driver: ${tree.map((p) => p.comm).join(", ")}`);
    const groups = new Set(tree.filter((p) => p.ppid === third.child.pid).map((p) => p.pgid));
    assert.ok(
      plugins.some((p) => !groups.has(p.pgid)),
      "a plugin in a process group of its own (a kill of the worker's group misses it), gone all the same",
    );
    // Progress lines name their step (they read `migrate log: log — …` before).
    const logs = third.events.filter((e) => e.type === "migration" && e.status === "log");
    assert.ok(
      logs.some((e) => e.step === "copyPostgres" && /^dumping tenant_/.test(e.detail)),
      JSON.stringify(logs),
    );
    assert.deepEqual(
      logs.filter((e) => !(STEPS as readonly string[]).includes(e.step)),
      [],
    );

    // The re-run completes; the workers get their 2 replicas back, not the 0 the second driver observed.
    const progress: DriverEvent[] = [];
    const result = await driver.migrate({ ...args, onEvent: (e) => progress.push(e) });
    assert.equal(result.status, "succeeded", JSON.stringify(result));
    assert.equal(await workers(namespaceOf(movedDedicated)), 2, "the source's workers restored");
    assert.equal(await workers(sharedNamespace), sharedWorkers, "the shared stack's workers untouched");
    const attempts = await attemptsOf(operationId);
    assert.deepEqual(
      STEPS.map((step) => [step, attempts[`migrate:${step}`]]),
      [
        ["drain", 2],
        ["copyPostgres", 2],
        ["copyRedis", 1],
        ["verify", 1],
        ["switch", 2],
        ["undrain", 1],
        ["markForRemoval", 1],
      ],
    );
    assert.equal(attempts[`${source}:unroute`], 2);
    assert.deepEqual(await tableDigests(shared.postgres, tenantDatabase(movedDedicated)), sourceDigests);
    assert.deepEqual(await keyDump(shared.redis, movedDedicated), sourceKeys);
    assert.deepEqual(await tableDigests(shared.postgres, tenantDatabase(stays)), staysDigests, "the other tenant untouched");
  });

  it(`keeps data, workers and the process table right through ${RANDOM_KILLS} random kills per migration of a shared -> dedicated -> rollback cycle`, async () => {
    process.stdout.write(`      (KILL_SEED=${SEED} KILL_COUNT=${RANDOM_KILLS} replays these kills)\n`);
    const next = seededRandom(SEED);
    const digests = await tableDigests(shared.postgres, tenantDatabase(cycled));
    const keys = await keyDump(shared.redis, cycled);
    const staysDigests = await tableDigests(shared.postgres, tenantDatabase(stays));
    const sharedWorkers = await workers(sharedNamespace);
    const migrations = [
      { operationId: `c1-${run}`, tenant: cycled, to: "dedicated" },
      { operationId: `c2-${run}`, tenant: cycled, rollback: true },
    ];
    for (const options of migrations) {
      const starts: Record<string, number> = {};
      const count = (events: readonly any[]) => {
        for (const e of events) if (e.type === "migration" && e.status === "started") starts[e.step] = (starts[e.step] ?? 0) + 1;
      };
      let killed = 0;
      for (let kill = 0; kill < RANDOM_KILLS; kill++) {
        const delayMs = Math.round(1_000 + next() * 45_000);
        const child = startDriver(options);
        const finished = await Promise.race([child.exited.then(() => true), sleep(delayMs).then(() => false)]);
        if (!finished) {
          await killDriver(child, `${options.operationId} at ${delayMs} ms`);
          killed++;
        }
        count(child.events);
        if (finished) break;
      }
      const progress: DriverEvent[] = [];
      const result = await driver.migrate({ ...options, onEvent: (e) => progress.push(e) });
      assert.equal(result.status, "succeeded", JSON.stringify(result));
      count(progress);
      // Every start of a step is an attempt: one killed between printing its start and journaling it is the only one not counted.
      const attempts = await attemptsOf(options.operationId);
      for (const step of STEPS) {
        const journaled = attempts[`migrate:${step}`];
        const started = starts[step] ?? 0;
        assert.ok(
          journaled >= 1 && journaled <= started && journaled >= started - killed,
          `${step}: ${journaled} attempts, ${started} starts`,
        );
      }
      assert.equal(progress.filter((e) => e.type === "migration" && !(STEPS as readonly string[]).includes(e.step)).length, 0);
    }
    // Back on the shared stack with its data; the dedicated stack's workers scaled back after the rollback's drain.
    assert.equal((await driver.registry.show(cycled)).plan, "shared");
    assert.deepEqual(await tableDigests(shared.postgres, tenantDatabase(cycled)), digests);
    assert.deepEqual(await keyDump(shared.redis, cycled), keys);
    assert.deepEqual(await tableDigests(shared.postgres, tenantDatabase(stays)), staysDigests);
    assert.equal(await workers(namespaceOf(cycled)), 2);
    assert.equal(await workers(sharedNamespace), sharedWorkers);
  });
});
