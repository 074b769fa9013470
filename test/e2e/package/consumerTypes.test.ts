/**
 * The published declarations as a Pulumi user meets them: the packed package installed with its peers into
 * a project with the tsconfig of `pulumi new typescript` (strict, `moduleResolution: node`, no
 * `esModuleInterop`, no `skipLibCheck`), whose program imports the package's three entry points, then
 * type-checked by `tsc`. Needs no cluster (`npm run test:package`).
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { checkoutVersions, installPacked, npm, PULUMI_TSCONFIG } from "../../support/packedPackage";

/** A program composing the parts with typed settings, and using the schema and driver entry points. */
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { AppStack, type AppStackArgs, InvalidArgsError, Postgres, type PostgresArgs, Secrets } from "tenantstack";
import { parseStack, type PostgresInput, type StackSpec, tenantDatabase } from "tenantstack/schema";
import { Driver, type TenantInput } from "tenantstack/automation";

const settings: AppStackArgs = {
  environment: "dev",
  tenancy: { mode: "shared", tenants: [{ name: "acme", host: "acme.example.com" }] },
  api: { image: "ghcr.io/example/api:1.0.0", autoscaling: { minReplicas: 2 } },
  worker: { image: "ghcr.io/example/worker:1.0.0", health: { type: "exec", command: ["true"] } },
  ingress: { tls: { issuer: "none" }, waitForAddress: false },
  secrets: { source: "generated", passwordProvider: "builtin" },
};
const app = new AppStack("app", settings);

const postgres: PostgresInput = { storageGi: 10, backup: { destination: { type: "volume", storageGi: 5 } } };
const secrets = new Secrets("secrets", { namespace: app.namespace, spec: { source: "generated" }, tenants: ["acme"] });
const args: PostgresArgs = { namespace: app.namespace, credentials: secrets, spec: postgres, tenants: ["acme"] };
new Postgres("postgres", args);

// @ts-expect-error storageGi is a number: the settings are typed, not any.
const wrong: PostgresInput = { storageGi: "10" };

const spec: StackSpec = parseStack(settings);
const tenant: TenantInput = { name: "acme", host: "acme.example.com", plan: "shared", version: "1.0.0" };
export const outputs = {
  namespace: app.namespace,
  urls: app.urls,
  database: tenantDatabase(spec.tenancy.mode === "shared" ? spec.tenancy.tenants[0].name : "none"),
  replicas: spec.api.autoscaling.minReplicas,
  driver: typeof Driver,
  tenant: tenant.name,
  invalid: (error: unknown) => error instanceof InvalidArgsError && error.errors.map((e) => e.propertyPath),
  wrong,
};
void pulumi;
`;

/** Module and resolution settings the program is also checked under: `exports` serves these. */
const OTHER_RESOLUTIONS = [
  ["--module", "node16", "--moduleResolution", "node16"],
  ["--module", "esnext", "--moduleResolution", "bundler"],
];

/** An import of zod in a declaration file: `from "zod"`, `import("zod")`, `require("zod")`, subpaths too. */
const ZOD_IMPORT = /(\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']zod(\/[^"']*)?["']/;

/** The relative module specifiers a declaration file imports or re-exports (`from "./fields"`, `import("../schema")`). */
const RELATIVE_IMPORTS = /(?:\bfrom\s*|\bimport\s*\(\s*)["'](\.{1,2}\/[^"']*)["']/g;

describe("the published declarations in a stock Pulumi TypeScript project", function () {
  this.timeout(600_000);
  let dir: string;
  let files: string[];

  before(() => {
    npm(["run", "build"]);
    dir = mkdtempSync(path.join(tmpdir(), "tenantstack-consumer-types-"));
    const packages = ["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/random", "typescript", "@types/node"];
    files = installPacked(dir, checkoutVersions(packages)).files;
    writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(PULUMI_TSCONFIG, null, 2));
    writeFileSync(path.join(dir, "index.ts"), PROGRAM);
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Type-checks the program; the compiler's output on failure. */
  const tsc = (...options: string[]) => {
    const run = spawnSync(path.join(dir, "node_modules/.bin/tsc"), ["--noEmit", "--pretty", "false", "-p", ".", ...options], {
      cwd: dir,
      encoding: "utf8",
    });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  };

  it("compile with the tsconfig of `pulumi new typescript`: no skipLibCheck, no esModuleInterop, moduleResolution node", () => {
    const { status, output } = tsc();
    assert.equal(output, "", `tsc reported errors:\n${output}`);
    assert.equal(status, 0);
  });

  it("resolve the subpaths through `exports` under node16 and bundler resolution too", () => {
    for (const options of OTHER_RESOLUTIONS) {
      const { status, output } = tsc(...options);
      assert.equal(output, "", `tsc ${options.join(" ")} reported errors:\n${output}`);
      assert.equal(status, 0);
    }
  });

  it("hold no zod types: every packed declaration file is free of zod imports", () => {
    const declarations = files.filter((f) => f.endsWith(".d.ts"));
    assert.ok(declarations.includes("dist/schema/types.d.ts") && declarations.length > 50, `declarations packed: ${declarations.length}`);
    const withZod = declarations.filter((f) => ZOD_IMPORT.test(readFileSync(path.join(dir, "node_modules/tenantstack", f), "utf8")));
    assert.deepEqual(withZod, []);
  });

  it("leave no import dangling: each module a packed declaration file imports is packed (package-private ones are not)", () => {
    const declarations = new Set(files.filter((f) => f.endsWith(".d.ts")));
    const dangling = [...declarations].flatMap((file) =>
      [...readFileSync(path.join(dir, "node_modules/tenantstack", file), "utf8").matchAll(RELATIVE_IMPORTS)]
        .map(([, specifier]) => path.posix.join(path.posix.dirname(file), specifier))
        .filter((target) => !declarations.has(`${target}.d.ts`) && !declarations.has(`${target}/index.d.ts`))
        .map((target) => `${file} imports ${target}`),
    );
    assert.ok(!declarations.has("dist/schema/fields.d.ts"), "the package-private dist/schema/fields.d.ts is not packed");
    assert.deepEqual(dangling, []);
  });
});
