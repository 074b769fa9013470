/** Marked processes and the watchdog, on this machine's process table (Linux; skipped without /proc). */
import * as assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { endMarked, endOrphans, markedProcesses, markFor, ownerAlive, processIdentity } from "../../../automation/processes/marks";

const REPO = path.join(__dirname, "../../..");

/** The marked processes of `mark`, by the process table. */
const withMark = (mark: string) => markedProcesses().filter((p) => p.mark === mark);

/** Lines a child prints, as they come. */
function lines(child: ChildProcess): () => Promise<string> {
  let buffer = "";
  const waiting: ((line: string) => void)[] = [];
  const ready: string[] = [];
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      const next = waiting.shift();
      if (next) next(line);
      else ready.push(line);
    }
  });
  return () => (ready.length > 0 ? Promise.resolve(ready.shift()!) : new Promise((resolve) => waiting.push(resolve)));
}

/**
 * A process standing for a driver: it marks what it starts for `job:1` (its watchdog started when
 * `watchdog`), starts a process in a group of its own (as the engine starts a plugin) and a shell
 * that starts one in a session of its own, prints its mark and its watchdog's pid, and waits.
 */
function owner(watchdog: boolean): { child: ChildProcess; next: () => Promise<string> } {
  const code = `
    const { spawn } = require("node:child_process");
    const mark = require("./automation/processes/${watchdog ? "watchdog" : "marks"}")["${watchdog ? "markChildren" : "markFor"}"]("job:1");
    const env = { ...process.env, ...mark };
    spawn("sleep", ["60"], { detached: true, env, stdio: "ignore" }).unref();
    spawn("sh", ["-c", "setsid sleep 60 & exec sleep 60"], { detached: true, env, stdio: "ignore" }).unref();
    console.log(mark.TENANTSTACK_OWNER);
    console.log(${watchdog ? 'require("./automation/processes/watchdog").startWatchdog()' : "0"});
    setInterval(() => undefined, 1000);
  `;
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", code], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return { child, next: lines(child) };
}

/** Polls until `check` holds, for up to `ms`. */
async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

async function killed(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

(existsSync("/proc/self/stat") ? describe : describe.skip)("marked processes", function () {
  this.timeout(30_000);

  it("identify a process by pid and start time, and not a gone one", async () => {
    const self = processIdentity(process.pid)!;
    assert.match(self, new RegExp(`^${process.pid}-\\d+$`));
    assert.equal(ownerAlive(self), true);
    assert.equal(ownerAlive(`${process.pid}-1`), false, "another process that had this pid");
    assert.deepEqual(markFor("migrate:m-1:copyPostgres:2"), { TENANTSTACK_OWNER: `${self}/migrate:m-1:copyPostgres:2` });
    const gone = spawn("true");
    await new Promise((resolve) => gone.once("exit", resolve));
    assert.equal(processIdentity(gone.pid!), undefined);
  });

  it("are found in other process groups and sessions, and ended, by the process table", async () => {
    const { child, next } = owner(false);
    try {
      const mark = await next();
      await next();
      assert.ok(await until(() => withMark(mark).length === 3, 10_000), `3 marked processes: ${JSON.stringify(withMark(mark))}`);
      const found = withMark(mark);
      assert.deepEqual(
        found.map((p) => [p.owner, p.task]),
        Array(3).fill([`${child.pid}-${processIdentity(child.pid!)!.split("-")[1]}`, "job:1"]),
      );
      assert.deepEqual(
        await endMarked((p) => p.mark === mark),
        found.map((p) => p.pid).sort((a, b) => a - b),
      );
      assert.deepEqual(withMark(mark), []);
      assert.deepEqual(
        found.map((p) => processIdentity(p.pid)),
        [undefined, undefined, undefined],
      );
    } finally {
      await killed(child);
    }
  });

  it("whose owner was SIGKILLed are ended by the sweep; those of a live owner are left", async () => {
    const { child, next } = owner(false);
    const mark = await next();
    await next();
    assert.ok(await until(() => withMark(mark).length === 3, 10_000));
    const live = spawn("sleep", ["60"], { detached: true, env: { ...process.env, ...markFor("job:2") }, stdio: "ignore" });
    try {
      await killed(child);
      assert.equal(withMark(mark).length, 3, "they outlive their owner");
      const ended = await endOrphans();
      assert.equal(ended.length, 3);
      assert.deepEqual(withMark(mark), []);
      assert.equal(withMark(markFor("job:2").TENANTSTACK_OWNER).length, 1, "the live owner's process is left");
    } finally {
      live.kill("SIGKILL");
    }
  });

  it("end with their owner, SIGKILLed, through its watchdog", async () => {
    const { child, next } = owner(true);
    const mark = await next();
    assert.ok(await until(() => withMark(mark).length === 3, 10_000));
    const watchdog = Number(await next());
    assert.notEqual(processIdentity(watchdog), undefined, "the watchdog runs");
    const started = Date.now();
    await killed(child);
    assert.ok(await until(() => withMark(mark).length === 0, 5_000), `left: ${JSON.stringify(withMark(mark))}`);
    const took = Date.now() - started;
    assert.ok(await until(() => processIdentity(watchdog) === undefined, 5_000), "the watchdog ends once its work is done");
    process.stdout.write(`      (all 3 ended ${took} ms after the owner's SIGKILL)\n`);
  });
});
