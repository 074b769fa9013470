/**
 * Tenant migrations against real servers: two Postgres clusters and two Redis servers (source and
 * target) started here. The shared source holds acme (moved), globex and acme-corp (untouched);
 * the target holds acme's empty database as the target stack provisions it. Each test judges the
 * result by reading both sides back (snapshot.ts), not through the verify step.
 */
import * as assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { FileJournal, MemoryJournal } from "../../../../automation/journal/stepJournals";
import { progressOf, type StepJournal } from "../../../../automation/journal/steps";
import {
  Migration,
  planMigration,
  type StepName,
  TargetConflictError,
  VerificationError,
  MigrationStateError,
  CommandError,
} from "../../../../automation/migration/data";
import { markedProcesses, processIdentity } from "../../../../automation/processes/marks";
import { FakeDrain, FakeStacks, Recorder } from "./fakes";
import { ACME_KEYS, ACME_ROWS, provisionTenant, seedSource } from "./seed";
import { PostgresServer, query, RedisServer, sourceTableLocked, useDataServerBinaries } from "./servers";
import { databaseSnapshot, keySnapshot, sameKeys } from "./snapshot";

const REPO = path.join(__dirname, "../../../..");

describe("tenant migration with real Postgres and Redis", function () {
  let sourcePg: PostgresServer;
  let targetPg: PostgresServer;
  let sourceRedis: RedisServer;
  let targetRedis: RedisServer;
  let seeded: {
    acme: unknown;
    globex: unknown;
    acmeKeys: Awaited<ReturnType<typeof keySnapshot>>;
    otherKeys: Awaited<ReturnType<typeof keySnapshot>>[];
  };
  const workDir = mkdtempSync(path.join(tmpdir(), "tenantstack-migrate-test-"));

  const settings = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    tenant: "acme",
    source: { postgresUrl: sourcePg.url, redisUrl: sourceRedis.url },
    target: { postgresUrl: targetPg.url, redisUrl: targetRedis.url },
    workDir: path.join(workDir, id),
    ...extra,
  });

  function migration(
    id: string,
    options: { journal?: StepJournal<StepName>; recorder?: Recorder; extra?: Record<string, unknown>; log?: string[] } = {},
  ) {
    const recorder = options.recorder ?? new Recorder();
    const journal = options.journal ?? new MemoryJournal<StepName>();
    const log = options.log ?? [];
    const m = new Migration({
      settings: settings(id, options.extra),
      journal,
      drain: new FakeDrain(recorder),
      stacks: new FakeStacks(recorder),
      log: (line) => log.push(line),
    });
    return { migration: m, recorder, journal, log };
  }

  /** The source is as seeded, and the target holds exactly acme's data and nothing of the other tenants. */
  async function assertMigrated(): Promise<void> {
    assert.deepEqual(await databaseSnapshot(sourcePg, "tenant_acme"), seeded.acme, "source acme changed");
    assert.deepEqual(await databaseSnapshot(sourcePg, "tenant_globex"), seeded.globex, "source globex changed");
    assert.deepEqual(await databaseSnapshot(targetPg, "tenant_acme"), seeded.acme, "target acme differs from the source");
    assert.equal(await databaseSnapshot(targetPg, "tenant_globex"), undefined);
    assert.deepEqual(await targetPg.query("postgres", "SELECT datname FROM pg_database WHERE datname LIKE '%MIGRATING'"), []);
    const targetKeys = await keySnapshot(targetRedis, "acme:");
    assert.equal(targetKeys.size, ACME_KEYS);
    const sourceKeys = await keySnapshot(sourceRedis, "acme:");
    assert.deepEqual(sameKeys(sourceKeys, targetKeys), []);
    assert.deepEqual(sameKeys(seeded.acmeKeys, sourceKeys), [], "source acme keys changed");
    for (const [index, prefix] of ["globex:", "acme-corp:"].entries()) {
      assert.equal((await keySnapshot(targetRedis, prefix)).size, 0, `${prefix} keys copied`);
      assert.deepEqual(sameKeys(seeded.otherKeys[index], await keySnapshot(sourceRedis, prefix)), [], `source ${prefix} keys changed`);
    }
  }

  /** Calls `probe` every 5 ms until it resolves a value; resolves the value, or fails after 60 s. */
  async function polled<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`not seen in 60 s: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Polls `query` on `server` until it returns a row; resolves the row. */
  const waitForRow = (server: PostgresServer, query: string, params: unknown[]): Promise<any> =>
    polled(`a row for ${query}`, async () => (await server.query("postgres", query, params))[0]);

  /**
   * Stops the target Redis from taking writes (CLIENT PAUSE WRITE; reads go on) while `during` runs: a
   * copy caught mid-way stays mid-way, however fast the machine.
   */
  async function targetWritesPaused<T>(during: () => Promise<T>): Promise<T> {
    await targetRedis.with((client) => client.call("CLIENT", "PAUSE", "600000", "WRITE"));
    try {
      return await during();
    } finally {
      await targetRedis.with((client) => client.call("CLIENT", "UNPAUSE"));
    }
  }

  const COPY_IN_PROGRESS = "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND query ILIKE 'COPY%'";

  /** Runs `run.ts <step>` in its own process group, as the Job does. */
  function runStepProcess(id: string, step: string, env: Record<string, string>): ChildProcess {
    return spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "automation/migration/data/run.ts", step], {
      cwd: REPO,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        MIGRATION_ID: id,
        MIGRATION_TENANT: "acme",
        SOURCE_POSTGRES_URL: sourcePg.url,
        SOURCE_REDIS_URL: sourceRedis.url,
        TARGET_POSTGRES_URL: targetPg.url,
        TARGET_REDIS_URL: targetRedis.url,
        MIGRATION_WORK_DIR: path.join(workDir, id),
        ...env,
      },
    });
  }

  async function killGroup(child: ChildProcess): Promise<void> {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(-child.pid!, "SIGKILL");
    await exited;
  }

  /** SIGKILLs the process alone (its pg_dump lives on, as when a driver is killed). */
  async function killAlone(child: ChildProcess): Promise<void> {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(child.pid!, "SIGKILL");
    await exited;
  }

  /** The processes of migration `id`'s copy attempts, by the process table (their marks). */
  const copyProcesses = (id: string) => markedProcesses().filter((p) => p.task.startsWith(`migrate:${id}:copyPostgres:`));

  /** The pid of the watchdog of the process of identity `owner`, from the process table. */
  function watchdogOf(owner: string): number | undefined {
    for (const entry of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
      try {
        const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
        if (argv[3] === "tenantstack-watchdog" && argv[4] === owner) return Number(entry);
      } catch {
        // gone
      }
    }
    return undefined;
  }

  const DUMP_WAITING = "SELECT pid FROM pg_stat_activity WHERE application_name = 'pg_dump' AND wait_event_type = 'Lock'";

  before(async function () {
    this.timeout(120_000);
    useDataServerBinaries();
    [sourcePg, targetPg, sourceRedis, targetRedis] = await Promise.all([
      PostgresServer.start("source"),
      PostgresServer.start("target"),
      RedisServer.start("source"),
      RedisServer.start("target"),
    ]);
    await seedSource(sourcePg, sourceRedis);
    seeded = {
      acme: await databaseSnapshot(sourcePg, "tenant_acme"),
      globex: await databaseSnapshot(sourcePg, "tenant_globex"),
      acmeKeys: await keySnapshot(sourceRedis, "acme:"),
      otherKeys: [await keySnapshot(sourceRedis, "globex:"), await keySnapshot(sourceRedis, "acme-corp:")],
    };
  });

  // The target as a freshly provisioned dedicated stack: acme's role (its own password) and empty database.
  beforeEach(async () => {
    await targetPg.query("postgres", "DROP DATABASE IF EXISTS tenant_acme WITH (FORCE)");
    await targetPg.query("postgres", 'DROP DATABASE IF EXISTS "tenant_acme_MIGRATING" WITH (FORCE)');
    await targetPg.query("postgres", "DROP ROLE IF EXISTS acme_readonly");
    provisionTenant(targetPg, "tenant_acme", "acme-target-password");
    await targetRedis.with((client) => client.flushall());
  });

  after(async () => {
    await Promise.allSettled([sourcePg, targetPg, sourceRedis, targetRedis].map((server) => server?.stop()));
    rmSync(workDir, { recursive: true, force: true });
  });

  it("seeds what the tests expect", async () => {
    for (const [table, rows] of Object.entries(ACME_ROWS)) {
      const [{ count }] = await sourcePg.query("tenant_acme", `SELECT count(*)::int AS count FROM ${table}`);
      assert.equal(count, rows, table);
    }
    assert.equal(seeded.acmeKeys.size, ACME_KEYS);
  });

  it("plans a dry run with the data sizes and touches nothing", async () => {
    const { migration: m, journal } = migration("m-plan");
    const plan = await planMigration(m.settings, journal, new FakeStacks(new Recorder()));
    assert.deepEqual(plan.stacks, { source: "dev-shared", target: "dev-acme" });
    assert.deepEqual(
      plan.steps.map((s) => `${s.step}:${s.status}`),
      [
        "drain:pending",
        "copyPostgres:pending",
        "copyRedis:pending",
        "verify:pending",
        "switch:pending",
        "undrain:pending",
        "markForRemoval:pending",
      ],
    );
    assert.deepEqual(Object.fromEntries(plan.postgres.tables.map((t) => [t.table, t.rows])), ACME_ROWS);
    assert.equal(plan.postgres.sequences, 4); // customers.id, documents.id, billing.invoices.id, order_numbers
    assert.equal(plan.postgres.largeObjects, 40);
    assert.ok(plan.postgres.sizeBytes > 5_000_000, `size ${plan.postgres.sizeBytes}`);
    assert.deepEqual(plan.postgres.target, { kind: "replaceable", why: "it is empty" });
    assert.deepEqual(plan.redis, { prefix: "acme:", keys: ACME_KEYS, target: { keys: 0, marker: null } });
    assert.deepEqual(await targetPg.query("tenant_acme", "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"), []);
  });

  it("migrates a tenant exactly, and a rerun changes nothing", async () => {
    const { migration: m, recorder, journal } = migration("m-happy");
    await m.run();
    await assertMigrated();
    assert.deepEqual(recorder.calls.slice(0, 3), ["drain acme", "switch acme", 'undrain acme {"replicas":{"worker":2}}']);
    assert.match(recorder.calls[3], /^remove acme after \d{4}-/);
    const verify = progressOf(await journal.get("verify")).checkpoint;
    assert.deepEqual(verify, { tables: 5, rows: 12050, checked: (verify as any).checked, keys: ACME_KEYS });
    // The tenant's role kept the target stack's password; the grantee role came from the source.
    const [{ count }] = await query(
      targetPg.urlOf("tenant_acme", "acme-target-password"),
      "tenant_acme",
      "SELECT count(*)::int AS count FROM customers",
    );
    assert.equal(count, 3000);
    assert.deepEqual(
      await targetPg.query(
        "tenant_acme",
        "SELECT has_table_privilege('acme_readonly', 'customers', 'SELECT') AS customers, has_table_privilege('acme_readonly', 'documents', 'SELECT') AS documents",
      ),
      [{ customers: true, documents: false }],
    );

    // The source's copy is fenced read-only (no write may land after the dump began); the target is not.
    const fence = "SELECT (SELECT setconfig FROM pg_db_role_setting WHERE setdatabase = d.oid AND setrole = 0) AS settings FROM pg_database d WHERE datname = current_database()";
    assert.ok((await sourcePg.query("tenant_acme", fence))[0].settings.includes("default_transaction_read_only=on"));
    assert.ok(!(await targetPg.query("tenant_acme", fence))[0].settings.includes("default_transaction_read_only=on"));
    await assert.rejects(
      sourcePg.query("tenant_acme", "INSERT INTO customers (name) VALUES ('late')"),
      /read-only transaction/,
    );

    await m.run();
    assert.equal(recorder.calls.length, 4, "a rerun of a done migration calls nothing");
    // A fresh journal of the same migration: each step sees its own complete copy and keeps it.
    const again = migration("m-happy");
    await again.migration.run();
    assert.deepEqual(progressOf(await again.journal.get("copyPostgres")).checkpoint, { database: "tenant_acme", alreadyCopied: true });
    assert.deepEqual(progressOf(await again.journal.get("copyRedis")).checkpoint, { copied: 0, alreadyCopied: true });
    await assertMigrated();
    await assert.rejects(m.rollback("too late"), MigrationStateError);
  });

  describe("fault injection: a rerun completes, or a rollback leaves the source serving, with nothing lost or duplicated", () => {
    it("pg_dump killed mid-copy (the run.ts process group killed)", async () => {
      const journalFile = path.join(workDir, "kill-dump.json");
      const child = runStepProcess("m-kill-dump", "copyPostgres", { MIGRATION_JOURNAL: journalFile });
      await waitForRow(sourcePg, COPY_IN_PROGRESS, ["pg_dump"]);
      await killGroup(child);
      assert.equal((await new FileJournal(journalFile).get("copyPostgres"))?.status, "running");
      assert.deepEqual(
        await targetPg.query("tenant_acme", "SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace"),
        [{ n: 0 }],
      );
      await migration("m-kill-dump", { journal: new FileJournal(journalFile) }).migration.run();
      await assertMigrated();
    });

    it("the process running the copy SIGKILLed alone during pg_dump: its watchdog ends pg_dump at once; the rerun is attempt 2", async () => {
      const id = "m-kill-owner";
      const journalFile = path.join(workDir, `${id}.json`);
      // pg_dump waits on a lock of the source's, however fast the machine.
      await sourceTableLocked(sourcePg, "tenant_acme", "customers", async () => {
        const child = runStepProcess(id, "copyPostgres", { MIGRATION_JOURNAL: journalFile });
        await waitForRow(sourcePg, DUMP_WAITING, []);
        const running = copyProcesses(id);
        assert.deepEqual(
          running.map((p) => p.task),
          [`migrate:${id}:copyPostgres:1`],
          "one marked process: pg_dump",
        );
        const killedAt = Date.now();
        await killAlone(child);
        await polled("the copy's processes gone", async () => (copyProcesses(id).length === 0 ? true : undefined));
        const took = Date.now() - killedAt;
        assert.ok(took < 5_000, `pg_dump ended ${took} ms after its owner`);
        assert.equal(processIdentity(running[0].pid), undefined);
      });
      assert.deepEqual(await new FileJournal(journalFile).get("copyPostgres").then((r) => [r?.status, r?.attempts]), ["running", 1]);
      const journal = new FileJournal<StepName>(journalFile);
      await migration(id, { journal }).migration.run();
      assert.deepEqual(await journal.get("copyPostgres").then((r) => [r?.status, r?.attempts]), ["done", 2]);
      await assertMigrated();
    });

    it("pg_dump orphaned with its owner and the owner's watchdog killed: the next attempt ends it before it starts its own, into a file of its own", async () => {
      const id = "m-orphan-dump";
      const journalFile = path.join(workDir, `${id}.json`);
      const journal = new FileJournal<StepName>(journalFile);
      const log: string[] = [];
      let rerun: Promise<void> | undefined;
      await sourceTableLocked(sourcePg, "tenant_acme", "customers", async () => {
        const child = runStepProcess(id, "copyPostgres", { MIGRATION_JOURNAL: journalFile });
        await waitForRow(sourcePg, DUMP_WAITING, []);
        const [first] = copyProcesses(id);
        const watchdog = watchdogOf(first.owner);
        assert.ok(watchdog !== undefined, "the owner's watchdog runs");
        process.kill(watchdog, "SIGKILL");
        await killAlone(child);
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.deepEqual(
          copyProcesses(id).map((p) => [p.pid, p.task]),
          [[first.pid, `migrate:${id}:copyPostgres:1`]],
          "the orphaned pg_dump still runs",
        );

        rerun = migration(id, { journal, log }).migration.run();
        await polled("attempt 2's pg_dump", async () => (copyProcesses(id).some((p) => p.task.endsWith(":2")) ? true : undefined));
        const second = copyProcesses(id);
        assert.deepEqual(
          second.map((p) => p.task),
          [`migrate:${id}:copyPostgres:2`],
          "attempt 1's pg_dump was ended before attempt 2's started",
        );
        assert.equal(processIdentity(first.pid), undefined);
        // Each attempt's dump file is its own (pg_dump creates it once it holds its locks); none of attempt 1's is left.
        assert.deepEqual(
          readdirSync(path.join(workDir, id)).filter((file) => !file.startsWith("tenant_acme.attempt-2.")),
          [],
        );
      });
      await rerun;
      assert.ok(
        log.some((line) => /^copyPostgres: ended processes \d+ of an earlier attempt$/.test(line)),
        log.join("\n"),
      );
      const record = await journal.get("copyPostgres");
      assert.deepEqual(
        [record?.status, record?.attempts, progressOf(record).checkpoint?.dump],
        ["done", 2, `tenant_acme.attempt-2.${process.pid}.dump`],
      );
      assert.deepEqual(readdirSync(path.join(workDir, id)), [], "the dump is removed once restored");
      await assertMigrated();
    });

    it("pg_restore killed mid-copy", async () => {
      const journalFile = path.join(workDir, "kill-restore.json");
      const child = runStepProcess("m-kill-restore", "copyPostgres", { MIGRATION_JOURNAL: journalFile });
      await waitForRow(targetPg, COPY_IN_PROGRESS, ["pg_restore"]);
      await killGroup(child);
      await migration("m-kill-restore", { journal: new FileJournal(journalFile) }).migration.run();
      await assertMigrated();
    });

    it("the restore's connection dropped by the target server", async () => {
      const { migration: m, journal } = migration("m-drop-pg");
      const running = m.run();
      const { pid } = await waitForRow(targetPg, COPY_IN_PROGRESS, ["pg_restore"]);
      await targetPg.query("postgres", "SELECT pg_terminate_backend($1)", [pid]);
      await assert.rejects(running, CommandError);
      const record = await journal.get("copyPostgres");
      assert.equal(record?.status, "failed");
      assert.match(progressOf(record).error!, /pg_restore failed/);
      assert.doesNotMatch(progressOf(record).error!, new RegExp(new URL(targetPg.url).password));
      await m.run();
      await assertMigrated();
    });

    it("the Redis copy process killed mid-copy resumes from its checkpoint", async () => {
      const journalFile = path.join(workDir, "kill-redis.json");
      const child = runStepProcess("m-kill-redis", "copyRedis", { MIGRATION_JOURNAL: journalFile, MIGRATION_REDIS_BATCH: "10" });
      const copied = () => {
        try {
          return Number(JSON.parse(readFileSync(journalFile, "utf8")).copyRedis?.detail?.checkpoint?.copied ?? 0);
        } catch {
          return 0; // not written yet
        }
      };
      await polled("300 keys copied", async () => (copied() >= 300 || child.exitCode !== null ? true : undefined));
      const partial = await targetWritesPaused(async () => {
        await killGroup(child);
        return (await keySnapshot(targetRedis, "acme:")).size;
      });
      assert.ok(partial > 0 && partial < ACME_KEYS, `partial copy of ${partial} keys`);
      const log: string[] = [];
      await migration("m-kill-redis", { journal: new FileJournal(journalFile), extra: { redisBatchSize: 10 }, log }).migration.run();
      assert.ok(
        log.some((line) => /^copyRedis: resuming after \d+ keys$/.test(line)),
        log.join("\n"),
      );
      await assertMigrated();
    });

    it("the Redis copy's connection killed by the target server", async () => {
      const { migration: m, journal } = migration("m-drop-redis", { extra: { redisBatchSize: 10 } });
      const failed = assert.rejects(m.run()); // awaited once the connection is killed
      await polled("200 keys copied", async () =>
        Number(progressOf(await journal.get("copyRedis")).checkpoint?.copied ?? 0) > 200 ? true : undefined,
      );
      const killed = await targetWritesPaused(() =>
        targetRedis.with((client) => client.client("KILL", "TYPE", "normal", "SKIPME", "yes") as Promise<number>),
      );
      assert.ok(killed > 0, "the copy's connection was killed");
      await failed;
      assert.equal((await journal.get("copyRedis"))?.status, "failed");
      await m.run();
      await assertMigrated();
    });

    it("a conflicting row in the target's database: refused at every rerun, rolled back with both sides intact", async () => {
      await targetPg.query(
        "tenant_acme",
        "CREATE TABLE customers (id bigint PRIMARY KEY, name text); INSERT INTO customers VALUES (1, 'not acme''s');",
      );
      const { migration: m, recorder, journal } = migration("m-conflict-pg");
      for (let attempt = 0; attempt < 2; attempt++) {
        const error = await m.run().catch((e: unknown) => e);
        assert.ok(error instanceof TargetConflictError, String(error));
        assert.match(
          error.message,
          /^target Postgres database tenant_acme already holds data this migration did not write: table public\.customers\. Nothing in the target was changed\./,
        );
      }
      await m.rollback("conflict in the target");
      assert.deepEqual(recorder.calls, ["drain acme", 'undrain acme {"replicas":{"worker":2}}', "failed acme: conflict in the target"]);
      assert.equal((await journal.get("copyPostgres"))?.status, "skipped", "rolled back");
      assert.deepEqual(await targetPg.query("tenant_acme", "SELECT * FROM customers"), [{ id: "1", name: "not acme's" }]);
      assert.deepEqual(await targetPg.query("postgres", "SELECT datname FROM pg_database WHERE datname LIKE '%MIGRATING'"), []);
      assert.equal((await keySnapshot(targetRedis, "acme:")).size, 0);
      assert.deepEqual(await databaseSnapshot(sourcePg, "tenant_acme"), seeded.acme);
      await assert.rejects(m.run(), MigrationStateError);
    });

    it("a conflicting key in the target's Redis: rolled back, and a new migration replaces the abandoned copy", async () => {
      await targetRedis.with((client) => client.set("acme:session:1", "not acme's"));
      const { migration: m } = migration("m-conflict-redis");
      await assert.rejects(
        m.run(),
        (error: Error) =>
          error instanceof TargetConflictError &&
          /^target Redis already holds data .*: 1 keys under acme:, such as acme:session:1\./.test(error.message),
      );
      await m.rollback("conflict in Redis");
      assert.equal(await targetRedis.with((client) => client.get("acme:session:1")), "not acme's");
      assert.deepEqual(
        await targetPg.query(
          "postgres",
          "SELECT shobj_description(oid, 'pg_database') AS marker FROM pg_database WHERE datname = 'tenant_acme'",
        ),
        [{ marker: "tenantstack-migration m-conflict-redis failed" }],
      );
      await targetRedis.with((client) => client.del("acme:session:1"));
      await migration("m-conflict-redis-2").migration.run();
      await assertMigrated();
    });

    it("a failure of each driver-side step (drain, switch, undrain, removal mark): each rerun goes on from there", async () => {
      const { migration: m, recorder, journal } = migration("m-driver-steps");
      const failing = ["drain", "switchRouting", "undrain", "markSourceForRemoval"];
      for (const method of failing) recorder.failNext(method);
      for (const step of ["drain", "switch", "undrain", "markForRemoval"]) {
        await assert.rejects(m.run(), /injected failure/);
        assert.equal((await journal.get(step as any))?.status, "failed", step);
      }
      await m.run();
      assert.deepEqual(recorder.calls.slice(0, 3), ["drain acme", "switch acme", 'undrain acme {"replicas":{"worker":2}}']);
      assert.equal(recorder.calls.length, 4);
      await assertMigrated();
    });

    it("verify reports every difference of a tampered target exactly", async () => {
      const { migration: m } = migration("m-tamper");
      await m.run("copyRedis");
      await targetPg.query("tenant_acme", "UPDATE customers SET name = 'tampered' WHERE id = 7");
      await targetPg.query("tenant_acme", "SELECT setval('order_numbers', 5000)");
      await targetRedis.with(async (client) => {
        await client.persist("acme:session:0");
        await client.hset("acme:customer:5", "field0", "tampered");
        await client.set("acme:extra", "1");
      });
      const error = await m.run().catch((e: unknown) => e);
      assert.ok(error instanceof VerificationError, String(error));
      assert.deepEqual(
        error.differences.map((d) => d.replace(/[0-9a-f]{32}/g, "<md5>")),
        [
          "sequence public.order_numbers: 4242 in the source, 5000 in the target",
          "table public.customers checksum: <md5> in the source, <md5> in the target",
          'key "acme:customer:5": value differs',
          'key "acme:extra": only in the target',
          'key "acme:session:0": TTL set in the source, none in the target',
        ],
      );
    });
  });
});
