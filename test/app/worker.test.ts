/**
 * The reference app's worker in this process against real PostgreSQL and Redis, fed by the API:
 * each job's result row read back from the tenant's `job_results` (once per job id), nothing taken
 * while the tenant is read-only, a dead worker's jobs taken over, queue entries that are not jobs
 * dropped; its health port's endpoints and metrics.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { startApi, type RunningApi } from "../../examples/app/src/api";
import { startWorker, type RunningWorker } from "../../examples/app/src/worker";
import { AppFixture, appLogger, eventually, http } from "./fixture";

describe("reference app: worker", function () {
  let fixture: AppFixture;
  let api: RunningApi;
  let worker: RunningWorker;
  const acme = { host: "acme.apps.example.test" };
  const globex = { host: "globex.apps.example.test" };
  const result = (tenant: string, id: string) =>
    fixture.rows(tenant, "SELECT job_id, words, sha256, worker FROM job_results WHERE job_id = $1", [id]).catch(() => []);
  const jobsCounted = async (tenant: string, outcome: string) =>
    Number(
      new RegExp(`^app_jobs_total\\{tenant="${tenant}",outcome="${outcome}"\\} (\\d+)$`, "m").exec(
        (await http(worker.port, "GET", "/metrics")).text,
      )?.[1] ?? 0,
    );

  before(async function () {
    this.timeout(120_000);
    fixture = await AppFixture.start([{ name: "acme" }, { name: "globex", acl: true }]);
    api = await startApi(fixture.config("api"), appLogger("api"));
    worker = await startWorker(fixture.config("worker"), appLogger("worker"));
  });

  after(async function () {
    await worker?.stop();
    await api?.stop();
    await fixture?.stop();
  });

  it("serves /healthz, /readyz and /metrics on its health port", async () => {
    assert.deepEqual((await http(worker.port, "GET", "/healthz")).json, { status: "ok", version: "test" });
    assert.deepEqual((await http(worker.port, "GET", "/readyz")).json, { status: "ready" });
    assert.match((await http(worker.port, "GET", "/metrics")).text, /^app_info\{version="test",role="worker"\} 1$/m);
  });

  it("writes the result of each job the API enqueued to the tenant's database, through its ACL user too", async () => {
    for (const [tenant, host] of [
      ["acme", acme],
      ["globex", globex],
    ] as const) {
      const text = `the ${tenant} job of five words`.replace(" of", "");
      const queued = await http(api.port, "POST", "/jobs", { ...host, headers: { "idempotency-key": `${tenant}-1` }, json: { text } });
      assert.equal(queued.status, 202);
      const done = await eventually(`${tenant}'s result`, async () => {
        const reply = await http(api.port, "GET", `/jobs/${tenant}-1`, host);
        return reply.status === 200 && reply.json.job;
      });
      const sha256 = createHash("sha256").update(text).digest("hex");
      assert.deepEqual(
        { ...done, enqueuedAt: "-", completedAt: "-" },
        { id: `${tenant}-1`, words: 5, sha256, enqueuedAt: "-", completedAt: "-", worker: "test-worker" },
      );
      assert.deepEqual(await result(tenant, `${tenant}-1`), [{ job_id: `${tenant}-1`, words: 5, sha256, worker: "test-worker" }]);
      assert.deepEqual(
        await fixture.redis.with((c) => Promise.all([c.llen(`${tenant}:jobs`), c.llen(`${tenant}:jobs:processing:test-worker`)])),
        [0, 0],
      );
    }
    assert.equal(await jobsCounted("acme", "done"), 1);
  });

  it("writes a job taken twice once", async () => {
    const job = JSON.stringify({ id: "twice", text: "a b", enqueuedAt: new Date().toISOString() });
    await fixture.redis.with((c) => c.lpush("acme:jobs", job, job));
    await eventually("both taken", async () => (await jobsCounted("acme", "duplicate")) === 1);
    assert.equal((await result("acme", "twice")).length, 1);
    assert.equal(await jobsCounted("acme", "done"), 2);
  });

  it("drops queue entries that are not jobs", async () => {
    await fixture.redis.with((c) => c.lpush("acme:jobs", "not json", JSON.stringify({ id: 7 })));
    await eventually("both dropped", async () => (await jobsCounted("acme", "invalid")) === 2);
    assert.equal(await fixture.redis.with((c) => c.llen("acme:jobs")), 0);
  });

  it("takes none of a read-only tenant's jobs, and takes them once it is writable", async () => {
    fixture.setReadOnly("globex", true);
    await eventually("the worker sees globex read-only", async () =>
      /^app_tenant_read_only\{tenant="globex"\} 1$/m.test((await http(worker.port, "GET", "/metrics")).text),
    );
    // Queued before the flag (as the API would have), while the worker waits.
    const job = JSON.stringify({ id: "held", text: "held job", enqueuedAt: new Date().toISOString() });
    await fixture.redis.with((c) => c.lpush("globex:jobs", job));
    const acmeJob = await http(api.port, "POST", "/jobs", {
      ...acme,
      headers: { "idempotency-key": "while-globex-read-only" },
      json: { text: "x" },
    });
    assert.equal(acmeJob.status, 202);
    await eventually("acme's job runs meanwhile", async () => (await result("acme", "while-globex-read-only")).length === 1);
    assert.equal(await fixture.redis.with((c) => c.llen("globex:jobs")), 1, "globex's job is still queued");
    assert.deepEqual(await result("globex", "held"), []);
    fixture.setReadOnly("globex", false);
    await eventually("globex's job runs", async () => (await result("globex", "held")).length === 1);
    assert.equal(await fixture.redis.with((c) => c.llen("globex:jobs")), 0);
  });

  it("takes over the jobs of a worker that died with them in hand", async () => {
    const job = JSON.stringify({ id: "orphan", text: "left behind", enqueuedAt: new Date().toISOString() });
    // A dead worker: its processing list holds a job, its liveness key is gone. Another worker's
    // list, alive, is left alone.
    await fixture.redis.with((c) =>
      c
        .multi()
        .lpush("acme:jobs:processing:dead-pod", job)
        .lpush("acme:jobs:processing:live-pod", "in hand")
        .set("acme:jobs:worker:live-pod", "1", "EX", 60)
        .exec(),
    );
    // The worker looks for them every 30 s: a new one (a restart) looks at its start.
    await worker.stop();
    worker = await startWorker(fixture.config("worker"), appLogger("worker"));
    await eventually("the orphan's result", async () => (await result("acme", "orphan")).length === 1);
    assert.deepEqual(
      await fixture.redis.with((c) =>
        Promise.all([c.exists("acme:jobs:processing:dead-pod"), c.lrange("acme:jobs:processing:live-pod", 0, -1)]),
      ),
      [0, ["in hand"]],
    );
  });
});
