/**
 * Issue 23: a killed engine must never leave a stack that cannot be loaded. Two small stacks (a
 * namespace, ConfigMaps and Secrets; `killProgram.ts`) are updated through the driver again and again,
 * each update to a new generation of their spec, and the engine's process group (the worker, the
 * engine, its plugins) is SIGKILLed at a random moment of `up`: after a random delay, at a random
 * resource step, or at a random write of the checkpoint (seen by watching the backend's directory).
 * After each kill the same operation is run again: it must recover the stack (a journaled step) and
 * finish, and the cluster must then hold exactly the spec's objects. One stack's backend is the
 * driver's own (`metadata=skip`: no sidecars); the other's keeps the engine's default sidecars, the
 * layout of the original failure, so that the recovery's checkpoint repair meets real kills. At the
 * end a refresh finds no drift and the state holds exactly the cluster's objects.
 *
 * `npm run test:stress` (about 15 minutes); `STRESS_KILLS` (default 60), `STRESS_MINUTES` (time
 * bound, default 40), `STRESS_SEED` (replays a run). Its summary goes to `bench/results/engine-kill-<time>.{json,md}`.
 */
import * as assert from "node:assert/strict";
import { randomBytes, randomInt } from "node:crypto";
import { existsSync, type FSWatcher, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Driver, type DriverEvent, type OperationResult } from "../../automation";
import { recoveryKinds, type StackRecovery } from "../../automation/operations/stackJob";
import { KUBECONFIG } from "../support/controlPlane";
import { KubeClient } from "../support/kube";
import { tenantSettings } from "../unit/automation/fixtures";
import { seededRandom } from "../support/seededRandom";
import { ITEM_LABEL, nextSpec, RUN_LABEL, specFile, type StressSpec } from "./stressSpec";

const REPO = path.join(__dirname, "../..");
/** A map as JSON with its keys in order, to compare. */
const canonical = (data: Readonly<Record<string, string>>) => JSON.stringify(Object.fromEntries(Object.entries(data).sort()));
type KillMode = "timer" | "step" | "write";
const MODES: readonly KillMode[] = ["timer", "step", "write"];

/** One stack under test, with its own driver and backend. */
interface Lane {
  readonly label: "atomic" | "sidecar";
  readonly stateDir: string;
  readonly driver: Driver;
  readonly tenant: string;
  readonly stack: string;
  /** The backend's directory of checkpoints. */
  readonly stacksDir: string;
  spec: StressSpec;
  /** A clean update's duration, for the random delays. */
  baselineMs: number;
}

/** One kill and what came of it. */
interface KillRecord {
  readonly lane: Lane["label"];
  readonly generation: number;
  readonly mode: KillMode;
  /** The parameter of the mode: delay in ms, step number, or checkpoint write event number (+ delay for steps). */
  readonly at: string;
  /** Milliseconds from the job's start to the kill. */
  readonly afterMs: number;
  /** Files the kill left unreadable or half-written, before any recovery. */
  readonly torn: readonly string[];
  readonly recovery: StackRecovery;
  readonly kinds: readonly string[];
  /** The re-run (recovery and update), in ms. */
  readonly rerunMs: number;
}

