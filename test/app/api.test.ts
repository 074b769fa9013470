/**
 * The reference app's API in this process against real PostgreSQL and Redis: notes, the counter and
 * jobs per tenant, each tenant's data read back from its own database and keys; input refused with
 * its status and message; read-only tenants; a changed database URL (a new pool, the old one
 * drained of its request in flight); readiness; the request metrics.
 */
import * as assert from "node:assert/strict";
import { Client, type PoolClient } from "pg";
import { startApi, type RunningApi } from "../../examples/app/src/api";
import { connectionEnded, Databases } from "../../examples/app/src/database";
import { TenantRegistry } from "../../examples/app/src/tenants";
import { fenceKey, fenceTenantUser, unfenceTenantUser } from "../../automation/migration/data/redis/fence";
import { AppFixture, appLogger, eventually, http } from "./fixture";

describe("reference app: API", function () {
  let fixture: AppFixture;
  let api: RunningApi;
  const acme = { host: "acme.apps.example.test" };
  const globex = { host: "globex.apps.example.test:8443" };

  before(async function () {
    this.timeout(120_000);
    // acme's Redis is the stack's (prefix isolation), globex's its own ACL user.
    fixture = await AppFixture.start([{ name: "acme" }, { name: "globex", acl: true }]);
    api = await startApi(fixture.config("api"), appLogger("api"));
  });

  after(async function () {
    await api?.stop();
    await fixture?.stop();
  });

  it("creates a note once per idempotency key, lists and gets it, in the tenant's own database", async () => {
    const first = await http(api.port, "POST", "/notes", { ...acme, headers: { "idempotency-key": "k-1" }, json: { text: "hello" } });
    assert.equal(first.status, 201);
    assert.equal(first.json.note.text, "hello");
    assert.equal(first.json.note.idempotencyKey, "k-1");
    const again = await http(api.port, "POST", "/notes", { ...acme, headers: { "idempotency-key": "k-1" }, json: { text: "hello" } });
    assert.equal(again.status, 200);
    assert.deepEqual(again.json.note, first.json.note);
    const conflict = await http(api.port, "POST", "/notes", { ...acme, headers: { "idempotency-key": "k-1" }, json: { text: "other" } });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.json.error.message, `Idempotency-Key "k-1" already created note ${first.json.note.id} with another text`);
    const second = await http(api.port, "POST", "/notes", { ...acme, json: { text: "no key" } });
    assert.equal(second.status, 201);

    const rows = await fixture.rows("acme", "SELECT id, text, idempotency_key FROM notes ORDER BY id");
    assert.deepEqual(
      rows.map((r) => [Number(r.id), r.text, r.idempotency_key]),
      [
        [first.json.note.id, "hello", "k-1"],
        [second.json.note.id, "no key", null],
      ],
    );
    const list = await http(api.port, "GET", "/notes", acme);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.json.notes.map((n: { text: string }) => n.text),
      ["hello", "no key"],
    );
    const page = await http(api.port, "GET", "/notes?limit=1", acme);
    assert.deepEqual([page.json.notes.length, page.json.next], [1, first.json.note.id]);
    const rest = await http(api.port, "GET", `/notes?limit=1&after=${page.json.next}`, acme);
    assert.equal(rest.json.notes[0].text, "no key");
    const got = await http(api.port, "GET", `/notes/${second.json.note.id}`, acme);
    assert.deepEqual(got.json.note, second.json.note);
    const missing = await http(api.port, "GET", "/notes/999999", acme);
    assert.deepEqual([missing.status, missing.json.error], [404, { code: "not_found", message: "no note 999999" }]);
  });

  it("keeps tenants apart: globex's notes are in its own database, chosen by host or X-Tenant", async () => {
    assert.equal((await http(api.port, "GET", "/notes", globex)).json.notes.length, 0);
    const created = await http(api.port, "POST", "/notes", { ...globex, json: { text: "globex's" } });
    assert.equal(created.status, 201);
    const viaHeader = await http(api.port, "GET", "/notes", { host: "api.svc.cluster.local", headers: { "x-tenant": "globex" } });
    assert.deepEqual(
      viaHeader.json.notes.map((n: { text: string }) => n.text),
      ["globex's"],
    );
    assert.deepEqual(
      (await fixture.rows("globex", "SELECT text FROM notes")).map((r) => r.text),
      ["globex's"],
    );
    assert.ok(!(await fixture.rows("acme", "SELECT text FROM notes")).some((r) => r.text === "globex's"));
    const unknown = await http(api.port, "GET", "/notes", { host: "initech.apps.example.test" });
    assert.equal(unknown.status, 404);
    assert.equal(
      unknown.json.error.message,
      'no tenant is served at host "initech.apps.example.test": use a tenant\'s host or name it in X-Tenant',
    );
    const unknownHeader = await http(api.port, "GET", "/notes", { host: "api", headers: { "x-tenant": "initech" } });
    assert.deepEqual([unknownHeader.status, unknownHeader.json.error.message], [404, 'no tenant "initech" is served here (X-Tenant)']);
  });

  it("counts per tenant in Redis under the tenant's prefix (globex through its ACL user)", async () => {
    for (let i = 1; i <= 3; i++) assert.equal((await http(api.port, "POST", "/counter", acme)).json.value, i);
    assert.equal((await http(api.port, "POST", "/counter", globex)).json.value, 1);
    assert.equal((await http(api.port, "GET", "/counter", acme)).json.value, 3);
    assert.deepEqual(await fixture.redis.with((c) => c.mget("acme:counter", "globex:counter")), ["3", "1"]);
  });

  it("enqueues a job on the tenant's list, once per idempotency key", async () => {
    const queued = await http(api.port, "POST", "/jobs", {
      ...globex,
      headers: { "idempotency-key": "job-1" },
      json: { text: "one two three" },
    });
    assert.deepEqual([queued.status, queued.json.job], [202, { id: "job-1", enqueued: true }]);
    const repeat = await http(api.port, "POST", "/jobs", {
      ...globex,
      headers: { "idempotency-key": "job-1" },
      json: { text: "one two three" },
    });
    assert.deepEqual([repeat.status, repeat.json.job], [200, { id: "job-1", enqueued: false }]);
    const entries = await fixture.redis.with((c) => c.lrange("globex:jobs", 0, -1));
    assert.equal(entries.length, 1);
    assert.deepEqual({ ...JSON.parse(entries[0]), enqueuedAt: "-" }, { id: "job-1", text: "one two three", enqueuedAt: "-" });
    assert.equal((await http(api.port, "GET", "/jobs/job-1", globex)).status, 404);
    await fixture.redis.with((c) => c.del("globex:jobs"));
  });

  it("refuses bad input with its status and a message naming the problem", async () => {
    const post = (body: string | Buffer, headers: Record<string, string> = { "content-type": "application/json" }) =>
      http(api.port, "POST", "/notes", { ...acme, headers, body });
    const cases: [Promise<{ status: number; json: any }>, number, string][] = [
      [post("{"), 400, "the request body is not valid JSON: "],
      [post(""), 400, "the request body is empty: send a JSON object"],
      [
        post('{"text":"a"}', { "content-type": "text/plain" }),
        415,
        'the request body must be JSON, with Content-Type: application/json (got "text/plain")',
      ],
      [post(JSON.stringify({ text: "x".repeat(70_000) })), 413, "the request body must be at most 65536 bytes"],
      [
        post(JSON.stringify({ text: "x".repeat(70_000) }), { "content-type": "application/json", "transfer-encoding": "chunked" }),
        413,
        "the request body must be at most 65536 bytes",
      ],
      [post("[1]"), 400, "the request body must be a JSON object (got an array)"],
      [post('{"text":"a","color":"red"}'), 400, 'unknown field "color": allowed fields are "text"'],
      [post("{}"), 400, "`text` must be a string of 1 to 10000 characters (got nothing)"],
      [post('{"text":""}'), 400, "`text` must be a string of 1 to 10000 characters (got 0 characters)"],
      [post(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d])), 400, "the request body is not valid UTF-8"],
      [
        http(api.port, "POST", "/notes", { ...acme, headers: { "idempotency-key": "a b" }, json: { text: "a" } }),
        400,
        'the Idempotency-Key header must be 1 to 200 visible ASCII characters (got "a b")',
      ],
      [http(api.port, "GET", "/notes/abc", acme), 400, '`id` must be an integer between 1 and 9007199254740991 (got "abc")'],
      [http(api.port, "GET", "/notes?limit=5000", acme), 400, 'query parameter `limit` must be an integer between 1 and 1000 (got "5000")'],
      [http(api.port, "DELETE", "/notes", acme), 405, "DELETE is not allowed on /notes; allowed: POST, GET"],
      [http(api.port, "GET", "/nothing", acme), 404, 'no such path: "/nothing"'],
    ];
    for (const [reply, status, message] of cases) {
      const { status: got, json } = await reply;
      assert.equal(got, status, message);
      assert.ok(json.error.message.startsWith(message), `${json.error.message} should start with ${message}`);
    }
    assert.equal((await http(api.port, "DELETE", "/notes", acme)).headers.allow, "POST, GET");
    assert.equal((await fixture.rows("acme", "SELECT count(*)::int AS n FROM notes WHERE text IN ('a', '')"))[0].n, 0);
  });

  it("while a tenant is read-only, refuses its writes with 503 and Retry-After, serves its reads and the other tenants", async () => {
    const before = (await fixture.rows("acme", "SELECT count(*)::int AS n FROM notes"))[0].n;
    fixture.setReadOnly("acme", true);
    // A write the app would refuse as bad JSON while writable: the flag is checked first.
    const probe = () => http(api.port, "POST", "/notes", { ...acme, headers: { "content-type": "application/json" }, body: "{" });
    await eventually("acme read-only", async () => (await probe()).status === 503);
    for (const [method, pathname, json] of [
      ["POST", "/notes", { text: "refused" }],
      ["POST", "/counter", undefined],
      ["POST", "/jobs", { text: "refused" }],
    ] as const) {
      const reply = await http(api.port, method, pathname, { ...acme, ...(json ? { json } : {}) });
      assert.equal(reply.status, 503, pathname);
      assert.equal(reply.headers["retry-after"], "5");
      assert.deepEqual(reply.json.error, {
        code: "read_only",
        message: "tenant acme is read-only during maintenance: its writes are refused; retry later",
      });
    }
    assert.equal((await http(api.port, "GET", "/notes", acme)).status, 200);
    assert.equal((await http(api.port, "GET", "/counter", acme)).json.value, 3);
    assert.equal((await http(api.port, "POST", "/notes", { ...globex, json: { text: "still writable" } })).status, 201);
    assert.match((await http(api.port, "GET", "/metrics")).text, /^app_tenant_read_only\{tenant="acme"\} 1$/m);
    assert.equal((await fixture.rows("acme", "SELECT count(*)::int AS n FROM notes"))[0].n, before);
    assert.equal(await fixture.redis.with((c) => c.llen("acme:jobs")), 0);

    fixture.setReadOnly("acme", false);
    await eventually("acme writable", async () => (await probe()).status === 400);
    assert.equal((await http(api.port, "POST", "/notes", { ...acme, json: { text: "after" } })).status, 201);
    assert.match((await http(api.port, "GET", "/metrics")).text, /^app_tenant_read_only\{tenant="acme"\} 0$/m);
  });

  it("answers a migration's Redis fence (its ACL user without write commands) as read-only before any flag, and writes again once it is lifted", async () => {
    const before = (await http(api.port, "GET", "/counter", globex)).json.value as number;
    const rules = () => fixture.redis.with(async (c) => ((await c.call("ACL", "GETUSER", "tenant-globex")) as unknown[])[5]);
    const own = await rules();
    assert.equal(await fixture.redis.with((c) => fenceTenantUser(c, "globex")), true);
    assert.equal(await fixture.redis.with((c) => fenceTenantUser(c, "globex")), true, "fencing twice is one fence");
    assert.equal(await fixture.redis.with((c) => c.get(fenceKey("globex"))), own, "its rules kept for the unfence");
    assert.notEqual(await rules(), own);
    // Its open connections are fenced at once; the maintenance flag was never set.
    const refused = await http(api.port, "POST", "/counter", globex);
    assert.deepEqual([refused.status, refused.json.error.code, refused.headers["retry-after"]], [503, "read_only", "5"]);
    assert.equal((await http(api.port, "POST", "/jobs", { ...globex, json: { text: "fenced" } })).status, 503);
    assert.equal((await http(api.port, "GET", "/counter", globex)).json.value, before, "reads are served");
    assert.equal((await http(api.port, "POST", "/counter", acme)).status, 200, "another tenant writes");
    // A tenant on the default user has none to fence.
    assert.equal(await fixture.redis.with((c) => fenceTenantUser(c, "acme")), false);

    await fixture.redis.with((c) => unfenceTenantUser(c, "globex"));
    assert.equal(await rules(), own, "its own rules back, no more");
    assert.equal(await fixture.redis.with((c) => c.exists(fenceKey("globex"))), 0);
    assert.equal((await http(api.port, "POST", "/counter", globex)).json.value, before + 1);
  });

  it("runs idempotent work once more when the server ends its session under it (a migration's fence does), other work never", async () => {
    const registry = new TenantRegistry(["acme"], fixture.tenantsDir, 100, appLogger("api"));
    await registry.start();
    const databases = new Databases(registry, { poolMax: 2, timeoutMs: 5000, retryAfterSeconds: 5 }, appLogger("api"));
    // Ends the session of the client in hand, as fenceDatabase ends the app's sessions.
    const endSession = async (client: PoolClient) => {
      const pid = (await client.query("SELECT pg_backend_pid() AS pid")).rows[0].pid;
      await fixture.postgres.query("postgres", `SELECT pg_terminate_backend(${Number(pid)})`);
    };
    try {
      let runs = 0;
      const read = await databases.run("acme", { schema: false, idempotent: true }, async (client) => {
        if (++runs === 1) await endSession(client);
        return (await client.query("SELECT count(*)::int AS n FROM notes")).rows[0].n;
      });
      assert.equal(runs, 2);
      assert.equal(read, (await fixture.rows("acme", "SELECT count(*)::int AS n FROM notes"))[0].n);
      runs = 0;
      await assert.rejects(
        databases.run("acme", { schema: true }, async (client) => {
          runs++;
          await endSession(client);
          return client.query("INSERT INTO notes (text) VALUES ('never twice')");
        }),
        (error: { code?: string }) => connectionEnded(error),
      );
      assert.equal(runs, 1, "work that is not idempotent runs once");
      assert.equal((await fixture.rows("acme", "SELECT count(*)::int AS n FROM notes WHERE text = 'never twice'"))[0].n, 0);
    } finally {
      await databases.close();
      registry.stop();
    }
  });

  it("moves to a changed database URL: new requests on a new pool, the request in flight finishes on the old one", async () => {
    const tenant = fixture.tenants.get("acme")!;
    await fixture.postgres.query("postgres", `CREATE DATABASE tenant_acme_moved OWNER ${tenant.database}`);
    const movedUrl = tenant.databaseUrl.replace(/\/tenant_acme$/, "/tenant_acme_moved");
    // A request in flight on the old database: its insert waits for this uncommitted one of the same key.
    const locker = new Client({ connectionString: tenant.databaseUrl });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("INSERT INTO notes (text, idempotency_key) VALUES ('in flight', 'held')");
      const inFlight = http(api.port, "POST", "/notes", { ...acme, headers: { "idempotency-key": "held" }, json: { text: "in flight" } });
      await eventually("the insert waits for the other transaction", async () => {
        const rows = await fixture.rows("acme", "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'");
        return rows[0].n === 1;
      });
      fixture.writeTenantFiles(tenant, { databaseUrl: movedUrl });
      // The moved database has no notes yet: a read served from it is empty.
      await eventually(
        "reads served from the moved database",
        async () => (await http(api.port, "GET", "/notes", acme)).json.notes.length === 0,
      );
      const moved = await http(api.port, "POST", "/notes", { ...acme, json: { text: "moved" } });
      assert.equal(moved.status, 201);
      assert.equal(moved.json.note.id, 1, "the moved database's own sequence");
      await locker.query("ROLLBACK");
      const done = await inFlight;
      assert.deepEqual([done.status, done.json.note.text], [201, "in flight"]);
    } finally {
      await locker.end();
    }
    const texts = async (database: string) =>
      (await fixture.postgres.query(database, "SELECT text FROM notes WHERE text IN ('in flight', 'moved') ORDER BY id")).map(
        (r) => r.text,
      );
    assert.deepEqual(await texts("tenant_acme"), ["in flight"]);
    assert.deepEqual(await texts("tenant_acme_moved"), ["moved"]);
    await eventually("the old pool's connections are closed", async () => {
      const rows = await fixture.postgres.query(
        "postgres",
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'tenant_acme' AND application_name = 'tenantstack-app'",
      );
      return rows[0].n === 0;
    });
    fixture.writeTenantFiles(tenant);
    await eventually("back on tenant_acme", async () =>
      (await http(api.port, "GET", "/notes?limit=1000", acme)).json.notes.some((n: { text: string }) => n.text === "in flight"),
    );
  });

  it("is not ready while a tenant's database or Redis is unreachable, and ready again once they are back", async () => {
    assert.deepEqual((await http(api.port, "GET", "/readyz")).json, { status: "ready" });
    const globexTenant = fixture.tenants.get("globex")!;
    fixture.writeTenantFiles(globexTenant, { databaseUrl: globexTenant.databaseUrl.replace(/:\d+\//, ":1/") });
    const notReady = await eventually("not ready", async () => {
      const reply = await http(api.port, "GET", "/readyz");
      return reply.status === 503 && reply;
    });
    assert.deepEqual(notReady.json, { status: "not ready", problems: ["globex: postgres: ECONNREFUSED"] });
    const write = await http(api.port, "POST", "/notes", { ...globex, json: { text: "unreachable" } });
    assert.deepEqual([write.status, write.headers["retry-after"], write.json.error.code], [503, "5", "unavailable"]);
    assert.equal((await http(api.port, "GET", "/healthz")).status, 200);
    fixture.writeTenantFiles(globexTenant);
    await eventually("ready", async () => (await http(api.port, "GET", "/readyz")).status === 200);

    fixture.writeTenantFiles(globexTenant, { redisUrl: globexTenant.redisUrl!.replace(/:\d+\//, ":1/") });
    const redisDown = await eventually("not ready", async () => {
      const reply = await http(api.port, "GET", "/readyz");
      return reply.status === 503 && reply;
    });
    assert.deepEqual(redisDown.json.problems.length, 1);
    assert.match(redisDown.json.problems[0], /^globex: redis: /);
    const count = await http(api.port, "POST", "/counter", globex);
    assert.deepEqual([count.status, count.json.error.code], [503, "unavailable"]);
    fixture.writeTenantFiles(globexTenant);
    await eventually("ready", async () => (await http(api.port, "GET", "/readyz")).status === 200);
    assert.equal((await http(api.port, "POST", "/counter", globex)).status, 200);
  });

  it("counts requests by tenant and status in /metrics", async () => {
    const counted = (text: string, tenant: string, status: number) =>
      Number(new RegExp(`^app_http_requests_total\\{tenant="${tenant}",status="${status}"\\} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
    const before = (await http(api.port, "GET", "/metrics")).text;
    await http(api.port, "GET", "/counter", globex);
    await http(api.port, "GET", "/counter", globex);
    await http(api.port, "GET", "/notes/0", globex);
    await http(api.port, "GET", "/notes", { host: "nobody.example.test" });
    await http(api.port, "GET", "/readyz");
    const metrics = await http(api.port, "GET", "/metrics");
    assert.equal(metrics.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    assert.equal(counted(metrics.text, "globex", 200) - counted(before, "globex", 200), 2);
    assert.equal(counted(metrics.text, "globex", 400) - counted(before, "globex", 400), 1);
    assert.equal(counted(metrics.text, "", 404) - counted(before, "", 404), 1);
    assert.match(metrics.text, /^app_info\{version="test",role="api"\} 1$/m);
    assert.equal(counted(metrics.text, "", 200), counted(before, "", 200), "health endpoints are not counted");
  });
});
