/**
 * The live-traffic benchmark, on the local cluster's real node with the reference app
 * (test/support/liveFleet.ts: a dedicated tenant and a shared stack of two), under the live-traffic
 * test's load (a write and a read per tenant every 200 ms):
 * - a fleet upgrade to a healthy version: requests sent, failed, and the error rate;
 * - for each data size (10 MB and 100 MB by default): the moved tenant's notes table grown to that size,
 *   then the tenant migrated to a stack of its own and back; per move, the read-only window (the
 *   tenant's writes refused as read-only, first to last), the time its host reached no stack serving it
 *   (the switch), and the migration's wall time.
 * Writes `bench/results/live-<time>.json` and `.md`.
 *
 * Usage: npm run bench:live [-- --sizes 10,100]
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { Client } from "pg";
import { clusterDataPlane } from "../automation";
import { tagOf } from "../test/support/appImages";
import { ensureControlPlane, REPO, releaseControlPlane } from "../test/support/controlPlane";
import { LiveFleet } from "../test/support/liveFleet";
import { kubectl } from "../test/support/pods";
import { spanMs, TrafficLoad } from "../test/support/trafficLoad";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Grows `tenant`'s notes table on its stack's Postgres to about `megabytes` (1 KB notes), as the superuser; returns the database's size in MB. */
async function grow(fleet: LiveFleet, tenant: string, megabytes: number): Promise<number> {
  const stack = (await fleet.driver.registry.stacks()).find((s) => s.tenants.includes(tenant))!;
  const { postgresUrl } = await clusterDataPlane().endpoints(stack, { kube: () => fleet.kube });
  const url = new URL(postgresUrl);
  url.pathname = `/tenant_${tenant.replace(/-/g, "_")}`;
  // A new pod's address reaches the policy enforcer's sets a moment after it starts, and a connection
  // from the host was seen ended right after its first statement: each batch runs on a connection of
  // its own, retried (the target size makes a retried batch harmless).
  const statement = async <T>(sql: string, read: (rows: any[]) => T): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      const client = new Client({ connectionString: url.toString() });
      client.on("error", () => undefined);
      try {
        await client.connect();
        return read((await client.query(sql)).rows);
      } catch (error) {
        if (attempt === 30) throw error;
        console.error(`      seeding ${tenant}: ${(error as Error).message}; again in 2 s`);
        await sleep(2000);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  };
  const size = () => statement("SELECT pg_database_size(current_database()) AS b", (rows) => Number(rows[0].b) / 1e6);
  while ((await size()) < megabytes) {
    await statement(
      "INSERT INTO notes (text) SELECT 'seed ' || md5(g::text) || repeat('x', 1000) FROM generate_series(1, 1000) g",
      () => undefined,
    );
  }
  return size();
}

interface Move {
  readonly direction: "out" | "back";
  readonly seconds: number;
  readonly readOnlySeconds: number;
  readonly refusedWrites: number;
  readonly unroutedSeconds: number;
  readonly otherFailures: number;
}

/** One migration of s1 under a load of its own; what its requests saw. */
async function move(fleet: LiveFleet, direction: Move["direction"], id: string): Promise<Move> {
  const { s1 } = fleet.tenants;
  const load = new TrafficLoad(fleet.clients);
  load.start();
  const start = Date.now();
  try {
    await sleep(1000);
    const result =
      direction === "out"
        ? await fleet.driver.migrate({ tenant: s1, to: "dedicated", operationId: id })
        : await fleet.driver.migrate({ tenant: s1, rollback: true, operationId: id });
    if (result.status !== "succeeded") throw new Error(`migration ${id}: ${JSON.stringify(result)}`);
    await sleep(1000);
  } finally {
    await load.stop();
  }
  const { readOnly, unrouted, other } = load.failures(s1);
  return {
    direction,
    seconds: (Date.now() - start) / 1000 - 2,
    readOnlySeconds: spanMs(readOnly) / 1000,
    refusedWrites: readOnly.length,
    unroutedSeconds: spanMs(unrouted) / 1000,
    otherFailures: other.length,
  };
}

