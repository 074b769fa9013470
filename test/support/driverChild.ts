/**
 * The progress of a driver that a test runs in a child process, to kill it: each event printed on
 * stdout as a JSON line, and the process killed (SIGKILL, as a crash) at a point of the run that
 * does not depend on the machine's speed.
 */
import * as assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import type { Driver, DriverEvent, FleetUpgradeResult, RunnerSettings } from "../../automation";

const CHANGES = new Set(["create", "update", "delete", "replace"]);

/**
 * An `onEvent` that prints each event (resource steps only when `steps`), and, once the driver has
 * started a job on stack `crashAt`, kills this process when that stack's engine starts changing a
 * resource, right after printing `{"type":"killed","at":<the step event>}`.
 */
export function printEvents(options: { steps: boolean; crashAt?: string }): (event: DriverEvent) => void {
  let armed = false;
  return (event) => {
    if (event.type === "stack" && event.stack === options.crashAt && event.status === "started") armed = true;
    if (event.type !== "step" || options.steps) console.log(JSON.stringify(event));
    if (armed && event.type === "step" && event.stack === options.crashAt && CHANGES.has(event.op)) {
      console.log(JSON.stringify({ type: "killed", at: event }));
      process.kill(process.pid, "SIGKILL");
    }
  };
}

/** Hands each JSON line a driver child process prints on stdout to `onLine`; resolves when the process exits. */
export function jsonLines(child: ChildProcess, onLine: (line: any) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
        onLine(JSON.parse(buffer.slice(0, i)));
        buffer = buffer.slice(i + 1);
      }
    });
    child.on("exit", () => resolve());
  });
}

/** What the fleet driver process (test/e2e/automation/driverProcess.ts) is given as JSON: one fleet upgrade to run. */
export interface FleetDriverArgs {
  stateDir: string;
  passphrase: string;
  kubeconfig: string;
  operationId: string;
  version: string;
  waveSize: number;
  crashAt?: string;
  /** The database (default: SQLite in the state directory), the driver's host identity and lease timing. */
  database?: string;
  identity?: string;
  leaseTtlSeconds?: number;
  heartbeatSeconds?: number;
  /** The state backend (default: `stateDir`'s), the engine's environment beside KUBECONFIG, where stack jobs run. */
  backendUrl?: string;
  env?: Record<string, string>;
  executor?: "local" | "kubernetes";
  runners?: RunnerSettings;
  /** The tenants to upgrade (default: every tenant). */
  tenants?: string[];
}

/** A driver process running the fleet upgrade `args` says, its events on stdout as JSON lines ({@link jsonLines}). */
export function startFleetDriver(args: FleetDriverArgs): ChildProcess {
  const script = path.join(__dirname, "../e2e/automation/driverProcess.ts");
  return spawn(process.execPath, ["-r", "ts-node/register/transpile-only", script, JSON.stringify(args)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
}

/** Waits until the operation lease a killed driver left has expired (by the database's clock, this machine's too); returns it. */
export async function expiredOperationLease(driver: Driver) {
  const [lease] = await driver.operationLeases.list();
  assert.ok(lease, "a killed driver's operation lease is left");
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(lease.expiresAt!) - Date.now()) + 1000));
  return lease;
}

/**
 * Checks a fleet upgrade of one stack per wave (`first`, `held`, `last`) that another driver finished after
 * the first was killed during `held`: resumed, `first` skipped and upgraded once, `held` recovered first
 * (that recovery step returned), then upgraded with `last`.
 */
export async function assertTakenOver(
  driver: Driver,
  operationId: string,
  result: FleetUpgradeResult | undefined,
  [first, held, last]: readonly [string, string, string],
) {
  assert.equal(result?.status, "succeeded", JSON.stringify(result));
  assert.equal(result?.resumed, true);
  assert.deepEqual(
    result?.waves.map((w) => `${w[0].stack}:${w[0].status}`),
    [`${first}:skipped`, `${held}:upgraded`, `${last}:upgraded`],
  );
  const steps = await driver.journal.steps(operationId);
  assert.equal(steps.find((s) => s.step === `${first}:upgrade`)?.attempts, 1, "the finished stack was not upgraded again");
  const recovered = steps.find((s) => s.step === `${held}:up:2:recover`);
  assert.equal(recovered?.status, "done", `the interrupted stack was recovered first: ${JSON.stringify(recovered)}`);
  return recovered!;
}
