/**
 * The real-node benchmark: the dev stack from the start of `up` to every workload ready, on the local
 * cluster's real node (images imported, containers started, initdb, probes passing) and on kwok's
 * fake nodes (pods made Ready by kwok), each in a fresh namespace, removed after. With
 * `--build-log FILE` (the stderr of a cold `tools/toolchain.sh build` and `tools/images/build.sh`), it
 * also records each part's cold build time from the `built in Ns` lines. Writes
 * `bench/results/node-<time>.json` and `.md`.
 *
 * Usage: npm run bench:node [-- --runs N (default 3)] [-- --build-log FILE]
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { releaseControlPlane } from "../test/support/controlPlane";
import { devSettings, type TestNode } from "../test/support/devStack";
import { EngineSession, REPO, uniqueName } from "../test/support/engine";
import { median } from "./stats";

/** Seconds from the start of `up` until every Deployment and StatefulSet of the stack has all its replicas ready. */
async function upToReady(session: EngineSession, node: TestNode): Promise<number> {
  const namespace = uniqueName(`bench-node-${node}`);
  const settings = { ...devSettings(node), namespace };
  const stack = await session.stack(namespace, settings);
  try {
    const start = process.hrtime.bigint();
    await stack.up();
    for (const kind of ["deployments", "statefulsets"]) {
      for (const workload of await session.kube.list(`/apis/apps/v1/namespaces/${namespace}/${kind}`)) {
        await session.kube.waitFor(
          `/apis/apps/v1/namespaces/${namespace}/${kind}/${workload.metadata.name}`,
          (o: any) => o.status?.readyReplicas === o.spec.replicas,
        );
      }
    }
    return Number(process.hrtime.bigint() - start) / 1e9;
  } finally {
    await session.removeStack(stack, settings, namespace);
  }
}

/** The `<part>: built in <N>s` lines of build logs, by part (images as `<name> image`). */
function buildTimes(log: string): Record<string, number> {
  const times: Record<string, number> = {};
  for (const match of log.matchAll(/^(\S+): (\S+)(?: \S+)?: built in (\d+)s/gm)) {
    const part = match[1] === "tools/images/build.sh" ? `${match[2]} image` : match[2];
    times[part] = Number(match[3]);
  }
  return times;
}

async function main(): Promise<void> {
  const flag = (name: string) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const runs = Number(flag("--runs") ?? 3);
  const buildLog = flag("--build-log");
  const session = await EngineSession.open();
  const seconds: Record<TestNode, number[]> = { real: [], kwok: [] };
  try {
    for (let i = 0; i < runs; i++) {
      for (const node of ["real", "kwok"] as const) seconds[node].push(await upToReady(session, node));
    }
  } finally {
    await session.close();
    releaseControlPlane();
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const result = {
    date: new Date().toISOString(),
    machine: "2 cores, 24 GiB",
    runs,
    upToReadySeconds: { real: seconds.real, kwok: seconds.kwok, medianReal: median(seconds.real), medianKwok: median(seconds.kwok) },
    coldBuildSeconds: buildLog ? buildTimes(readFileSync(buildLog, "utf8")) : undefined,
  };
  const out = path.join(REPO, "bench/results", `node-${stamp}`);
  writeFileSync(`${out}.json`, `${JSON.stringify(result, null, 2)}\n`);
  const rows = [
    "| dev stack, `up` to all ready | median (s) | runs (s) |",
    "| --- | --- | --- |",
    `| real node | ${result.upToReadySeconds.medianReal.toFixed(1)} | ${seconds.real.map((s) => s.toFixed(1)).join(", ")} |`,
    `| kwok only | ${result.upToReadySeconds.medianKwok.toFixed(1)} | ${seconds.kwok.map((s) => s.toFixed(1)).join(", ")} |`,
  ];
  if (result.coldBuildSeconds) {
    rows.push(
      "",
      "| part | cold build (s) |",
      "| --- | --- |",
      ...Object.entries(result.coldBuildSeconds).map(([part, s]) => `| ${part} | ${s} |`),
    );
  }
  writeFileSync(`${out}.md`, `# Real node benchmark, ${result.date}\n\n${rows.join("\n")}\n`);
  console.log(rows.join("\n"));
  console.log(`written: ${out}.json, ${out}.md`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
