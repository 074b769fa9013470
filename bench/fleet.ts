/**
 * Fleet throughput of the driver against a sequential CLI loop, on the real engine and the local
 * cluster: preview and a no-op up across N tenant stacks (N from BENCH_N, default 1,5,10,20), the
 * loop running `pulumi preview` / `pulumi up` per stack, the driver at concurrency 1, 2 and 4
 * (BENCH_CONCURRENCY). Writes stacks/minute, speed-up and peak memory to bench/results/.
 *
 *   npx ts-node --transpile-only bench/fleet.ts
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { Driver, type OperationResult, WorkspaceFactory } from "../automation";
import { ensureControlPlane, KUBECONFIG, releaseControlPlane } from "../test/support/controlPlane";
import { KubeClient } from "../test/support/kube";
import { testTenantSettings } from "../test/support/devStack";
import { removeNamespace, testDir } from "../test/support/testRun";
import { sampleMemory, type MemoryPeak } from "./memory";

const list = (text: string | undefined, fallback: number[]) => (text ? text.split(",").map(Number) : fallback);
const SIZES = list(process.env.BENCH_N, [1, 5, 10, 20]);
const CONCURRENCY = list(process.env.BENCH_CONCURRENCY, [1, 2, 4]);

/** One measured run. */
interface Measurement {
  readonly operation: "preview" | "up";
  readonly n: number;
  readonly runner: string;
  readonly seconds: number;
  readonly stacksPerMinute: number;
  readonly speedup: number;
  readonly memory: MemoryPeak;
}

async function timed(work: () => Promise<void>): Promise<{ seconds: number; memory: MemoryPeak }> {
  const sampler = sampleMemory();
  const start = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, memory: sampler.stop() };
}

function assertSucceeded(result: OperationResult): void {
  const failed = result.stacks.filter((s) => s.status !== "succeeded");
  if (failed.length > 0) throw new Error(`${result.kind} failed: ${JSON.stringify(failed.map((s) => s.error?.message))}`);
}

async function main(): Promise<void> {
  const run = randomBytes(2).toString("hex");
  const stateDir = testDir("bench");
  const passphrase = randomBytes(16).toString("hex");
  const workspace = { stateDir, passphrase, env: { KUBECONFIG } };
  const names = Array.from({ length: Math.max(...SIZES) }, (_, i) => `b${run}-${i}`);
  const measurements: Measurement[] = [];
  ensureControlPlane();
  const setup = await Driver.open({ workspace, poolSize: 2 });
  const kube = KubeClient.fromKubeconfig(KUBECONFIG);
  try {
    for (const name of names)
      await setup.registry.create({
        name,
        host: `${name}.example.com`,
        plan: "dedicated",
        version: "1.0.0",
        settings: testTenantSettings(),
      });
    console.error(`provisioning ${names.length} stacks...`);
    assertSucceeded(await setup.up({ concurrency: 2 }));
    const factory = await WorkspaceFactory.create(workspace);
    const command = factory.pulumiBinary;

    for (const n of SIZES) {
      const tenants = names.slice(0, n);
      for (const operation of ["preview", "up"] as const) {
        const args = operation === "preview" ? ["preview"] : ["up", "--yes", "--skip-preview"];
        const loop = await timed(async () => {
          for (const tenant of tenants) {
            const stack = `dev-${tenant}`;
            await promisify(execFile)(command, [...args, "--non-interactive", "--stack", stack], {
              cwd: factory.workDir(stack),
              env: { ...process.env, ...factory.engineEnv() },
              maxBuffer: 64 << 20,
            });
          }
        });
        const base = { operation, n };
        measurements.push({
          ...base,
          runner: "sequential CLI",
          seconds: loop.seconds,
          stacksPerMinute: (60 * n) / loop.seconds,
          speedup: 1,
          memory: loop.memory,
        });
        console.error(`${operation} N=${n} sequential CLI: ${loop.seconds.toFixed(1)} s`);
        writeResults(measurements);
        for (const concurrency of CONCURRENCY) {
          const driver = await Driver.open({ workspace, poolSize: concurrency });
          try {
            const measured = await timed(async () => assertSucceeded(await driver[operation]({ tenants, concurrency })));
            measurements.push({
              ...base,
              runner: `driver c=${concurrency}`,
              seconds: measured.seconds,
              stacksPerMinute: (60 * n) / measured.seconds,
              speedup: loop.seconds / measured.seconds,
              memory: measured.memory,
            });
            console.error(`${operation} N=${n} driver c=${concurrency}: ${measured.seconds.toFixed(1)} s`);
            writeResults(measurements);
          } finally {
            await driver.close();
          }
        }
      }
    }
  } finally {
    await setup.close();
    for (const name of names) await removeNamespace(kube, `tenantstack-dev-${name}`);
    kube.close();
    releaseControlPlane();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const STAMP = new Date().toISOString().replace(/[:.]/g, "-");

/** Writes the measurements so far as JSON and as a Markdown table (after each one: a stopped run keeps them). */
function writeResults(measurements: Measurement[]): void {
  const dir = path.join(__dirname, "results");
  mkdirSync(dir, { recursive: true });
  const machine = { cpus: cpus().length, model: cpus()[0]?.model, node: process.version };
  writeFileSync(path.join(dir, `fleet-${STAMP}.json`), `${JSON.stringify({ machine, measurements }, null, 2)}\n`);
  const rows = measurements.map(
    (m) =>
      `| ${m.operation} | ${m.n} | ${m.runner} | ${m.seconds.toFixed(1)} | ${m.stacksPerMinute.toFixed(2)} | ${m.speedup.toFixed(2)}x | ${m.memory.driverMiB} | ${m.memory.treeMiB} |`,
  );
  const table = [
    `Fleet benchmark, ${new Date().toISOString()}, ${machine.cpus} cores (${machine.model}), Node ${machine.node}`,
    "",
    "| operation | N | runner | seconds | stacks/min | speed-up | driver peak MiB | process tree peak MiB |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
  writeFileSync(path.join(dir, `fleet-${STAMP}.md`), `${table}\n`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
