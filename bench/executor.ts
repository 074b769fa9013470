/**
 * The Kubernetes executor against the local one, on this machine: one dedicated stack, its state in an
 * S3-compatible bucket (gofakes3 on the real node's bridge) that both executors share, and per run a
 * no-change preview and an update of one Deployment (its replicas flipped) by each executor: a warm
 * local worker, and a runner Job on the real node (a new pod each time). Each runner reports its
 * container's CPU time and peak memory (its cgroup) on its log, which this benchmark follows. From the
 * runners' figures it models a fleet upgrade of 1,000 tenants on K runner nodes. Writes
 * `bench/results/executor-<time>.json` and `.md`.
 *
 * Usage: npm run bench:executor [-- --runs N (default 3)]
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Driver, type DriverEvent } from "../automation";
import { parseRunnerLine, type RunnerUsage } from "../automation/fleet/runnerProtocol";
import { KUBECONFIG, releaseControlPlane, REPO } from "../test/support/controlPlane";
import { dedicatedTestTenant } from "../test/support/devStack";
import { KubeClient } from "../test/support/kube";
import { ObjectStore } from "../test/support/objectStore";
import { followRunner, localRunners, NODE_IP } from "../test/support/runners";
import { removeNamespace, testDir } from "../test/support/testRun";
import { median } from "./stats";

const TENANTS = 1000;

/** One executor's timings of a job kind, and a runner's usage. */
interface Sample {
  readonly seconds: number;
  readonly usage?: RunnerUsage;
}

/** The capacity model: a fleet upgrade of {@link TENANTS} tenants on `nodes` runner nodes of `cores` and `memoryGiB`. */
function fleetHours(nodes: number, cores: number, memoryGiB: number, up: { seconds: number; cpuSeconds: number; peakGiB: number }) {
  // Runners a node holds at once: by memory (each asks its peak, rounded up, and 1 GiB is the node's own),
  // and by CPU (each uses cpuSeconds / seconds cores on average while it runs).
  const byMemory = Math.floor((memoryGiB - 1) / Math.max(up.peakGiB, 0.25));
  const byCpu = Math.floor(cores / Math.max(up.cpuSeconds / up.seconds, 0.05));
  const perNode = Math.max(1, Math.min(byMemory, byCpu));
  const rounds = Math.ceil(TENANTS / (perNode * nodes));
  return { perNode, bound: byMemory <= byCpu ? "memory" : "CPU", hours: (rounds * up.seconds) / 3600 };
}