describe("an engine killed at random moments of up", function () {
  const run = randomBytes(2).toString("hex");
  const seed = Number(process.env.STRESS_SEED ?? randomInt(2 ** 31));
  const random = seededRandom(seed);
  const targetKills = Number(process.env.STRESS_KILLS ?? 60);
  const deadline = Date.now() + Number(process.env.STRESS_MINUTES ?? 40) * 60_000;
  const specs = mkdtempSync(path.join(tmpdir(), "tenantstack-stress-specs-"));
  const passphrase = randomBytes(16).toString("hex");
  const lanes: Lane[] = [];
  const kills: KillRecord[] = [];
  const notKilled: string[] = [];
  let kube: KubeClient;
  const started = Date.now();

  const writeSpec = (lane: Lane) => writeFileSync(specFile(specs, lane.stack), JSON.stringify(lane.spec));

  /** What the cluster holds of a lane's objects, by item: each object's name and data. */
  async function clusterObjects(lane: Lane): Promise<Map<string, { name: string; data: Record<string, string> }[]>> {
    const selector = `?labelSelector=${encodeURIComponent(`${RUN_LABEL}=${run}`)}`;
    const objects = [
      ...(await kube.list(`/api/v1/namespaces/${lane.spec.namespace}/configmaps${selector}`)),
      ...(await kube.list(`/api/v1/namespaces/${lane.spec.namespace}/secrets${selector}`)).map((secret) => ({
        ...secret,
        data: Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), "base64").toString()])),
      })),
    ];
    const byItem = new Map<string, { name: string; data: Record<string, string> }[]>();
    for (const object of objects) {
      const item = object.metadata.labels[ITEM_LABEL];
      byItem.set(item, [...(byItem.get(item) ?? []), { name: object.metadata.name, data: object.data ?? {} }]);
    }
    return byItem;
  }

  /** Differences between the cluster and the lane's spec: missing, leaked or stale objects. */
  async function differences(lane: Lane): Promise<string[]> {
    const byItem = await clusterObjects(lane);
    const problems: string[] = [];
    for (const item of lane.spec.items) {
      const objects = byItem.get(item.item) ?? [];
      if (objects.length !== 1) problems.push(`${item.item}: ${objects.length} objects (${objects.map((o) => o.name).join(", ")})`);
      else if (item.name && objects[0].name !== item.name) problems.push(`${item.item}: named ${objects[0].name}, not ${item.name}`);
      else if (canonical(objects[0].data) !== canonical(item.data))
        problems.push(`${item.item}: data ${canonical(objects[0].data)}, not ${canonical(item.data)}`);
    }
    for (const [item, objects] of byItem)
      if (!lane.spec.items.some((i) => i.item === item)) problems.push(`${item}: leaked (${objects.map((o) => o.name).join(", ")})`);
    return problems;
  }

  /** Files of a lane's backend and work directory that a kill left unreadable or half-written. */
  function tornFiles(lane: Lane): string[] {
    const root = path.join(lane.stateDir, "state/.pulumi");
    const files = readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name));
    const torn = files.filter((file) => {
      if (file.endsWith(".tmp")) return true;
      if (!file.endsWith(".attrs") && !file.endsWith(".json")) return false;
      try {
        JSON.parse(readFileSync(file, "utf8"));
        return false;
      } catch {
        return true;
      }
    });
    const settings = path.join(lane.stateDir, "stacks", lane.stack, `Pulumi.${lane.stack}.yaml`);
    if (existsSync(settings) && readFileSync(settings, "utf8").trim() === "") torn.push(settings);
    return torn.map((file) => {
      const size = readFileSync(file).length;
      return `${path.relative(lane.stateDir, file)} (${size} bytes)`;
    });
  }

  /** Runs `up` of a lane's stack as operation `operationId`, killing its engine's process group as `mode` says. */
  async function upWithKill(
    lane: Lane,
    operationId: string,
    mode: KillMode,
  ): Promise<{ outcome: OperationResult; kill?: { at: string; afterMs: number } }> {
    let pid: number | undefined;
    let jobStart = 0;
    let kill: { at: string; afterMs: number } | undefined;
    let timer: NodeJS.Timeout | undefined;
    let watcher: FSWatcher | undefined;
    let steps = 0;
    let writes = 0;
    const delay = Math.floor(random() * lane.baselineMs * 1.1);
    const nthStep = 1 + Math.floor(random() * (lane.spec.items.length + 2));
    const stepDelay = Math.floor(random() * 20);
    const nthWrite = 1 + Math.floor(random() * 80);
    const at = mode === "timer" ? `${delay} ms` : mode === "step" ? `step ${nthStep} + ${stepDelay} ms` : `write event ${nthWrite}`;
    const fire = () => {
      if (kill !== undefined || pid === undefined) return;
      try {
        process.kill(-pid, "SIGKILL");
        kill = { at, afterMs: Date.now() - jobStart };
      } catch {
        // the group is gone already: the job ended
      }
    };
    const onEvent = (event: DriverEvent) => {
      if (event.type === "started" && event.stack === lane.stack && pid === undefined) {
        pid = event.pid;
        jobStart = Date.now();
        if (mode === "timer") timer = setTimeout(fire, delay);
        if (mode === "write")
          watcher = watch(lane.stacksDir, (_type, name) => {
            if (name?.startsWith(`${lane.stack}.json`) && ++writes === nthWrite) fire();
          });
      }
      if (mode === "step" && event.type === "step" && event.stack === lane.stack && ++steps === nthStep)
        timer = setTimeout(fire, stepDelay);
    };
    try {
      const outcome = await lane.driver.up({ tenants: [lane.tenant], operationId, onEvent });
      return { outcome, kill };
    } finally {
      clearTimeout(timer);
      watcher?.close();
    }
  }

  before(async function () {
    kube = KubeClient.fromKubeconfig(KUBECONFIG);
    process.env.TENANTSTACK_STRESS_SPECS = specs; // the workers inherit it; the program reads its stack's spec there
    for (const label of ["atomic", "sidecar"] as const) {
      const stateDir = mkdtempSync(path.join(tmpdir(), `tenantstack-stress-${label}-`));
      const backendUrl = label === "sidecar" ? `file://${stateDir}/state?metadata=` : undefined;
      const driver = await Driver.open({
        workspace: {
          stateDir,
          passphrase,
          env: { KUBECONFIG },
          program: path.join(__dirname, "killProgram.ts"),
          inlineProgram: true,
          ...(backendUrl ? { backendUrl } : {}),
        },
        poolSize: 1,
      });
      const tenant = `k${run}${label[0]}`;
      await driver.registry.create({
        name: tenant,
        host: `${tenant}.example.com`,
        plan: "dedicated",
        version: "1.0.0",
        settings: tenantSettings(),
      });
      const stack = `dev-${tenant}`;
      const spec = nextSpec({ run, namespace: `stress-${run}-${label}`, generation: -1, items: [] }, random);
      const lane: Lane = {
        label,
        stateDir,
        driver,
        tenant,
        stack,
        stacksDir: path.join(stateDir, "state/.pulumi/stacks/tenantstack"),
        spec,
        baselineMs: 0,
      };
      lanes.push(lane); // removed after the run even when its first updates fail
      writeSpec(lane);
      const first = Date.now();
      const outcome = await driver.up({ tenants: [tenant] });
      assert.equal(outcome.status, "succeeded", JSON.stringify(outcome.stacks[0].error));
      lane.spec = nextSpec(lane.spec, random);
      writeSpec(lane);
      const second = Date.now();
      const update = await driver.up({ tenants: [tenant] });
      assert.equal(update.status, "succeeded", JSON.stringify(update.stacks[0].error));
      lane.baselineMs = Date.now() - second;
      console.log(`      ${label}: first up ${second - first} ms, an update ${lane.baselineMs} ms`);
      assert.deepEqual(await differences(lane), []);
    }
    assert.ok(existsSync(path.join(lanes[1].stacksDir, `${lanes[1].stack}.json.attrs`)), "the sidecar lane's backend writes sidecars");
  });

  after(async function () {
    const summary = summarize();
    const stamp = new Date(started).toISOString().replace(/[:.]/g, "-");
    const results = path.join(REPO, "bench/results");
    mkdirSync(results, { recursive: true });
    writeFileSync(path.join(results, `engine-kill-${stamp}.json`), JSON.stringify({ ...summary, kills }, null, 2) + "\n");
    writeFileSync(path.join(results, `engine-kill-${stamp}.md`), markdown(summary));
    for (const lane of lanes) {
      await lane.driver.destroy({ tenants: [lane.tenant] }).catch(() => undefined);
      await kube.request("DELETE", `/api/v1/namespaces/${lane.spec.namespace}`).catch(() => undefined);
      await lane.driver.close();
      rmSync(lane.stateDir, { recursive: true, force: true });
    }
    kube?.close();
    rmSync(specs, { recursive: true, force: true });
  });

  it(`recovers after each of at least ${targetKills} kills, the cluster then holding exactly the spec`, async function () {
    for (let i = 0; kills.length < targetKills && Date.now() < deadline; i++) {
      const lane = lanes[i % lanes.length];
      const mode = MODES[Math.floor(i / lanes.length) % MODES.length];
      lane.spec = nextSpec(lane.spec, random);
      writeSpec(lane);
      const operationId = `kill-${run}-${i}`;
      const { outcome, kill } = await upWithKill(lane, operationId, mode);
      if (outcome.status === "succeeded") {
        // The job ended before the kill: no kill of an update (the pid was an idle worker's, or none).
        notKilled.push(`${lane.label} ${mode} ${kill?.at ?? "-"}`);
        assert.deepEqual(await differences(lane), [], `${lane.label} generation ${lane.spec.generation}`);
        continue;
      }
      assert.equal(outcome.stacks[0].error?.name, "WorkerCrashedError", JSON.stringify(outcome.stacks[0].error));
      assert.ok(kill, "the stack failed without a kill");
      const torn = tornFiles(lane);
      const rerun = Date.now();
      const rerunSteps: string[] = [];
      const again = await lane.driver.up({
        tenants: [lane.tenant],
        operationId,
        onEvent: (event) => void (event.type === "step" && rerunSteps.push(`${event.op} ${event.name}`)),
      });
      const rerunMs = Date.now() - rerun;
      const recoverStep = await lane.driver.journal.step(operationId, `${lane.stack}:up:recover`);
      assert.equal(
        again.status,
        "succeeded",
        `${lane.label} kill ${kills.length + 1} (${mode} ${kill.at}; torn: ${torn.join(", ") || "none"}): ${JSON.stringify(again.stacks[0].error)} ` +
          `recovery: ${JSON.stringify(recoverStep)}`,
      );
      assert.equal(recoverStep?.status, "done");
      const recovery = (recoverStep?.detail as { recovery: StackRecovery }).recovery;
      kills.push({
        lane: lane.label,
        generation: lane.spec.generation,
        mode,
        at: kill.at,
        afterMs: kill.afterMs,
        torn,
        recovery,
        kinds: recoveryKinds(recovery),
        rerunMs,
      });
      const problems = await differences(lane);
      assert.deepEqual(
        problems,
        [],
        `${lane.label} after kill ${kills.length} (${mode} ${kill.at}): ${problems.join("; ")}; recovery ${JSON.stringify(recovery)}; ` +
          `re-run steps: ${rerunSteps.join(", ")}`,
      );
      if (lane.label === "atomic") {
        assert.deepEqual(
          torn.filter((file) => !file.includes(".tmp ")),
          [],
          "the driver's own backend never has an unreadable file",
        );
        assert.equal(recovery.checkpoint?.sidecarsRemoved.length ?? 0, 0);
        assert.equal(recovery.checkpoint?.restoredFrom, undefined);
      }
    }
    assert.ok(kills.length >= targetKills, `only ${kills.length} kills of an update before the time bound (seed ${seed})`);
  });

  it("then a refresh finds no drift, and each state holds exactly the cluster's objects: nothing leaked", async function () {
    for (const lane of lanes) {
      const refresh = await lane.driver.refresh({ tenants: [lane.tenant] });
      assert.equal(refresh.status, "succeeded", JSON.stringify(refresh.stacks[0].error));
      assert.deepEqual(refresh.stacks[0].result?.drift, [], lane.label);
      const checkpoint = JSON.parse(readFileSync(path.join(lane.stacksDir, `${lane.stack}.json`), "utf8"));
      const resources: { type: string; id?: string; delete?: boolean }[] = checkpoint.checkpoint.latest.resources;
      const inState = resources
        .filter((r) => /^kubernetes:core\/v1:(ConfigMap|Secret)$/.test(r.type))
        .map((r) => `${r.id}${r.delete ? " (to delete)" : ""}`)
        .sort();
      const byItem = await clusterObjects(lane);
      const inCluster = [...byItem.values()]
        .flat()
        .map((o) => `${lane.spec.namespace}/${o.name}`)
        .sort();
      assert.deepEqual(inState, inCluster, lane.label);
      assert.equal(inCluster.length, lane.spec.items.length);
      assert.deepEqual(checkpoint.checkpoint.latest.pending_operations ?? [], [], "no pending operation is left");
    }
  });

  interface Summary {
    readonly run: string;
    readonly seed: number;
    readonly durationS: number;
    readonly kills: number;
    readonly notKilled: number;
    readonly byMode: Record<string, number>;
    readonly byLane: Record<string, { kills: number; recoveries: Record<string, number>; torn: number; adopted: number; cleared: number }>;
    readonly rerunMs: { median: number; max: number };
  }

  function summarize(): Summary {
    const count = <T>(items: readonly T[], key: (item: T) => string[]) =>
      items.flatMap(key).reduce<Record<string, number>>((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {});
    const reruns = kills.map((k) => k.rerunMs).sort((a, b) => a - b);
    return {
      run,
      seed,
      durationS: Math.round((Date.now() - started) / 1000),
      kills: kills.length,
      notKilled: notKilled.length,
      byMode: count(kills, (k) => [k.mode]),
      byLane: Object.fromEntries(
        lanes.map((lane) => {
          const mine = kills.filter((k) => k.lane === lane.label);
          return [
            lane.label,
            {
              kills: mine.length,
              recoveries: { none: mine.filter((k) => k.kinds.length === 0).length, ...count(mine, (k) => [...k.kinds]) },
              torn: mine.filter((k) => k.torn.some((file) => !file.includes(".tmp "))).length,
              adopted: mine.reduce((n, k) => n + k.recovery.adopted.length, 0),
              cleared: mine.reduce((n, k) => n + k.recovery.cleared.length, 0),
            },
          ];
        }),
      ),
      rerunMs: { median: reruns[Math.floor(reruns.length / 2)] ?? 0, max: reruns.at(-1) ?? 0 },
    };
  }

  function markdown(summary: Summary): string {
    const rows = Object.entries(summary.byLane).map(
      ([lane, s]) =>
        `| ${lane} | ${s.kills} | ${s.recoveries.lock ?? 0} | ${s.recoveries.pending ?? 0} | ${s.recoveries.checkpoint ?? 0} | ${s.recoveries.none ?? 0} | ${s.torn} | ${s.adopted} | ${s.cleared} |`,
    );
    const torn = kills.filter((k) => k.torn.some((file) => !file.includes(".tmp ")));
    return [
      `# Engine kills during up (issue 23), run ${summary.run}, seed ${summary.seed}`,
      "",
      `${summary.kills} kills of an update (SIGKILL of the worker's process group: worker, engine, plugins) in ${summary.durationS} s; ` +
        `by moment: ${Object.entries(summary.byMode)
          .map(([mode, n]) => `${mode} ${n}`)
          .join(", ")}; ${summary.notKilled} more updates finished before their kill. Every kill was followed by a re-run of the ` +
        `same operation that recovered the stack and finished (re-run median ${summary.rerunMs.median} ms, max ${summary.rerunMs.max} ms), ` +
        "the cluster then holding exactly the spec; a final refresh found no drift and no leaked object.",
      "",
      "| backend | kills | lock removed | pending operations | checkpoint repaired | nothing to recover | kills leaving an unreadable file | creates adopted | creates cleared |",
      "| ------- | ----- | ------------ | ------------------ | ------------------- | ------------------ | -------------------------------- | --------------- | --------------- |",
      ...rows,
      "",
      "`atomic` is the driver's own file backend (`metadata=skip`); `sidecar` keeps fileblob's `.attrs` sidecars, the engine's default.",
      "",
      ...(torn.length > 0
        ? [
            "Unreadable files found after a kill, before the recovery:",
            "",
            ...torn.map((k) => `- ${k.lane} ${k.mode} ${k.at}: ${k.torn.join(", ")}`),
            "",
          ]
        : []),
    ].join("\n");
  }
});
