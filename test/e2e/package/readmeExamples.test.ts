/**
 * The driver README's examples, as written, against the packed package (no cluster: `npm run
 * test:package`): the library example type-checks in a stock Pulumi TypeScript project with the
 * package installed from its tarball; run on a stand-in driver it provisions the walkthrough's tenant
 * with the walkthrough's `acme.json`, checks every result, and exits 1 when a step fails; `acme.json`
 * passes the program's schema. `test/e2e/automation/readmeExamples.test.ts` runs both on the local cluster.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { checkTenantSettings } from "../../../automation/registry/tenant";
import { assertSucceeded } from "../../../automation/succeeded";
import { checkoutVersions, installPacked, npm, PULUMI_TSCONFIG } from "../../support/packedPackage";
import { cliWalkthrough, libraryExample } from "../../support/readmeBlocks";

/** What a stand-in driver was asked, in order, with the arguments that matter. */
interface Call {
  readonly method: string;
  readonly args: unknown[];
}

/**
 * Runs the library example (transpiled, as written) with `tenantstack/automation` replaced by a
 * stand-in whose driver answers each operation with `status`; resolves once it is done.
 */
async function runExample(status: (method: string) => string): Promise<{ calls: Call[]; exitCode?: number; printed: string[] }> {
  const { outputText } = ts.transpileModule(libraryExample(), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const calls: Call[] = [];
  const printed: string[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const answer =
    (method: string) =>
    async (...args: unknown[]) => {
      calls.push({ method, args });
      const base = { operationId: `op-${method}`, status: status(method), resumed: false };
      if (method === "fleetUpgrade") return { ...base, version: "2.5.0", waves: [] };
      return {
        ...base,
        kind: method,
        stacks: [{ stack: "dev-acme", status: status(method), images: { api: "a:2.4.1", worker: "w:2.4.1" } }],
      };
    };
  const driver = {
    provision: answer("provision"),
    preview: answer("preview"),
    up: answer("up"),
    fleetUpgrade: answer("fleetUpgrade"),
    close: async () => {
      calls.push({ method: "close", args: [] });
      setImmediate(done); // after the example's catch, if any, has run
    },
  };
  const automation = {
    Driver: { open: async (...args: unknown[]) => (calls.push({ method: "open", args }), driver) },
    assertSucceeded,
  };
  const fakeProcess = { env: { TENANTSTACK_STATE_DIR: "/state" }, exitCode: undefined as number | undefined };
  const fakeConsole = { log: (...a: unknown[]) => printed.push(a.join(" ")), error: (...a: unknown[]) => printed.push(a.join(" ")) };
  const module = { exports: {} };
  const load = (id: string) => (id === "tenantstack/automation" ? automation : createRequire(__filename)(id));
  new Function("require", "module", "exports", "process", "console", outputText)(load, module, module.exports, fakeProcess, fakeConsole);
  await finished;
  return { calls, exitCode: fakeProcess.exitCode, printed };
}

describe("the driver README's examples, against the packed package", function () {
  this.timeout(600_000);
  let dir: string;

  before(() => {
    npm(["run", "build"]);
    dir = mkdtempSync(path.join(tmpdir(), "tenantstack-readme-examples-"));
    installPacked(dir, checkoutVersions(["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/random", "typescript", "@types/node"]));
    writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(PULUMI_TSCONFIG, null, 2));
    writeFileSync(path.join(dir, "index.ts"), libraryExample());
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the library example type-checks as written, with the tsconfig of `pulumi new typescript`", () => {
    const run = spawnSync(path.join(dir, "node_modules/.bin/tsc"), ["--noEmit", "--pretty", "false", "-p", "."], {
      cwd: dir,
      encoding: "utf8",
    });
    assert.equal(`${run.stdout}${run.stderr}`, "", "tsc reported errors");
    assert.equal(run.status, 0);
  });

  it("the library example provisions the walkthrough's tenant with its acme.json, then previews, applies and upgrades", async () => {
    const { calls, exitCode, printed } = await runExample(() => "succeeded");
    assert.deepEqual(
      calls.map((c) => c.method),
      ["open", "provision", "preview", "up", "fleetUpgrade", "close"],
    );
    const walkthrough = cliWalkthrough();
    const [tenant, options] = calls[1].args as [Record<string, unknown>, Record<string, unknown>];
    assert.deepEqual(tenant.settings, walkthrough.settings, "the walkthrough's acme.json holds the example's settings");
    const flags = /npx tenantstack provision (\S+) --host (\S+) --plan (\S+) --version (\S+)/.exec(walkthrough.commands);
    assert.ok(flags, "the walkthrough provisions a tenant");
    assert.deepEqual([tenant.name, tenant.host, tenant.plan, tenant.version], flags.slice(1), "the same tenant as the walkthrough's");
    assert.equal(options.operationId, "provision-acme");
    assert.deepEqual(calls[0].args, [{ workspace: { stateDir: "/state" } }]);
    assert.equal(exitCode, undefined);
    assert.ok(printed.includes("the fleet runs 2.5.0"), printed.join("\n"));
  });

  it("the library example exits 1 with the failure's message when a step's result is a failure", async () => {
    const { calls, exitCode, printed } = await runExample((method) => (method === "up" ? "failed" : "succeeded"));
    assert.deepEqual(
      calls.map((c) => c.method),
      ["open", "provision", "preview", "up", "close"],
      "nothing after the failed step",
    );
    assert.equal(exitCode, 1);
    assert.match(printed[printed.length - 1], /^Operation op-up \(up\) failed \(1 failure\):\n {2}- dev-acme: failed/);
  });

  it("the walkthrough's acme.json passes the program's schema", () => {
    const { settings } = cliWalkthrough();
    const tenant = { name: "acme", host: "acme.example.com", plan: "dedicated" as const, environment: "dev" as const, version: "2.4.1" };
    checkTenantSettings({ ...tenant, region: "local", cluster: "local", settings });
  });
});
