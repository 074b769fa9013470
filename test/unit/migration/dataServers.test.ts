/**
 * A migration's data servers checked before its dry run plans: an unreachable server, a refused login
 * or a missing tenant database is a DataServerError naming each server (never its URL) with what to do,
 * exit 69 on the CLI and 502 over HTTP, never a stack trace; a driver without a data plane names the
 * option as its surface does.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Driver } from "../../../automation/driver";
import { buildServer } from "../../../automation/http/server";
import { dataServerProblems, unusableBecause } from "../../../automation/migration/data/serverCheck";
import { staticDataPlane } from "../../../automation/migration/staticDataPlane";
import { fakePulumiCli, tenantSettings } from "../automation/fixtures";
import { type CliRun, runCli } from "../../support/cliRun";

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const PASSWORD = "s3cret-in-the-url";

describe("a migration's data servers", () => {
  let dir: string;
  let endpoints: { postgresUrl: string; redisUrl: string };
  let pg: number;
  let redis: number;
  const saved = { ...process.env };

  before(async () => {
    [pg, redis] = [await closedPort(), await closedPort()];
    endpoints = {
      postgresUrl: `postgres://postgres:${PASSWORD}@127.0.0.1:${pg}/postgres`,
      redisUrl: `redis://:${PASSWORD}@127.0.0.1:${redis}`,
    };
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "tenantstack-dataservers-"));
    process.env.TENANTSTACK_PASSPHRASE = "unit-test-passphrase";
    // The dry run asks for the source cluster's API client (never called): a kubeconfig that parses.
    writeFileSync(
      path.join(dir, "kubeconfig"),
      JSON.stringify({
        "current-context": "c",
        contexts: [{ name: "c", context: { cluster: "c", user: "u" } }],
        clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:1" } }],
        users: [{ name: "u", user: {} }],
      }),
    );
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it("says why each is unusable: unreachable, a refused login, no tenant database", () => {
    assert.match(
      unusableBecause(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), "tenant_acme"),
      /^cannot be reached \(ECONNREFUSED\): start it, or give the data plane an address this driver reaches$/,
    );
    assert.match(
      unusableBecause(new Error("Connection terminated due to connection timeout"), undefined),
      /^cannot be reached \(timed out\)/,
    );
    assert.equal(
      unusableBecause(Object.assign(new Error('database "tenant_acme" does not exist'), { code: "3D000" }), "tenant_acme"),
      "has no database tenant_acme: the data plane must name the servers that hold the tenant's data (those of its stack), and the tenant must have been provisioned there",
    );
    assert.match(
      unusableBecause(Object.assign(new Error("password authentication failed"), { code: "28P01" }), "postgres"),
      /^refused the login/,
    );
    assert.match(unusableBecause(new Error("WRONGPASS invalid username-password pair"), undefined), /^refused the login/);
  });

  it("are each reached before a plan: every unreachable one named by stack, side and host:port, never by URL", async () => {
    const problems = await dataServerProblems(
      { tenant: "acme", source: endpoints, target: endpoints },
      { sourceStack: "dev-acme", targetStack: "dev-shared" },
    );
    assert.deepEqual(problems, [
      `the source Postgres server of stack "dev-acme" at 127.0.0.1:${pg} cannot be reached (ECONNREFUSED): start it, or give the data plane an address this driver reaches`,
      `the source Redis server of stack "dev-acme" at 127.0.0.1:${redis} cannot be reached (ECONNREFUSED): start it, or give the data plane an address this driver reaches`,
      `the target Postgres server of stack "dev-shared" at 127.0.0.1:${pg} cannot be reached (ECONNREFUSED): start it, or give the data plane an address this driver reaches`,
      `the target Redis server of stack "dev-shared" at 127.0.0.1:${redis} cannot be reached (ECONNREFUSED): start it, or give the data plane an address this driver reaches`,
    ]);
  });

  /** Runs the CLI in this process. */
  async function cli(...args: string[]): Promise<CliRun> {
    const pulumi = fakePulumiCli(path.join(dir, "fake-pulumi"));
    return runCli(["--state-dir", path.join(dir, "state"), "--pulumi", pulumi, "--kubeconfig", path.join(dir, "kubeconfig"), ...args]);
  }
  const acme = ["acme", "--host", "acme.example.com", "--plan", "dedicated", "--version", "1.0.0"];

  it("stop a dry run on the CLI with exit 69 and what to fix, no stack trace, no password", async () => {
    writeFileSync(path.join(dir, "settings.json"), JSON.stringify(tenantSettings()));
    writeFileSync(path.join(dir, "plane.json"), JSON.stringify({ "dev-acme": endpoints, "dev-shared": endpoints }));
    assert.equal((await cli("tenant", "create", ...acme, "--settings", path.join(dir, "settings.json"))).code, 0);
    const run = await cli("--data-plane", path.join(dir, "plane.json"), "migrate", "acme", "--to", "shared", "--dry-run");
    assert.equal(run.code, 69, run.err);
    assert.match(
      run.err,
      /^The data servers of the migration cannot be used \(4 problems\):\n {2}- the source Postgres server of stack "dev-acme" at 127\.0\.0\.1:\d+ cannot be reached \(ECONNREFUSED\)/,
    );
    assert.match(run.err, /Nothing was changed\. The data plane maps each stack/);
    assert.doesNotMatch(run.err, /\n\s+at |s3cret/, "no stack trace, no password");
    const json = await cli("--json", "--data-plane", path.join(dir, "plane.json"), "migrate", "acme", "--to", "shared", "--dry-run");
    assert.equal(json.code, 69);
    assert.equal(JSON.parse(json.out).error.name, "DataServerError");
  });

  it("stop a dry run over HTTP with 502 and the same message", async () => {
    const driver = await Driver.open({
      workspace: {
        stateDir: path.join(dir, "state"),
        pulumiPath: fakePulumiCli(path.join(dir, "fake-pulumi")),
        env: { KUBECONFIG: path.join(dir, "kubeconfig") },
      },
      migration: { dataPlane: staticDataPlane({ "dev-acme": endpoints, "dev-shared": endpoints }) },
    });
    const app = buildServer(driver, { token: "unit-test-token-0123456789" });
    try {
      await driver.registry.create({
        name: "acme",
        host: "acme.example.com",
        plan: "dedicated",
        version: "1.0.0",
        settings: tenantSettings(),
      });
      const response = await app.inject({
        method: "POST",
        url: "/operations",
        headers: { authorization: "Bearer unit-test-token-0123456789" },
        payload: { kind: "migrate", tenant: "acme", to: "shared", dryRun: true },
      });
      assert.equal(response.statusCode, 502, response.body);
      const { error } = response.json();
      assert.equal(error.code, "data_server_unavailable");
      assert.match(error.message, /^The data servers of the migration cannot be used \(4 problems\)/);
      assert.deepEqual(await driver.journal.list(), [], "nothing journaled");
    } finally {
      await app.close();
      await driver.close();
    }
  });

  it("without a data plane, a library driver names its option and the CLI its flag", async () => {
    const driver = await Driver.open({
      workspace: { stateDir: path.join(dir, "state"), env: { KUBECONFIG: path.join(dir, "kubeconfig") } },
    });
    try {
      await driver.registry.create({
        name: "acme",
        host: "acme.example.com",
        plan: "dedicated",
        version: "1.0.0",
        settings: tenantSettings(),
      });
      await assert.rejects(driver.migrate({ tenant: "acme", to: "shared", dryRun: true }), /the driver has no `migration\.dataPlane`/);
    } finally {
      await driver.close();
    }
    const run = await cli("migrate", "acme", "--to", "shared", "--dry-run");
    assert.equal(run.code, 2);
    assert.match(
      run.err,
      /the driver has no `--data-plane FILE` \(or TENANTSTACK_DATA_PLANE\): it must know where each stack's Postgres and Redis servers are \(automation\/README\.md, "A data plane"\)/,
    );
    assert.ok(!run.err.includes("migration.dataPlane"));
  });
});
