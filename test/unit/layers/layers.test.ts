/**
 * No import points up a layer: schema -> components -> index.ts -> automation, and inside automation
 * the order of automation/README.md's parts table, which names every file and folder there; nothing
 * `@internal` is imported across a layer. The rules are checked on the repository's own imports,
 * and on synthetic ones to show that they fail.
 */
import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import {
  importsOf,
  internalNames,
  internalsAcrossLayers,
  layerFiles,
  partsTable,
  REPO,
  unlistedParts,
  upwardImports,
  type Import,
} from "./layers";

/**
 * Schema modules whose `@internal` validation helpers (zod field builders, problem formatters) are
 * still imported by components and the driver: the schema's input work (issue 18) makes them public
 * or moves their users; remove an entry when its last such import goes (a test below insists).
 */
const PENDING_SCHEMA_INTERNALS = [
  "schema/errors.ts",
  "schema/fields.ts",
  "schema/tenant.ts",
  // The driver's input model (issue 17): zod schemas, @internal while zod stays out of the published types.
  "schema/driverOptions.ts",
  "schema/operations.ts",
  "schema/tenantInput.ts",
];

const readme = readFileSync(path.join(REPO, "automation/README.md"), "utf8");
const parts = partsTable(readme);
const imports = layerFiles().flatMap(importsOf);

describe("layers", () => {
  it("reads the automation parts table in its order, lowest first", () => {
    assert.equal(parts.get("redact.ts"), 0);
    assert.equal(parts.get("errors.ts"), 1);
    assert.ok(parts.get("operations/")! < parts.get("fleet/")!, "operations/ is below fleet/");
    assert.equal(parts.get("workspace.ts"), parts.get("toolchain.ts"), "one row, one part");
    assert.equal(parts.get("index.ts"), Math.max(...parts.values()));
  });

  it("the parts table names every file and folder of automation/", () => {
    const entries = readdirSync(path.join(REPO, "automation"), { withFileTypes: true }).map((e) => ({
      name: e.name,
      isDirectory: e.isDirectory(),
    }));
    assert.ok(entries.length > 10);
    assert.deepEqual(unlistedParts(entries, parts), []);
  });

  it("no import in schema/, components/, index.ts or automation/ points up a layer or up the parts table", () => {
    assert.ok(imports.some((i) => i.from === "automation/operations/stackRunner.ts" && i.to === "automation/operations/executor.ts"));
    assert.deepEqual(upwardImports(imports, parts), []);
  });

  it("nothing @internal is imported across a layer (but the pending schema helpers)", () => {
    const found = internalsAcrossLayers(
      imports.filter((i) => !PENDING_SCHEMA_INTERNALS.includes(i.to)),
      internalNames,
    );
    assert.deepEqual(found, []);
  });

  it("each pending schema module is still imported for an @internal helper (else remove it from the list)", () => {
    for (const file of PENDING_SCHEMA_INTERNALS) {
      const found = internalsAcrossLayers(
        imports.filter((i) => i.to === file),
        internalNames,
      );
      assert.ok(found.length > 0, `${file} no longer lends an @internal helper across a layer: remove it from PENDING_SCHEMA_INTERNALS`);
    }
  });

  describe("fails on synthetic imports", () => {
    const table = partsTable(
      [
        "## Parts",
        "",
        "| file | models |",
        "| ---- | ------ |",
        "| `errors.ts` | errors |",
        "| `operations/` | jobs |",
        "| `fleet/`, `waves.ts` | executors |",
        "",
        "## Next",
        "| `not/` | a part |",
      ].join("\n"),
    );
    const at = (from: string, to: string, names: string[] = ["x"]): Import => ({ from, to, names });

    it("reads only the Parts section", () => {
      assert.deepEqual(
        [...table],
        [
          ["errors.ts", 0],
          ["operations/", 1],
          ["fleet/", 2],
          ["waves.ts", 2],
        ],
      );
    });

    it("an import up the top-level layers", () => {
      assert.deepEqual(
        upwardImports(
          [
            at("schema/stack.ts", "components/postgres.ts"),
            at("components/api.ts", "index.ts"),
            at("components/api.ts", "automation/errors.ts"),
            at("index.ts", "automation/driver.ts"),
            at("automation/fleet/x.ts", "components/contract.ts"),
            at("components/api.ts", "schema/fields.ts"),
            at("test/unit/x.test.ts", "automation/driver.ts"),
            at("automation/driver.ts", "tools/generate.ts"),
          ],
          table,
        ),
        [
          "schema/stack.ts imports components/postgres.ts: schema may not import components, a layer above it",
          "components/api.ts imports index.ts: components may not import index.ts, a layer above it",
          "components/api.ts imports automation/errors.ts: components may not import automation, a layer above it",
          "index.ts imports automation/driver.ts: index.ts may not import automation, a layer above it",
        ],
      );
    });

    it("an import up the automation parts table, and one of a part the table does not name", () => {
      assert.deepEqual(
        upwardImports(
          [
            at("automation/operations/stackRunner.ts", "automation/fleet/executor.ts"),
            at("automation/errors.ts", "automation/waves.ts"),
            at("automation/fleet/upgrade.ts", "automation/operations/stackJob.ts"),
            at("automation/fleet/upgrade.ts", "automation/waves.ts"),
            at("automation/fleet/upgrade.ts", "automation/fleet/waves.ts"),
            at("automation/driver.ts", "automation/errors.ts"),
          ],
          table,
        ),
        [
          "automation/operations/stackRunner.ts imports automation/fleet/executor.ts: operations/ (parts row 2) may not import fleet/ (row 3), below it in the table",
          "automation/errors.ts imports automation/waves.ts: errors.ts (parts row 1) may not import waves.ts (row 3), below it in the table",
          "automation/driver.ts imports automation/errors.ts: driver.ts is not in automation/README.md's parts table",
        ],
      );
    });

    it("a folder or file of automation/ missing from the table", () => {
      const entries = [
        { name: "errors.ts", isDirectory: false },
        { name: "fleet", isDirectory: true },
        { name: "migrate", isDirectory: true },
        { name: "driver.ts", isDirectory: false },
        { name: "README.md", isDirectory: false },
      ];
      assert.deepEqual(unlistedParts(entries, table), ["driver.ts", "migrate/"]);
    });

    it("an @internal declaration imported across a layer, not within one", () => {
      const internals = (file: string) => new Set(file === "components/security.ts" ? ["restrictedPodSecurity"] : []);
      assert.deepEqual(
        internalsAcrossLayers(
          [
            at("automation/migrate/job.ts", "components/security.ts", ["restrictedPodSecurity", "SMALL"]),
            at("components/postgres.ts", "components/security.ts", ["restrictedPodSecurity"]),
            at("automation/migrate/job.ts", "components/podSecurity.ts", ["restrictedPodSecurity"]),
          ],
          internals,
        ),
        [
          "automation/migrate/job.ts imports restrictedPodSecurity from components/security.ts, which is @internal (stripped from the published types)",
        ],
      );
    });

    it("finds the @internal declarations of a real file", () => {
      assert.deepEqual([...internalNames("components/security.ts")].sort(), ["SMALL_SCRATCH", "scratchDirectories"]);
      assert.deepEqual([...internalNames("components/podSecurity.ts")], []);
    });
  });
});