async function main(): Promise<void> {
  const at = process.argv.indexOf("--sizes");
  const sizes = (at > 0 ? process.argv[at + 1] : "10,100").split(",").map(Number);
  ensureControlPlane();
  const fleet = await LiveFleet.open();
  let upgrade: { requests: number; failed: number; errorRate: number; seconds: number };
  const moves: (Move & { megabytes: number })[] = [];
  try {
    const load = new TrafficLoad(fleet.clients);
    load.start();
    const start = Date.now();
    try {
      const result = await fleet.driver.fleetUpgrade({
        version: tagOf(fleet.versions.next),
        canary: 1,
        waveSize: 1,
        concurrency: 1,
        rollback: true,
      });
      if (result.status !== "succeeded") throw new Error(`fleet upgrade: ${JSON.stringify(result)}`);
    } finally {
      await load.stop();
    }
    const all = Object.keys(fleet.clients).map((t) => load.of(t));
    const requests = all.reduce((n, t) => n + t.records.length, 0);
    const failed = all.reduce((n, t) => n + t.failed.length, 0);
    upgrade = { requests, failed, errorRate: failed / requests, seconds: (Date.now() - start) / 1000 };
    for (const [i, megabytes] of sizes.entries()) {
      const grown = await grow(fleet, fleet.tenants.s1, megabytes);
      for (const direction of ["out", "back"] as const)
        moves.push({ megabytes: grown, ...(await move(fleet, direction, `${direction}-${i}-${fleet.run}`)) });
      // The spare copies go before the next round's migration (a year on: past any grace period).
      const gc = await fleet.driver.gc({ now: new Date(Date.now() + 365 * 24 * 3600 * 1000) });
      if (gc.status !== "succeeded") throw new Error(`gc: ${JSON.stringify(gc)}`);
    }
  } catch (error) {
    // What the data servers' pods went through, for the report.
    for (const ns of fleet.namespaces())
      for (const pod of ["postgres-0", "redis-0"]) {
        const found = await fleet.kube.get(`/api/v1/namespaces/${ns}/pods/${pod}`).catch(() => undefined);
        if (found)
          console.error(`${ns}/${pod}: ${JSON.stringify(found.status?.containerStatuses?.map((c: any) => [c.restartCount, c.lastState]))}`);
        if (found && pod === "postgres-0") console.error(kubectl(["-n", ns, "logs", pod, "--tail=15"]).output);
      }
    throw error;
  } finally {
    await fleet.close();
    releaseControlPlane();
  }
  const date = new Date().toISOString();
  const result = { date, machine: "2 cores, 24 GiB", load: "a write and a read per tenant every 200 ms, 3 tenants", upgrade, moves };
  const out = path.join(REPO, "bench/results", `live-${date.replace(/[:.]/g, "-")}`);
  writeFileSync(`${out}.json`, `${JSON.stringify(result, null, 2)}\n`);
  const rows = [
    `| fleet upgrade under load (2 stacks, canary then 1 per wave) | requests | failed | error rate | wall time |`,
    "| --- | --- | --- | --- | --- |",
    `| healthy version | ${upgrade.requests} | ${upgrade.failed} | ${(upgrade.errorRate * 100).toFixed(2)}% | ${upgrade.seconds.toFixed(0)} s |`,
    "",
    "| tenant data | move | read-only window | writes refused | host unrouted | other failures | migration wall time |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...moves.map(
      (m) =>
        `| ${m.megabytes.toFixed(0)} MB | ${m.direction === "out" ? "shared -> dedicated" : "back"} | ${m.readOnlySeconds.toFixed(1)} s | ${m.refusedWrites} | ${m.unroutedSeconds.toFixed(1)} s | ${m.otherFailures} | ${m.seconds.toFixed(0)} s |`,
    ),
  ];
  writeFileSync(`${out}.md`, `# Live-traffic benchmark, ${date}\n\n${rows.join("\n")}\n`);
  console.log(rows.join("\n"));
  console.log(`written: ${out}.json, ${out}.md`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