async function main(): Promise<void> {
  const at = process.argv.indexOf("--runs");
  const runs = at > 0 ? Number(process.argv[at + 1]) : 3;
  const run = randomBytes(2).toString("hex");
  const tenant = `bx${run}`;
  const runnerNamespace = `tsrun-bench-${run}`;
  const dir = testDir("bench-executor");
  mkdirSync(dir, { recursive: true });
  const passphrase = randomBytes(16).toString("hex");
  const kube = KubeClient.fromKubeconfig(KUBECONFIG);
  const store = await ObjectStore.start("bench-state", NODE_IP);
  const workspace = { stateDir: path.join(dir, "state"), passphrase, backendUrl: store.backendUrl(), env: { KUBECONFIG, ...store.env } };
  const database = path.join(dir, "registry.db");
  const local = await Driver.open({ workspace, database, identity: "bench-local", poolSize: 1 });
  const kubernetes = await Driver.open({
    workspace,
    database,
    identity: "bench-kubernetes",
    executor: "kubernetes",
    runners: localRunners(runnerNamespace, { concurrency: 1 }),
  });
  const samples: Record<"local" | "kubernetes", Record<"preview" | "up", Sample[]>> = {
    local: { preview: [], up: [] },
    kubernetes: { preview: [], up: [] },
  };
  let replicas = 1;
  try {
    await local.registry.create(dedicatedTestTenant(tenant));
    const first = await local.up({ tenants: [tenant] });
    if (first.status !== "succeeded") throw new Error(`provisioning failed: ${JSON.stringify(first)}`);
    for (let i = 0; i < runs; i++) {
      for (const [name, driver] of [
        ["local", local],
        ["kubernetes", kubernetes],
      ] as const) {
        for (const kind of ["preview", "up"] as const) {
          if (kind === "up") await driver.registry.update(tenant, { settings: { api: { replicas: (replicas = 3 - replicas) } } });
          // A runner's usage line, read from its log as the executor reads it.
          let follower: Promise<RunnerUsage | undefined> | undefined;
          const onEvent = (event: DriverEvent) => {
            if (event.type === "started" && "runner" in event && event.runner) follower = usageOf(kube, event.runner);
          };
          const start = process.hrtime.bigint();
          const result =
            kind === "preview" ? await driver.preview({ tenants: [tenant], onEvent }) : await driver.up({ tenants: [tenant], onEvent });
          const seconds = Number(process.hrtime.bigint() - start) / 1e9;
          if (result.status !== "succeeded") throw new Error(`${name} ${kind} failed: ${JSON.stringify(result)}`);
          samples[name][kind].push({ seconds, usage: await follower });
          console.error(`${name} ${kind} #${i + 1}: ${seconds.toFixed(1)} s`);
        }
      }
    }
  } finally {
    await local.destroy({ tenants: [tenant], forceDestroyData: true }).catch(() => undefined);
    await local.close();
    await kubernetes.close();
    for (const ns of [runnerNamespace, `tenantstack-dev-${tenant}`]) await removeNamespace(kube, ns);
    kube.close();
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
    releaseControlPlane();
  }

  const secondsOf = (list: Sample[]) => list.map((s) => s.seconds);
  // The memory a runner needs: the highest peak of any job (the cgroup's peak counts the page cache too: an upper bound).
  const peaks = [...samples.kubernetes.preview, ...samples.kubernetes.up].map((s) => (s.usage?.peakMemoryBytes ?? NaN) / 2 ** 30);
  const upModel = {
    seconds: median(secondsOf(samples.kubernetes.up)),
    cpuSeconds: median(samples.kubernetes.up.map((s) => s.usage?.cpuSeconds ?? NaN)),
    peakGiB: Math.max(...peaks),
  };
  const model = [1, 2, 4, 8, 16].flatMap((nodes) =>
    [
      [4, 16],
      [8, 32],
    ].map(([cores, memoryGiB]) => ({ nodes, cores, memoryGiB, ...fleetHours(nodes, cores, memoryGiB, upModel) })),
  );
  const date = new Date().toISOString();
  const result = { date, machine: "2 cores, 24 GiB", runs, samples, upModel, tenants: TENANTS, model };
  const out = path.join(REPO, "bench/results", `executor-${date.replace(/[:.]/g, "-")}`);
  writeFileSync(`${out}.json`, `${JSON.stringify(result, null, 2)}\n`);
  const row = (kind: "preview" | "up") => {
    const [l, k] = [median(secondsOf(samples.local[kind])), median(secondsOf(samples.kubernetes[kind]))];
    const cpu = median(samples.kubernetes[kind].map((s) => s.usage?.cpuSeconds ?? NaN));
    const peak = Math.max(...samples.kubernetes[kind].map((s) => (s.usage?.peakMemoryBytes ?? NaN) / 2 ** 20));
    return `| ${kind === "preview" ? "preview, no changes" : "up, one Deployment changed"} | ${l.toFixed(1)} | ${k.toFixed(1)} | +${(k - l).toFixed(1)} | ${cpu.toFixed(1)} | ${peak.toFixed(0)} |`;
  };
  const rows = [
    "| stack job (one dedicated stack) | local worker, warm (s) | runner Job (s) | overhead (s) | runner CPU (s) | runner peak memory (MiB) |",
    "| --- | --- | --- | --- | --- | --- |",
    row("preview"),
    row("up"),
    "",
    `A fleet upgrade of ${TENANTS} tenants (one \`up\` each, ${upModel.seconds.toFixed(0)} s and ${upModel.cpuSeconds.toFixed(1)} CPU-seconds as measured, ${(upModel.peakGiB * 1024).toFixed(0)} MiB the highest peak of any runner), each node keeping 1 GiB for itself, jobs in rounds of the runners all nodes hold:`,
    "",
    "| runner nodes | node | runners per node (bound) | hours |",
    "| --- | --- | --- | --- |",
    ...model.map((m) => `| ${m.nodes} | ${m.cores} cores, ${m.memoryGiB} GiB | ${m.perNode} (${m.bound}) | ${m.hours.toFixed(2)} |`),
  ];
  writeFileSync(`${out}.md`, `# Executor benchmark, ${date}\n\n${rows.join("\n")}\n`);
  console.log(rows.join("\n"));
  console.log(`written: ${out}.json, ${out}.md`);
}

/** The usage a runner reports on its log (followed from its start to its end). */
async function usageOf(kube: KubeClient, runner: string): Promise<RunnerUsage | undefined> {
  let usage: RunnerUsage | undefined;
  await followRunner(kube, runner, (line) => {
    const message = parseRunnerLine(line);
    if (message?.type === "usage") usage = message.usage;
  });
  return usage;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
