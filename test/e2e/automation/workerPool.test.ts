/**
 * The local executor's warm workers: a worker that finished a job (a failed one too) runs the next,
 * and an idle worker neither keeps its supervisor's process alive nor outlives it.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import * as path from "node:path";
import { testDir } from "../../support/testRun";

/** Whether a process runs. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("the local executor's worker pool", function () {
  const stateDir = testDir("pool");
  after(() => rmSync(stateDir, { recursive: true, force: true }));

  it("runs the next job in the warm worker of a failed one, and lets its supervisor exit while the worker idles", async () => {
    const started = Date.now();
    const supervisor = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "executorProcess.ts")], {
      env: { ...process.env, EXECUTOR_ARGS: JSON.stringify({ stateDir, passphrase: randomBytes(16).toString("hex") }) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    let limit: NodeJS.Timeout | undefined;
    supervisor.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      // Its worker idles for 600 s: a supervisor still running 60 s after its last job is kept alive by it.
      if (out.split("\n").length > 2) limit ??= setTimeout(() => supervisor.kill("SIGKILL"), 60_000);
    });
    const code = await new Promise<number | null>((resolve) => supervisor.on("exit", resolve));
    clearTimeout(limit);
    const seconds = (Date.now() - started) / 1000;

    const jobs = out
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { stack: string; pid: number; outcome: string });
    assert.equal(code, 0, `the supervisor returned by itself (after ${seconds.toFixed(1)} s)`);
    assert.deepEqual(
      jobs.map((j) => [j.stack, j.outcome]),
      [
        ["missing-1", "StackOperationError"],
        ["missing-2", "StackOperationError"],
      ],
    );
    assert.ok(jobs[0].pid > 0);
    assert.equal(jobs[1].pid, jobs[0].pid, "the second job ran in the first one's warm worker");
    // It goes when its IPC channel closes: polled for up to 30 s.
    for (let i = 0; i < 300 && running(jobs[0].pid); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(running(jobs[0].pid), false, "the idle worker went with its supervisor");
  });
});
