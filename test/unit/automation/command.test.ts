/**
 * The `tenantstack` command (`bin/tenantstack.js`, what npm and npx link): in a clone not built yet it
 * says to run `npm run build` (exit 2) instead of the shell's "tenantstack: not found"; built, it runs
 * the compiled CLI.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const REPO = path.join(__dirname, "../../..");

describe("the tenantstack command", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), "tenantstack-command-"));
    mkdirSync(path.join(root, "bin"));
    copyFileSync(path.join(REPO, "bin/tenantstack.js"), path.join(root, "bin/tenantstack.js"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const run = () => spawnSync(process.execPath, [path.join(root, "bin/tenantstack.js"), "--help"], { cwd: root, encoding: "utf8" });

  it("in a clone not built yet, says to build it (exit 2)", () => {
    const result = run();
    assert.equal(result.status, 2);
    assert.equal(
      result.stderr,
      `tenantstack is not built: dist/automation/cli/main.js is missing. In a clone, run \`npm run build\` in ${root} first ` +
        "(the package installed from npm ships it built).\n",
    );
  });

  it("built, runs the compiled CLI's runCommand with the process's arguments", () => {
    const cli = path.join(root, "dist/automation/cli/main.js");
    mkdirSync(path.dirname(cli), { recursive: true });
    writeFileSync(cli, "exports.runCommand = () => { process.stdout.write(JSON.stringify(process.argv.slice(2))); process.exit(7); };\n");
    const result = run();
    assert.equal(result.status, 7);
    assert.equal(result.stdout, '["--help"]');
  });

  it("is what the package's bin names, and what it packs", () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { bin: Record<string, string>; files: string[] };
    assert.deepEqual(manifest.bin, { tenantstack: "bin/tenantstack.js" });
    assert.ok(manifest.files.includes("bin/tenantstack.js"));
  });
});
