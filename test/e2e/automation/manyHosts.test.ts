/**
 * Drivers on many hosts, on the real engine and the local cluster: two driver processes share one
 * PostgreSQL registry, each with its own host identity. The first is killed mid-fleet (SIGKILL, while
 * its second stack's engine changes a resource); the second, another identity, is refused while the
 * first's leases live, then finishes the operation once they expire: the finished stack is not upgraded
 * again, the interrupted one is recovered first, and no lease or engine lock is left behind.
 */
import * as assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { Driver, type FleetUpgradeResult, type WireError } from "../../../automation";
import { KUBECONFIG } from "../../support/controlPlane";
import { assertTakenOver, expiredOperationLease, jsonLines, startFleetDriver } from "../../support/driverChild";
import { testTenantSettings as tenantSettings } from "../../support/devStack";
import { KubeClient } from "../../support/kube";
import { PostgresServer } from "../../support/postgresServer";
import { removeNamespace, testDir } from "../../support/testRun";

/**
 * Seconds a lease lives without a heartbeat, for both drivers: long enough for a second driver process
 * to start (ts-node) and be refused while the killed driver's lease lives, short enough to wait for.
 */
const LEASE_TTL_SECONDS = 30;

describe("drivers on many hosts on the real engine", function () {
  const run = randomBytes(2).toString("hex");
  const tenants = ["a", "b", "c"].map((t) => `h${run}-${t}`);
  const stateDir = testDir("hosts");
  const passphrase = randomBytes(16).toString("hex");
  let server: PostgresServer;
  let database: string;
  let driver: Driver;
  let kube: KubeClient;

  /** A driver process of host identity `identity` running the fleet upgrade; killed as `crashAt` changes. */
  const start = (identity: string, crashAt?: string): ChildProcess =>
    startFleetDriver({
      stateDir,
      passphrase,
      kubeconfig: KUBECONFIG,
      database,
      identity,
      leaseTtlSeconds: LEASE_TTL_SECONDS,
      operationId: `hosts-${run}`,
      version: "1.0.1",
      waveSize: 1,
      crashAt,
    });
  /** The image of each stack's api Deployment, read from the API server. */
  const images = async () =>
    Promise.all(
      tenants.map(
        async (t) =>
          (await kube.get(`/apis/apps/v1/namespaces/tenantstack-dev-${t}/deployments/api`))?.spec.template.spec.containers[0].image,
      ),
    );

  before(async () => {
    server = await PostgresServer.start();
    database = server.createDatabase(`hosts_${run}`);
    kube = KubeClient.fromKubeconfig(KUBECONFIG);
    driver = await Driver.open({
      workspace: { stateDir, passphrase, env: { KUBECONFIG } },
      database,
      identity: "test-reader",
      poolSize: 2,
    });
    for (const name of tenants) {
      await driver.registry.create({ name, host: `${name}.example.com`, plan: "dedicated", version: "1.0.0", settings: tenantSettings() });
    }
    const up = await driver.up({ concurrency: 2 });
    assert.deepEqual(
      up.stacks.map((s) => s.status),
      ["succeeded", "succeeded", "succeeded"],
      JSON.stringify(up.stacks.map((s) => s.error)),
    );
  });
  after(async () => {
    await driver?.close();
    for (const t of tenants) await removeNamespace(kube, `tenantstack-dev-${t}`);
    kube?.close();
    server?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("finishes a fleet upgrade whose driver was killed, from another host identity, without repeating finished stacks or leaving a lock", async () => {
    const operationId = `hosts-${run}`;
    const [a, b, c] = tenants.map((t) => `dev-${t}`);
    let killedAt: any;
    await jsonLines(start("host-a", b), (event) => {
      if (event.type === "killed") killedAt = event.at;
    });
    assert.equal(killedAt?.stack, b, "the first driver was killed mid-update");
    assert.equal((await driver.journal.step(operationId, `${a}:upgrade`))?.status, "done");
    assert.equal((await driver.journal.step(operationId, `${b}:upgrade`))?.status, "running");
    assert.deepEqual(
      (await driver.operationLeases.list()).map((l) => [l.operationId, l.identity]),
      [[operationId, "host-a"]],
      "the killed driver's operation lease is left, to expire",
    );

    // Another identity does not probe host-a's pid: while host-a's lease lives, it is refused.
    let refused: WireError | undefined;
    await jsonLines(start("host-b"), (event) => {
      if (event.type === "error") refused = event.error;
    });
    assert.equal(refused?.name, "OperationLockedError", JSON.stringify(refused));
    assert.match(refused!.message, /being run by driver "host-a"/);

    // Once it has expired, host-b takes the operation over and finishes it.
    await expiredOperationLease(driver);
    let result: FleetUpgradeResult | undefined;
    await jsonLines(start("host-b"), (event) => {
      if (event.type === "result") result = event.result;
    });
    await assertTakenOver(driver, operationId, result, [a, b, c]);
    assert.deepEqual(await images(), Array(3).fill("hashicorp/http-echo:1.0.1"));
    assert.deepEqual(await driver.leases.list(), [], "no stack lease left");
    assert.deepEqual(await driver.operationLeases.list(), [], "no operation lease left");
    const locks = path.join(stateDir, "state/.pulumi/locks/organization/tenantstack");
    const held = existsSync(locks) ? readdirSync(locks).flatMap((stack) => readdirSync(path.join(locks, stack))) : [];
    assert.deepEqual(held, [], "no engine lock left behind");
  });
});
