/**
 * The registry, journal and lease contract, run against every database: SQLite here (unit), a real
 * PostgreSQL server in the e2e suite.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import type { SqlDatabase } from "../../../automation/db/sqlDatabase";
import { InputError, StackLockedError, TenantExistsError, TenantNotFoundError } from "../../../automation/errors";
import { OperationJournal } from "../../../automation/journal/journal";
import { StackLeases } from "../../../automation/journal/leases";
import { runOperationStep, runStep } from "../../../automation/journal/runStep";
import { OperationStepJournal } from "../../../automation/journal/stepJournals";
import { TenantRegistry } from "../../../automation/registry/registry";
import { tenantSettings } from "./fixtures";
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
    const dedicated = (name: string) => ({
      name,
      host: `${name}.example.com`,
      plan: "dedicated" as const,
      version: "1.0.0",
      settings: tenantSettings(),
    });

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
