/**
 * The package as published: built, packed by npm, and the driver's default program one of its
 * files (an installed driver runs the compiled program; the checkout runs `index.ts`).
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { REPO } from "../support/controlPlane";

describe("the published package", function () {
  this.timeout(300_000);
  const npm = (...args: string[]) => execFileSync("npm", args, { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

  it("holds the compiled components, schema, driver and program, and no tests or stack files", async () => {
    npm("run", "build");
    const [pack] = JSON.parse(npm("pack", "--dry-run", "--json", "--ignore-scripts"));
    const files: string[] = pack.files.map((f: { path: string }) => f.path);
    for (const file of [
      "dist/index.js",
      "dist/components/index.js",
      "dist/schema/index.js",
      "dist/automation/index.js",
      "tenantstack.schema.json",
    ])
      assert.ok(files.includes(file), `${file} is packed`);
    assert.deepEqual(
      files.filter((f) => /^(test|tools|bench)\/|^Pulumi\.|^index\.ts$|\.test\./.test(f)),
      [],
      "no tests, tools or stack files",
    );

    // The compiled driver's default program is the packed, compiled program.
    const stateDir = mkdtempSync(path.join(tmpdir(), "tenantstack-package-"));
    try {
      const { resolveWorkspaceOptions } = await import(path.join(REPO, "dist/automation/workspace.js"));
      const { program } = resolveWorkspaceOptions({ stateDir, passphrase: "p" });
      assert.equal(program, path.join(REPO, "dist/index.js"));
      assert.ok(existsSync(program));
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
