/**
 * The registry, journal and lease contract, run against every database: SQLite here (unit), a real
 * PostgreSQL server in the e2e suite.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import { createTables, type SqlDatabase } from "../../../automation/db/sqlDatabase";
import { InputError, OperationLockedError, StackLockedError, TenantExistsError, TenantNotFoundError } from "../../../automation/errors";
import { EVENTS_KEPT, OperationJournal } from "../../../automation/journal/journal";
import { LeaseKeeper, OperationLeases, StackLeases } from "../../../automation/journal/leases";
import { runOperationStep, runStep } from "../../../automation/journal/runStep";
import { OperationStepJournal } from "../../../automation/journal/stepJournals";
import { TenantRegistry } from "../../../automation/registry/registry";
import { dedicatedTenant, tenantSettings } from "./fixtures";
import { stepJournalContract } from "./journal/stepJournalSuite";

async function rejectsWith(promise: Promise<unknown>, type: new (...args: any[]) => Error, message?: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    if (message !== undefined) assert.equal((error as Error).message, message);
    return true;
  });
}

/** Defines the contract tests; `open` gives a fresh, empty database for each test. */
export function databaseContract(open: () => Promise<SqlDatabase>): void {
  let db: SqlDatabase;
  beforeEach(async () => {
    db = await open();
  });
  afterEach(async () => {
    await db.close();
  });

  describe("tenant registry", () => {
    const dedicated = dedicatedTenant;

    it("creates, lists, shows and deletes tenants; rows read back equal what was written", async () => {
      const registry = new TenantRegistry(db);
      await registry.create(dedicated("acme"));
      await registry.create({ ...dedicated("globex"), plan: "shared", region: "eu-west-1", cluster: "eu-1" });
      await registry.create({
        name: "initech",
        host: "initech.example.com",
        plan: "shared",
        version: "1.0.0",
        region: "eu-west-1",
        cluster: "eu-1",
      });
      assert.deepEqual(
        (await registry.list()).map((t) => [t.name, t.plan, t.region, t.cluster]),
        [
          ["acme", "dedicated", "local", "local"],
          ["globex", "shared", "eu-west-1", "eu-1"],
          ["initech", "shared", "eu-west-1", "eu-1"],
        ],
      );
      assert.deepEqual((await registry.show("initech")).settings, tenantSettings(), "a shared tenant given no settings takes its stack's");
      const [row] = await db.all("SELECT settings FROM tenants WHERE name = ?", ["acme"]);
      assert.deepEqual(JSON.parse(row.settings as string), tenantSettings());
      assert.deepEqual(
        (await registry.stacks()).map((s) => [s.name, s.tenants]),
        [
          ["dev-acme", ["acme"]],
          ["dev-shared.eu-1", ["globex", "initech"]],
        ],
      );
      await registry.delete("acme");
      await rejectsWith(
        registry.show("acme"),
        TenantNotFoundError,
        'Tenant "acme" is not registered; list tenants with `GET /tenants` (the library\'s `driver.registry.list()`).',
      );
    });

    it("updates a tenant by a JSON merge patch, checked as a new tenant is; a refused patch stores nothing", async () => {
      const registry = new TenantRegistry(db);
      await registry.create(dedicated("acme"));
      await registry.create(dedicated("globex"));
      const change = await registry.update("acme", {
        host: "acme.example.org",
        version: "1.1.0",
        settings: { api: { replicas: 3, args: null } },
      });
      assert.deepEqual(change.changed, ["host", "settings.api.args", "settings.api.replicas", "version"]);
      const stored = await registry.show("acme");
      assert.deepEqual(stored, change.after);
      assert.deepEqual([stored.host, stored.version, stored.createdAt], ["acme.example.org", "1.1.0", change.before.createdAt]);
      const api = { ...tenantSettings().api, replicas: 3 };
      delete api.args;
      assert.deepEqual(stored.settings.api, api, "a map is merged key by key, null removes a key");
      assert.deepEqual(stored.settings.worker, tenantSettings().worker, "what the patch does not name is kept");
      await rejectsWith(
        registry.update("acme", { host: "globex.example.com" }),
        InputError,
        'Invalid tenant (1 problem):\n  - `host` must be unique: tenant "globex" has it (got "globex.example.com")',
      );
      await rejectsWith(
        registry.update("acme", { settings: { api: { replicas: 0 } } }),
        InputError,
        'Invalid settings of stack "dev-acme" (1 problem):\n  - `settings.api.replicas` must be an integer between 1 and 100 (got 0)',
      );
      await rejectsWith(
        registry.update("acme", { plan: "shared" } as never),
        InputError,
        'Invalid tenant patch (1 problem):\n  - `plan` cannot be changed by an update: move the tenant to the other plan with `migrate` (`to`) (got "shared")',
      );
      await rejectsWith(registry.update("nobody", {}), TenantNotFoundError);
      assert.deepEqual(await registry.show("acme"), stored, "nothing of a refused update is stored");
    });

    it("refuses duplicates, unknown tenants and settings the program's schema refuses, storing nothing", async () => {
      const registry = new TenantRegistry(db);
      await registry.create(dedicated("acme"));
      await rejectsWith(registry.create(dedicated("acme")), TenantExistsError);
      await rejectsWith(registry.create({ ...dedicated("acme2"), host: "acme.example.com" }), InputError);
      await rejectsWith(registry.delete("nobody"), TenantNotFoundError);
      await rejectsWith(registry.stacks(["acme", "nobody"]), TenantNotFoundError);
      const bad = dedicated("bad");
      bad.settings.api.replicas = 0;
      await rejectsWith(
        registry.create(bad),
        InputError,
        'Invalid settings of stack "dev-bad" (1 problem):\n  - `settings.api.replicas` must be an integer between 1 and 100 (got 0)',
      );
      await rejectsWith(
        registry
          .create({ ...dedicated("other"), plan: "shared" })
          .then(() => registry.create({ ...dedicated("late"), plan: "shared", version: "2.0.0" })),
        InputError,
        'Invalid tenant (1 problem):\n  - `version` must be "1.0.0", that of the shared stack of dev on local it joins (got "2.0.0")',
      );
      await rejectsWith(
        new TenantRegistry(db, ["local", "eu-1"]).create({ ...dedicated("far"), cluster: "mars" }),
        InputError,
        'Invalid tenant (1 problem):\n  - `cluster` must be one of the driver\'s clusters ["local","eu-1"] (got "mars")',
      );
      assert.deepEqual(
        (await registry.list()).map((t) => t.name),
        ["acme", "other"],
      );
    });

    it("records a stack's new version for all its tenants", async () => {
      const registry = new TenantRegistry(db);
      await registry.create({ ...dedicated("globex"), plan: "shared" });
      await registry.create({ name: "initech", host: "initech.example.com", plan: "shared", version: "1.0.0" });
      const [shared] = await registry.stacks();
      await registry.setVersion(shared, "1.1.0");
      assert.deepEqual(
        (await db.all("SELECT name, version FROM tenants ORDER BY name")).map((r) => [r.name, r.version]),
        [
          ["globex", "1.1.0"],
          ["initech", "1.1.0"],
        ],
      );
      await rejectsWith(registry.setVersion(shared, "bad version"), InputError);
    });
  });

  describe("operation journal", () => {
    it("resumes an operation id without its finished steps", async () => {
      const journal = new OperationJournal(db);
      assert.equal((await journal.begin("op-1", "fleet-upgrade", { version: "2" })).resumed, false);
      await runOperationStep(journal, "op-1", "dev-a:up", async () => ({ changes: 3 }));
      // dev-b:up started by a driver killed before it finished.
      await journal.recordStep("op-1", "dev-b:up", "running", undefined, 1);
      const again = await journal.begin("op-1", "fleet-upgrade", { version: "2" });
      assert.equal(again.resumed, true);
      assert.deepEqual(
        (await journal.steps("op-1")).map((s) => [s.step, s.status, s.attempts, s.detail]),
        [
          ["dev-a:up", "done", 1, { changes: 3 }],
          ["dev-b:up", "running", 1, undefined],
        ],
      );
      assert.deepEqual(await runOperationStep(journal, "op-1", "dev-a:up", async () => assert.fail("a done step runs again")), {
        ran: false,
        result: { changes: 3 },
      });
      const seen: unknown[] = [];
      await runOperationStep(journal, "op-1", "dev-b:up", async (record, attempt) => {
        seen.push(record?.status, attempt);
        return { changes: 1 };
      });
      assert.deepEqual(seen, ["running", 2], "the interrupted attempt counts: this one is the second");
      assert.deepEqual(await journal.step("op-1", "dev-b:up").then((s) => [s?.status, s?.attempts, s?.detail]), [
        "done",
        2,
        { changes: 1 },
      ]);
      await journal.finish("op-1", "succeeded", { stacks: 2 });
      assert.deepEqual(await journal.get("op-1").then((o) => [o?.status, o?.result]), ["succeeded", { stacks: 2 }]);
    });

    it("counts the attempts a caller numbers, a start after a killed running one included", async () => {
      const journal = new OperationJournal(db);
      await journal.begin("op-3", "migrate", {});
      await journal.recordStep("op-3", "migrate:copyPostgres", "running", { attempt: 1 }, 1);
      await journal.recordStep("op-3", "migrate:copyPostgres", "running", { attempt: 1, saved: true }, 1);
      assert.equal((await journal.step("op-3", "migrate:copyPostgres"))?.attempts, 1, "a save within the attempt is no new start");
      // Killed while running; the re-run numbers its attempt 2, then 3 after a failure.
      await journal.recordStep("op-3", "migrate:copyPostgres", "running", { attempt: 2 }, 2);
      await journal.recordStep("op-3", "migrate:copyPostgres", "failed", { attempt: 2 }, 2);
      await journal.recordStep("op-3", "migrate:copyPostgres", "running", { attempt: 3 }, 3);
      await journal.recordStep("op-3", "migrate:copyPostgres", "done", { attempt: 3 }, 3);
      assert.deepEqual(
        (await journal.steps("op-3")).map((s) => [s.step, s.status, s.attempts, s.detail]),
        [["migrate:copyPostgres", "done", 3, { attempt: 3 }]],
      );
    });

    it("records a cancel request of a running operation only, and forgets it when the operation runs again", async () => {
      const journal = new OperationJournal(db);
      await journal.begin("op-c", "up", {});
      await journal.begin("op-d", "up", {});
      assert.deepEqual(await journal.cancelRequested(["op-c", "op-d"]), []);
      assert.equal(await journal.requestCancel("op-c"), true);
      assert.equal(await journal.requestCancel("nope"), false);
      assert.deepEqual(await journal.cancelRequested(["op-c", "op-d", "nope"]), ["op-c"]);
      await journal.finish("op-c", "cancelled", {});
      assert.equal(await journal.requestCancel("op-c"), false, "a finished operation is not cancelled");
      assert.deepEqual(await journal.cancelRequested(["op-c"]), []);
      await journal.begin("op-c", "up", {});
      assert.deepEqual(await journal.cancelRequested(["op-c"]), [], "the resumed run is not the cancelled one");
    });

    it(`keeps the latest ${EVENTS_KEPT} progress events of each operation, in order`, async () => {
      const journal = new OperationJournal(db);
      await journal.begin("op-e", "up", {});
      await journal.appendEvent("op-f", { n: "other" });
      for (let n = 1; n <= EVENTS_KEPT + 5; n++) await journal.appendEvent("op-e", { n });
      const events = (await journal.events("op-e")) as { n: number }[];
      assert.equal(events.length, EVENTS_KEPT);
      assert.deepEqual([events[0].n, events[EVENTS_KEPT - 1].n], [6, EVENTS_KEPT + 5]);
      assert.deepEqual(await journal.events("op-f"), [{ n: "other" }]);
      assert.deepEqual(await journal.events("op-none"), []);
    });

    it("refuses to resume an id with other parameters", async () => {
      const journal = new OperationJournal(db);
      await journal.begin("op-2", "fleet-upgrade", { version: "2" });
      await rejectsWith(journal.begin("op-2", "fleet-upgrade", { version: "3" }), InputError);
    });
  });

  describe("an operation's steps as a step journal", () => {
    const closed = (step: string) => new Error(`${step} was rolled back`);
    stepJournalContract(async () => new OperationStepJournal(new OperationJournal(db), "op-steps", "migrate:"));

    it("keeps them as the operation's steps, under their prefixed names", async () => {
      const journal = new OperationJournal(db);
      await journal.begin("op-4", "migrate", {});
      const steps = new OperationStepJournal(journal, "op-4", "migrate:");
      await runStep(steps, "drain", async (_previous, save) => save({ replicas: 2 }).then(() => ({ replicas: 2 })), closed);
      assert.deepEqual(
        (await journal.steps("op-4")).map((s) => [s.step, s.status, s.attempts, s.detail]),
        [["migrate:drain", "done", 1, { checkpoint: { replicas: 2 } }]],
      );
      assert.equal((await steps.get("drain"))?.step, "drain");
    });

    it("reads the steps a migration journaled before the one step model, and resumes them", async () => {
      const journal = new OperationJournal(db);
      await journal.begin("op-5", "migrate", {});
      // As the migration's OperationStepJournal wrote them: its whole record as the detail, `rolledBack` as `skipped`.
      await journal.recordStep(
        "op-5",
        "migrate:copyPostgres",
        "failed",
        {
          status: "failed",
          attempt: 2,
          checkpoint: { dump: "tenant_acme.attempt-2.77.dump" },
          error: "connection refused",
          updatedAt: "2026-11-30T10:01:00.000Z",
        },
        2,
      );
      await journal.recordStep(
        "op-5",
        "migrate:drain",
        "skipped",
        { status: "rolledBack", attempt: 1, checkpoint: { replicas: 2 }, updatedAt: "2026-11-30T10:00:00.000Z" },
        1,
      );
      const steps = new OperationStepJournal(journal, "op-5", "migrate:");
      await assert.rejects(
        runStep(steps, "drain", async () => ({}), closed),
        /drain was rolled back/,
      );
      assert.deepEqual(await runStep(steps, "copyPostgres", async (previous, _save, attempt) => ({ ...previous, attempt }), closed), {
        dump: "tenant_acme.attempt-2.77.dump",
        attempt: 3,
      });
      assert.deepEqual(
        (await journal.steps("op-5")).map((s) => [s.step, s.status, s.attempts, s.detail]),
        [
          ["migrate:copyPostgres", "done", 3, { checkpoint: { dump: "tenant_acme.attempt-2.77.dump", attempt: 3 } }],
          [
            "migrate:drain",
            "skipped",
            1,
            { status: "rolledBack", attempt: 1, checkpoint: { replicas: 2 }, updatedAt: "2026-11-30T10:00:00.000Z" },
          ],
        ],
      );
    });
  });

  describe("stack leases", () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    /** A pid of this host that no process has any more. */
    const deadPid = () =>
      Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);
    /** The database's own time, in milliseconds since the epoch. */
    const dbNow = async () => Number((await db.all(`SELECT ${db.nowMs} AS now_ms`))[0].now_ms);
    /** A stack's lease row as stored. */
    const row = async (stack: string) => {
      const [found] = await db.all("SELECT holder, identity, host, pid, heartbeat_ms, expires_ms FROM stack_leases WHERE stack = ?", [
        stack,
      ]);
      return {
        holder: found.holder as string,
        identity: found.identity as string | null,
        host: found.host as string,
        pid: Number(found.pid),
        heartbeat_ms: Number(found.heartbeat_ms),
        expires_ms: Number(found.expires_ms),
      };
    };
    /** A driver's heartbeat that never beats: a process frozen or killed, its leases left to expire. */
    const frozen = (identity: string, leaseTtlSeconds: number) => {
      const keeper = new LeaseKeeper(db, { identity, leaseTtlSeconds, heartbeatSeconds: 3600 });
      keeper.renew = async () => undefined;
      return keeper;
    };
    const keepers: LeaseKeeper[] = [];
    const keeper = (identity: string, leaseTtlSeconds = 1, heartbeatSeconds = 0.2) => {
      const made = new LeaseKeeper(db, { identity, leaseTtlSeconds, heartbeatSeconds });
      keepers.push(made);
      return made;
    };
    afterEach(async () => {
      for (const made of keepers.splice(0)) await made.close();
    });

    it("refuses a takeover while the holder's heartbeats go on, past its time to live, and renews its row", async () => {
      // Beats every 0.2 s for a lease of 2 s: a busy machine may delay some, not eight in a row.
      const a = new StackLeases(db, keeper("host-a", 2));
      const b = new StackLeases(db, keeper("host-b"));
      assert.equal(await a.acquire("dev-a", "op-1"), undefined);
      const first = await row("dev-a");
      assert.deepEqual([first.holder, first.identity, first.host, first.pid], ["op-1", "host-a", os.hostname(), process.pid]);
      assert.equal(first.expires_ms - first.heartbeat_ms, 2000, "expires a time to live after its heartbeat");
      await sleep(2600);
      await assert.rejects(b.acquire("dev-a", "op-2"), (error: unknown) => {
        assert.ok(error instanceof StackLockedError, String(error));
        assert.match(
          error.holder,
          /^operation op-1 of driver "host-a" \(pid \d+ on .+; last heartbeat [0-9.]+ s ago, its lease expires in [0-9.]+ s without another\)$/,
        );
        return true;
      });
      const later = await row("dev-a");
      assert.ok(later.heartbeat_ms >= first.heartbeat_ms + 2000, `heartbeats renewed it (${first.heartbeat_ms} -> ${later.heartbeat_ms})`);
      assert.equal(later.identity, "host-a");
    });

    it("gives an expired lease to another identity, and tells the silent holder at its next heartbeat that it lost it", async () => {
      const silent = frozen("host-a", 1);
      const a = new StackLeases(db, silent);
      const b = new StackLeases(db, keeper("host-b"));
      const lostBy: string[] = [];
      await a.acquire("dev-a", "op-1", () => lostBy.push("op-1"));
      await assert.rejects(b.acquire("dev-a", "op-2"), StackLockedError);
      await sleep(1200);
      const previous = await b.acquire("dev-a", "op-2");
      assert.deepEqual([previous?.holder, previous?.identity, previous?.pid], ["op-1", "host-a", process.pid]);
      const taken = await row("dev-a");
      assert.deepEqual([taken.holder, taken.identity], ["op-2", "host-b"]);
      // Its heartbeat comes back (a process that was frozen): the lease is gone, and it is told.
      delete (silent as { renew?: unknown }).renew;
      await silent.renew();
      assert.deepEqual(lostBy, ["op-1"]);
      assert.equal(silent.beating, false);
      assert.deepEqual((await row("dev-a")).identity, "host-b", "the lost holder's heartbeat did not renew the new holder's row");
    });

    it("stops the heartbeat once the last lease is given back, and a closing driver gives back what it holds", async () => {
      const k = keeper("host-a");
      const leases = new StackLeases(db, k);
      assert.equal(k.beating, false);
      await leases.acquire("dev-a", "op-1");
      await leases.acquire("dev-b", "op-1");
      assert.equal(k.beating, true);
      await leases.release("dev-a", "op-1");
      assert.deepEqual([k.beating, k.holding], [true, ["stack_leases/dev-b/op-1"]]);
      const beat = (await row("dev-b")).heartbeat_ms;
      await sleep(700);
      assert.ok((await row("dev-b")).heartbeat_ms > beat, "the lease still held is renewed");
      await leases.release("dev-b", "op-1");
      assert.deepEqual([k.beating, k.holding], [false, []]);
      assert.deepEqual(await leases.list(), []);
      await leases.acquire("dev-c", "op-2");
      await k.close();
      assert.deepEqual([k.beating, await leases.list()], [false, []]);
    });

    it("treats two identities on one host as two hosts: a dead pid is probed only under its own identity", async () => {
      const b = new StackLeases(db, keeper("host-b"));
      const dead = deadPid();
      const live = async (stack: string, identity: string | null, pid: number) => {
        const now = await dbNow();
        await db.run(
          "INSERT INTO stack_leases (stack, holder, identity, host, pid, acquired_at, heartbeat_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          [
            stack,
            "op-1",
            identity,
            os.hostname(),
            pid,
            new Date(now).toISOString(),
            identity === null ? null : now,
            identity === null ? null : now + 60_000,
          ],
        );
      };
      // Another identity's dead pid on this host: its lease stands until it expires.
      await live("dev-a", "host-a", dead);
      await assert.rejects(b.acquire("dev-a", "op-2"), StackLockedError);
      // Its own identity's dead pid on this host (a restarted driver): taken over at once.
      await live("dev-b", "host-b", dead);
      assert.equal((await b.acquire("dev-b", "op-2"))?.pid, dead);
      // A lease of an earlier version (no identity, never renewed): as before, by its pid on this host only.
      await live("dev-c", null, dead);
      assert.equal((await b.acquire("dev-c", "op-2"))?.identity, os.hostname());
      await live("dev-d", null, process.ppid);
      await assert.rejects(b.acquire("dev-d", "op-2"), (error: unknown) => {
        assert.ok(error instanceof StackLockedError);
        assert.equal(error.holder, `operation op-1 (pid ${process.ppid} on ${os.hostname()})`);
        return true;
      });
    });

    it("judges expiry by the database's clock alone: a driver's clock running ahead or behind changes nothing", async () => {
      const realNow = Date.now;
      try {
        // The holder's clock an hour behind: its heartbeat is still the database's time.
        Date.now = () => realNow() - 3_600_000;
        await new StackLeases(db, keeper("host-a", 30, 0.2)).acquire("dev-a", "op-1");
        await sleep(300);
        const stored = await row("dev-a");
        assert.ok(Math.abs(stored.heartbeat_ms - (await dbNow())) < 5000, "the heartbeat is the database's time");
        // The taker's clock an hour ahead: the lease has 30 s to live by the database's clock, and stands.
        Date.now = () => realNow() + 3_600_000;
        await assert.rejects(new StackLeases(db, keeper("host-b")).acquire("dev-a", "op-2"), StackLockedError);
      } finally {
        Date.now = realNow;
      }
    });

    it("reads the leases of a database made by an earlier version, once its columns are added", async () => {
      await db.run("DROP TABLE stack_leases");
      await db.run(
        "CREATE TABLE stack_leases (stack TEXT PRIMARY KEY, holder TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, acquired_at TEXT NOT NULL)",
      );
      await db.run("INSERT INTO stack_leases (stack, holder, host, pid, acquired_at) VALUES (?, ?, ?, ?, ?)", [
        "dev-old",
        "op-0",
        "far-host",
        7,
        "2026-11-30T10:00:00.000Z",
      ]);
      await createTables(db);
      await createTables(db);
      const leases = new StackLeases(db, keeper("host-b"));
      assert.deepEqual(await leases.list(), [{ stack: "dev-old", holder: "op-0", identity: "far-host", host: "far-host", pid: 7 }]);
      // Written by a driver that never renews it: it never expires, and its pid is not probed off its host.
      await assert.rejects(leases.acquire("dev-old", "op-1"), StackLockedError);
      await leases.acquire("dev-new", "op-1");
      assert.deepEqual(
        (await leases.list()).map((l) => [l.stack, l.identity, l.expiresAt !== undefined]),
        [
          ["dev-new", "host-b", true],
          ["dev-old", "far-host", false],
        ],
      );
    });

    it("leases an operation to one driver; another resumes it once that lease expired, taking the stack leases of it", async () => {
      const silent = frozen("host-a", 1);
      const a = { operations: new OperationLeases(db, silent), stacks: new StackLeases(db, silent) };
      const k = keeper("host-b");
      const b = { operations: new OperationLeases(db, k), stacks: new StackLeases(db, k) };
      await a.operations.acquire("fleet-1");
      await a.stacks.acquire("dev-a", "fleet-1");
      await assert.rejects(b.operations.acquire("fleet-1"), (error: unknown) => {
        assert.ok(error instanceof OperationLockedError, String(error));
        assert.match(error.message, /^Operation fleet-1 is being run by driver "host-a" \(pid \d+ on /);
        return true;
      });
      // The stack's lease lives longer than the operation's (renewed later): it goes with the operation.
      await db.run("UPDATE stack_leases SET expires_ms = expires_ms + 600000 WHERE stack = ?", ["dev-a"]);
      await sleep(1200);
      await assert.rejects(b.stacks.acquire("dev-a", "fleet-1"), StackLockedError, "not before this driver holds the operation");
      assert.equal((await b.operations.acquire("fleet-1"))?.identity, "host-a");
      assert.equal((await b.stacks.acquire("dev-a", "fleet-1"))?.identity, "host-a");
      // Only the driver holding the operation takes its stack leases so.
      await assert.rejects(new StackLeases(db, keeper("host-c")).acquire("dev-a", "fleet-1"), StackLockedError);
      assert.deepEqual(
        (await b.operations.list()).map((l) => [l.operationId, l.identity]),
        [["fleet-1", "host-b"]],
      );
    });

    it("fences the journal's writes by the operation's lease: none lands once another driver took it over", async () => {
      const silent = frozen("host-a", 1);
      const journalA = new OperationJournal(db, new OperationLeases(db, silent));
      const journalB = new OperationJournal(db, new OperationLeases(db, keeper("host-b")));
      await journalA.begin("op-9", "up", {});
      await journalA.recordStep("op-9", "dev-a:up", "running", undefined, 1);
      await assert.rejects(journalB.begin("op-9", "up", {}), OperationLockedError);
      await sleep(1200);
      assert.equal((await journalB.begin("op-9", "up", {})).resumed, true);
      await runOperationStep(journalB, "op-9", "dev-a:up", async () => ({ by: "host-b" }));
      // A has not beaten since: its write reads the lease in its own transaction and is refused.
      assert.equal(silent.holding.length, 1, "A does not know yet");
      await assert.rejects(journalA.recordStep("op-9", "dev-a:up", "failed", { by: "host-a" }, 1), OperationLockedError);
      assert.deepEqual([silent.holding, silent.beating], [[], false], "now it knows");
      await assert.rejects(journalA.recordStep("op-9", "dev-a:up", "running", {}, 2), OperationLockedError);
      await assert.rejects(
        runOperationStep(journalA, "op-9", "dev-b:up", async () => assert.fail("a step of an operation taken over runs")),
        OperationLockedError,
      );
      await assert.rejects(journalA.finish("op-9", "failed", {}), OperationLockedError);
      assert.equal((await journalB.get("op-9"))?.status, "running");
      assert.deepEqual(
        (await journalB.steps("op-9")).map((s) => [s.step, s.status, s.attempts, s.detail]),
        [["dev-a:up", "done", 2, { by: "host-b" }]],
      );
    });

    it("lets one operation hold a stack and takes over from a dead driver", async () => {
      const leases = new StackLeases(db);
      assert.equal(await leases.acquire("dev-a", "op-1"), undefined);
      await rejectsWith(leases.acquire("dev-a", "op-2"), StackLockedError);
      await leases.release("dev-a", "op-1");
      assert.equal(await leases.acquire("dev-a", "op-2"), undefined);

      const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
      await db.run("UPDATE stack_leases SET pid = ? WHERE stack = ?", [Number(dead.stdout), "dev-a"]);
      const previous = await leases.acquire("dev-a", "op-3");
      assert.equal(previous?.holder, "op-2");
      assert.deepEqual(
        (await leases.list()).map((l) => [l.stack, l.holder, l.pid]),
        [["dev-a", "op-3", process.pid]],
      );
    });
  });
}
