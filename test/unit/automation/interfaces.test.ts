/**
 * Bad input is refused by the CLI and the HTTP API alike, with the library's messages, before any
 * stack is touched (no work directory, no backend state is created).
 */
import * as assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Driver } from "../../../automation";
import { buildServer } from "../../../automation/http/server";
import { fakePulumiCli, tenantSettings } from "./fixtures";
import { type CliRun, runCli } from "../../support/cliRun";

describe("CLI and HTTP API input", () => {
  let stateDir: string;
  let settingsFile: string;
  /** The driver only asks the CLI its version here: a stand-in, so no toolchain is needed. */
  let pulumiPath: string;
  const saved = { ...process.env };

  beforeEach(() => {
    stateDir = mkdtempSync(path.join(tmpdir(), "tenantstack-cli-"));
    settingsFile = path.join(stateDir, "settings.json");
    writeFileSync(settingsFile, JSON.stringify(tenantSettings()));
    pulumiPath = fakePulumiCli(path.join(stateDir, "fake-pulumi"));
    process.env.TENANTSTACK_PASSPHRASE = "unit-test-passphrase";
    delete process.env.PULUMI_CONFIG_PASSPHRASE;
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function cli(...args: string[]): Promise<CliRun> {
    return runCli(["--state-dir", stateDir, "--pulumi", pulumiPath, ...args]);
  }
  const untouched = () =>
    assert.equal(existsSync(path.join(stateDir, "stacks")) || existsSync(path.join(stateDir, "state")), false, "no stack was touched");
  const acme = ["--host", "acme.example.com", "--plan", "dedicated", "--version", "1.0.0"];

  describe("the CLI", () => {
    it("registers and lists tenants", async () => {
      assert.equal((await cli("tenant", "create", "acme", ...acme, "--settings", settingsFile)).code, 0);
      const listed = await cli("tenant", "list", "--json");
      assert.equal(listed.code, 0);
      assert.deepEqual(
        JSON.parse(listed.out).map((t: { name: string; version: string }) => [t.name, t.version]),
        [["acme", "1.0.0"]],
      );
    });

    const refused: [string, string[], number, RegExp][] = [
      ["a duplicate tenant", ["tenant", "create", "acme", ...acme, "--settings", "$SETTINGS"], 2, /Tenant "acme" is registered already/],
      ["an unknown tenant", ["preview", "--tenant", "nobody"], 2, /Tenant "nobody" is not registered/],
      [
        "an invalid version",
        ["fleet", "upgrade", "--version", "1.0 final"],
        2,
        /`--version` must be an image tag such as "2.4.1".*\(got "1.0 final"\)/,
      ],
      ["an invalid tenant name", ["tenant", "create", "Acme!", ...acme], 2, /`<name>` must be a DNS-1123 label/],
      [
        "a bad backend URL",
        ["--backend", "ftp://state", "tenant", "list"],
        2,
        /`backendUrl` must start with file:\/\/.*\(got "ftp:\/\/state"\)/,
      ],
      [
        "a bad wave size",
        ["fleet", "upgrade", "--version", "2", "--wave-size", "0"],
        2,
        /`--wave-size` must be an integer between 1 and 1000 \(got 0\)/,
      ],
      ["an unknown option", ["up", "--force"], 2, /Unknown option '--force'/],
      ["a migration of an unknown tenant", ["migrate", "nobody", "--to", "shared"], 2, /Tenant "nobody" is not registered/],
      [
        "a migration to the plan the tenant has",
        ["migrate", "acme", "--to", "dedicated"],
        2,
        /`to` must differ from the plan of tenant "acme", or `cluster` from its cluster: it is dedicated on "local" already/,
      ],
      [
        "a migration to an unknown cluster",
        ["migrate", "acme", "--to", "shared", "--cluster", "mars"],
        2,
        /`cluster` must be one of the driver's clusters \["local"\] \(got "mars"\)/,
      ],
      [
        "a cluster list entry without its kubeconfig",
        ["--clusters", "local", "tenant", "list"],
        2,
        /`--clusters` entries must be NAME=KUBECONFIG, such as local=\/root\/.kube\/config \(got "local"\)/,
      ],
      [
        "a cluster whose kubeconfig is missing",
        ["--clusters", "Edge=/nowhere/kubeconfig", "tenant", "list"],
        2,
        /`clusters` keys must be DNS-1123 labels .*\(got "Edge"\)\n.*`clusters.Edge.kubeconfig` must be a readable kubeconfig file \(got "\/nowhere\/kubeconfig": ENOENT\)/,
      ],
      [
        "a tenant on a cluster the driver does not know",
        ["tenant", "create", "far", ...acme.map((a) => a.replace("acme", "far")), "--cluster", "mars", "--settings", "$SETTINGS"],
        2,
        /`cluster` must be one of the driver's clusters \["local"\] \(got "mars"\)/,
      ],
      ["a rollback with nothing to roll back", ["migrate", "acme", "--rollback"], 2, /`rollback` needs a switched migration/],
      [
        "a migration without a data plane, naming the flag",
        ["migrate", "acme", "--to", "shared"],
        2,
        /the driver has no `--data-plane FILE` \(or TENANTSTACK_DATA_PLANE\)[\s\S]*no kubeconfig of cluster "local" \(`--kubeconfig` or `--clusters`\)/,
      ],
      ["gc without a data plane, naming the flag", ["gc"], 2, /the driver has no `--data-plane FILE` \(or TENANTSTACK_DATA_PLANE\)/],
      [
        "a bad gc time",
        ["gc", "--now", "yesterday"],
        2,
        /`--now` must be an ISO 8601 time such as "2026-12-02T10:00:00Z" \(got "yesterday"\)/,
      ],
    ];
    for (const [title, args, code, message] of refused) {
      it(`refuses ${title} (exit ${code}) before touching any stack`, async () => {
        await cli("tenant", "create", "acme", ...acme, "--settings", settingsFile);
        const result = await cli(...args.map((a) => (a === "$SETTINGS" ? settingsFile : a)));
        assert.equal(result.code, code, result.err);
        assert.match(result.err, message);
        untouched();
      });
    }

    it("needs no passphrase for the registry, and refuses a command that runs stacks without one (exit 2)", async () => {
      delete process.env.TENANTSTACK_PASSPHRASE;
      assert.equal((await cli("tenant", "create", "acme", ...acme, "--settings", settingsFile)).code, 0);
      const listed = await cli("tenant", "list");
      assert.equal(listed.code, 0, listed.err);
      assert.match(
        listed.out,
        /^NAME +PLAN +ENV +VERSION +REGION +CLUSTER +HOST +API IMAGE +WORKER IMAGE\nacme +dedicated +dev +1\.0\.0 +local +local +acme\.example\.com +hashicorp\/http-echo:1\.0\.0 +hashicorp\/http-echo:1\.0\.0\n$/,
      );
      assert.equal((await cli("tenant", "show", "acme")).code, 0);
      assert.equal((await cli("operation", "list")).code, 0);
      for (const args of [["preview"], ["up", "--tenant", "acme"], ["operation", "resume", "op-1"]]) {
        const result = await cli(...args);
        assert.equal(result.code, 2, `${args.join(" ")}: ${result.err}`);
        assert.match(result.err, /`passphrase` is required with the passphrase secrets provider/);
      }
      assert.deepEqual(JSON.parse((await cli("operation", "list", "--json")).out), [], "nothing was journaled");
      untouched();
    });

    it("reports errors as JSON with --json", async () => {
      const result = await cli("--json", "preview", "--tenant", "nobody");
      assert.equal(result.code, 2);
      assert.deepEqual(JSON.parse(result.out).error.name, "TenantNotFoundError");
    });
  });

  describe("the HTTP API", () => {
    const token = "unit-test-token-0123456789";
    const auth = { authorization: `Bearer ${token}` };
    /** An authenticated POST of `payload` to `url`. */
    const post = (app: ReturnType<typeof buildServer>, url: string, payload: object) =>
      app.inject({ method: "POST", url, headers: auth, payload });

    async function withServer(test: (app: ReturnType<typeof buildServer>) => Promise<void>): Promise<void> {
      const driver = await Driver.open({ workspace: { stateDir, pulumiPath } });
      const app = buildServer(driver, { token });
      try {
        await test(app);
      } finally {
        await app.close();
        await driver.close();
      }
    }

    it("needs the bearer token, except for the OpenAPI document", () =>
      withServer(async (app) => {
        assert.equal((await app.inject({ method: "GET", url: "/tenants" })).statusCode, 401);
        assert.equal((await app.inject({ method: "GET", url: "/tenants", headers: { authorization: "Bearer wrong" } })).statusCode, 401);
        const doc = await app.inject({ method: "GET", url: "/openapi.json" });
        assert.equal(doc.statusCode, 200);
        assert.ok(doc.json().components.schemas.OperationRequest.oneOf ?? doc.json().components.schemas.OperationRequest.anyOf);
      }));

    it("registers tenants and refuses bad ones with every problem named", () =>
      withServer(async (app) => {
        const created = await post(app, "/tenants", {
          name: "acme",
          host: "acme.example.com",
          plan: "dedicated",
          version: "1.0.0",
          settings: tenantSettings(),
        });
        assert.equal(created.statusCode, 201, created.body);
        const duplicate = await post(app, "/tenants", {
          name: "acme",
          host: "b.example.com",
          plan: "dedicated",
          version: "1.0.0",
          settings: tenantSettings(),
        });
        assert.equal(duplicate.statusCode, 409);
        const bad = await post(app, "/tenants", { name: "Bad", host: "b.example.com", plan: "solo", version: "1" });
        assert.equal(bad.statusCode, 400);
        assert.deepEqual(bad.json().error.problems, [
          "`name` must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 40 characters (got \"Bad\")",
          '`plan` must be one of "shared", "dedicated" (got "solo")',
        ]);
        assert.equal((await app.inject({ method: "GET", url: "/tenants/nobody", headers: auth })).statusCode, 404);
      }));

    it("validates operation requests before starting them", () =>
      withServer(async (app) => {
        const bad = await post(app, "/operations", { kind: "fleet-upgrade", version: "1.0 final" });
        assert.equal(bad.statusCode, 400);
        assert.deepEqual(bad.json().error.problems, [
          '`version` must be an image tag such as "2.4.1": letters, digits, "_", "." and "-", at most 128 characters (got "1.0 final")',
        ]);
        const unknown = await post(app, "/operations", { kind: "preview", tenants: ["nobody"] });
        assert.equal(unknown.statusCode, 404);
        const kind = await post(app, "/operations", { kind: "launch" });
        assert.equal(kind.statusCode, 400);
        const plan = await post(app, "/operations", { kind: "migrate", tenant: "a", to: "solo" });
        assert.equal(plan.statusCode, 400);
        assert.deepEqual(plan.json().error.problems, ['`to` must be one of "shared", "dedicated" (got "solo")']);
        const migrating = await post(app, "/operations", { kind: "migrate", tenant: "nobody", to: "shared" });
        assert.equal(migrating.statusCode, 404);
        untouched();
      }));
  });
});
