/**
 * The reference app as the image runs it: `main.ts api|worker` in a process of its own, against
 * real PostgreSQL and Redis. SIGTERM: `/readyz` 503 at once while requests are still accepted for
 * `SHUTDOWN_DELAY_MS`, then new connections refused, the request in flight finished (its row read
 * back) and exit 0; with a request stuck past `SHUTDOWN_TIMEOUT_MS`, exit 1 at that timeout. Bad
 * settings and a bad role stop it before it listens.
 */
import * as assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { Client } from "pg";
import type { Role } from "../../examples/app/src/config";
import { AppFixture, eventually, http } from "./fixture";

const REPO = path.join(__dirname, "../..");

/** A running app process: its port (from its start log line), output, and exit. */
interface AppProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly exited: Promise<{ code: number | null; ms: number }>;
  output(): string;
}

/** Starts `main.ts <args>`; resolves once it logs that it listens (or rejects with its output when it exits first). */
function startProcess(args: string[], env: Record<string, string>): Promise<AppProcess> {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "examples/app/src/main.ts", ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let signalledAt = 0;
  const exited = new Promise<{ code: number | null; ms: number }>((resolve) =>
    child.on("exit", (code) => resolve({ code, ms: signalledAt ? Date.now() - signalledAt : -1 })),
  );
  const kill = child.kill.bind(child);
  child.kill = (signal?: NodeJS.Signals | number) => {
    signalledAt ||= Date.now();
    return kill(signal);
  };
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const started = /"message":"(API listening|worker running)","port":(\d+)/.exec(output);
      if (started) {
        child.stdout!.off("data", onData);
        child.stdout!.on("data", (more: Buffer) => (output += more.toString()));
        resolve({ child, port: Number(started[2]), exited, output: () => output });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(({ code }) => reject(new Error(`main.ts ${args.join(" ")} exited ${code} before listening:\n${output}`)));
  });
}

describe("reference app: processes", function () {
  let fixture: AppFixture;
  const children: ChildProcess[] = [];
  const acme = { host: "acme.apps.example.test" };
  const start = async (role: Role, extra: Record<string, string>) => {
    const app = await startProcess([role], fixture.env(role, extra));
    children.push(app.child);
    return app;
  };

  /** Runs `during` while another transaction holds an uncommitted note of idempotency key `key` (an insert of that key waits). */
  async function holdingKey<T>(key: string, during: () => Promise<T>): Promise<T> {
    const locker = new Client({ connectionString: fixture.tenants.get("acme")!.databaseUrl });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("INSERT INTO notes (text, idempotency_key) VALUES ('held', $1)", [key]);
      return await during();
    } finally {
      await locker.query("ROLLBACK").catch(() => undefined);
      await locker.end();
    }
  }
  const waitingInserts = async () =>
    (
      await fixture.rows(
        "acme",
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO notes%'",
      )
    )[0].n;

  before(async function () {
    this.timeout(120_000);
    fixture = await AppFixture.start([{ name: "acme" }]);
  });

  after(async function () {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await fixture?.stop();
  });

  it("on SIGTERM turns not ready, stops accepting after the delay, finishes the request in flight and exits 0", async () => {
    const api = await start("api", { SHUTDOWN_DELAY_MS: "1500", SHUTDOWN_TIMEOUT_MS: "20000" });
    assert.equal((await http(api.port, "POST", "/notes", { ...acme, json: { text: "first" } })).status, 201);
    assert.equal((await http(api.port, "GET", "/readyz")).status, 200);
    let ended: { code: number | null; ms: number } | undefined;
    void api.exited.then((e) => (ended = e));
    // Leaving holdingKey rolls the other transaction back: the insert in flight proceeds.
    const inFlight = await holdingKey("in-flight", async () => {
      const pending = http(api.port, "POST", "/notes", {
        ...acme,
        headers: { "idempotency-key": "in-flight" },
        json: { text: "in flight" },
      });
      await eventually("the request waits in Postgres", async () => (await waitingInserts()) === 1);
      api.child.kill("SIGTERM");
      const ready = await eventually("not ready", async () => {
        const reply = await http(api.port, "GET", "/readyz");
        return reply.status === 503 && reply;
      });
      assert.deepEqual(ready.json, { status: "stopping", problems: ["shutting down"] });
      assert.equal((await http(api.port, "GET", "/counter", acme)).status, 200, "still accepting during the delay");
      await eventually("new connections refused", () =>
        http(api.port, "GET", "/healthz").then(
          () => false,
          (error) => error.code === "ECONNREFUSED",
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(ended, undefined, "still running with a request in flight");
      return { pending };
    });
    const done = await inFlight.pending;
    assert.deepEqual([done.status, done.json.note.text], [201, "in flight"]);
    const { code, ms } = await api.exited;
    assert.equal(code, 0, api.output());
    assert.ok(ms < 20_000, `exited ${ms} ms after SIGTERM`);
    assert.deepEqual(
      (await fixture.rows("acme", "SELECT text FROM notes WHERE idempotency_key = 'in-flight'")).map((r) => r.text),
      ["in flight"],
    );
    assert.match(api.output(), /"message":"stopped"/);
  });

  it("exits 1 at the shutdown timeout when a request is still in flight", async () => {
    const api = await start("api", { SHUTDOWN_DELAY_MS: "0", SHUTDOWN_TIMEOUT_MS: "1500" });
    await holdingKey("stuck", async () => {
      const failure = http(api.port, "POST", "/notes", { ...acme, headers: { "idempotency-key": "stuck" }, json: { text: "stuck" } }).then(
        () => undefined,
        (error: Error) => error,
      );
      await eventually("the request waits in Postgres", async () => (await waitingInserts()) === 1);
      api.child.kill("SIGTERM");
      const { code, ms } = await api.exited;
      assert.equal(code, 1, api.output());
      assert.ok(ms >= 1400 && ms < 5000, `exited ${ms} ms after SIGTERM`);
      assert.match(String(await failure), /socket hang up|ECONNRESET/);
    });
    assert.match(api.output(), /"message":"shutdown timeout passed: exiting with work in flight","timeoutMs":1500/);
  });

  it("the worker exits 0 on SIGTERM within its job wait", async () => {
    const worker = await start("worker", { JOB_BLOCK_SECONDS: "2" });
    await eventually("ready", async () => (await http(worker.port, "GET", "/readyz")).status === 200);
    worker.child.kill("SIGTERM");
    const { code, ms } = await worker.exited;
    assert.equal(code, 0, worker.output());
    assert.ok(ms < 5000, `exited ${ms} ms after SIGTERM`);
  });

  it("stops before listening on bad settings (exit 1) or a bad role (exit 2), naming the problem", async () => {
    await assert.rejects(
      start("api", { PORT: "http", TENANTS: "acme,Bad_Name" }),
      (error: Error) =>
        /exited 1 before listening/.test(error.message) &&
        error.message.includes('`PORT` must be an integer between 0 and 65535 (got "http")') &&
        error.message.includes('`TENANTS` entry 1 must be a DNS label of lowercase letters, digits and "-" (got "Bad_Name")'),
    );
    await assert.rejects(
      startProcess(["scheduler"], fixture.env("api")),
      (error: Error) =>
        /exited 2 before listening/.test(error.message) && error.message.includes('usage: main.js api|worker (got "scheduler")'),
    );
  });
});
