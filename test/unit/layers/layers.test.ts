/**
 * No import points up a layer: schema -> components -> index.ts -> automation, and inside automation
 * the order of automation/README.md's parts table, which names every file and folder there; nothing
 * `@internal` is imported across a layer (what the layers share is public, or in a package-private module
 * that no entry point exports). The rules are checked on the repository's own imports, and on synthetic
 * ones to show that they fail.
 */
import * as assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import {
  importsOf,
  internalNames,
  internalNamesReexported,
  internalsAcrossLayers,
  layerFiles,
  partsTable,
  REPO,
  unlistedParts,
  upwardImports,
  type Import,
} from "./layers";

/** The package's entry points, the modules `package.json`'s `exports` name: each only re-exports. */
const ENTRY_POINTS = ["components/index.ts", "schema/index.ts", "automation/index.ts"];

/**
 * The package-private modules: those whose declarations `package.json`'s `files` leaves out of the package
 * (`!dist/schema/fields.d.ts`), shared by the layers but exported by no entry point.
 */
const packagePrivate = (JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { files: string[] }).files
  .filter((entry) => entry.startsWith("!dist/") && entry.endsWith(".d.ts"))
  .map((entry) => entry.slice("!dist/".length, -".d.ts".length) + ".ts");

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

  it("nothing @internal is imported across a layer, even through an entry point's re-exports", () => {
    assert.ok(imports.some((i) => i.from.startsWith("components/") && i.to === "schema/fields.ts"));
    assert.deepEqual(internalsAcrossLayers(imports, internalNamesReexported), []);
  });

  it("no entry point exports a package-private module (one whose declarations are not published)", () => {
    assert.ok(packagePrivate.includes("schema/fields.ts") && packagePrivate.includes("schema/operations.ts"), packagePrivate.join(", "));
    for (const file of packagePrivate) assert.ok(existsSync(path.join(REPO, file)), `${file} exists`);
    assert.deepEqual(
      imports.filter((i) => ENTRY_POINTS.includes(i.from) && packagePrivate.includes(i.to)).map((i) => `${i.from} re-exports ${i.to}`),
      [],
    );
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
        { name: "migration", isDirectory: true },
        { name: "driver.ts", isDirectory: false },
        { name: "README.md", isDirectory: false },
      ];
      assert.deepEqual(unlistedParts(entries, table), ["driver.ts", "migration/"]);
    });

    it("an @internal declaration imported across a layer, not within one", () => {
      const internals = (file: string) => new Set(file === "components/security.ts" ? ["restrictedPodSecurity"] : []);
      assert.deepEqual(
        internalsAcrossLayers(
          [
            at("automation/migration/data/job.ts", "components/security.ts", ["restrictedPodSecurity", "SMALL"]),
            at("components/postgres.ts", "components/security.ts", ["restrictedPodSecurity"]),
            at("automation/migration/data/job.ts", "components/podSecurity.ts", ["restrictedPodSecurity"]),
          ],
          internals,
        ),
        [
          "automation/migration/data/job.ts imports restrictedPodSecurity from components/security.ts, which is @internal (stripped from the published types)",
        ],
      );
    });

    it("finds the @internal declarations of a real file", () => {
      assert.deepEqual([...internalNames("components/security.ts")].sort(), ["SMALL_SCRATCH", "scratchDirectories"]);
      assert.deepEqual([...internalNames("components/podSecurity.ts")], []);
    });

    it("follows an entry point's re-exports to the @internal declarations behind them", () => {
      assert.ok(!internalNames("schema/index.ts").has("StackSchema"), "schema/index.ts declares nothing itself");
      const reexported = internalNamesReexported("schema/index.ts");
      assert.ok(reexported.has("StackSchema") && reexported.has("TenancySchema"), [...reexported].join(", "));
      assert.ok(!reexported.has("TenantstackError") && !reexported.has("ValidationError"), "public names are not @internal");
      assert.deepEqual(
        internalsAcrossLayers([{ from: "components/x.ts", to: "schema/index.ts", names: ["StackSchema"] }], internalNamesReexported),
        ["components/x.ts imports StackSchema from schema/index.ts, which is @internal (stripped from the published types)"],
      );
    });
  });
});
