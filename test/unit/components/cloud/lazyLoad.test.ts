import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";

const ROOT = path.resolve(__dirname, "../../../..");

/**
 * The cloud provider packages loaded by a fresh Node process that builds the AppStack of a fixture under
 * the mocks: what `pulumi up` of that stack would need installed.
 */
async function cloudPackagesLoadedBy(fixture: string): Promise<string[]> {
  const script = `
    require("./test/unit/components/mocks.ts");
    const { AppStack } = require("./components");
    new AppStack("probe", require("./test/unit/fixtures").${fixture}());
    const loaded = Object.keys(require.cache).map((file) => /node_modules\\/(@pulumi\\/(aws|gcp|azure-native))\\//.exec(file)?.[1]);
    process.stdout.write(JSON.stringify([...new Set(loaded.filter(Boolean))]));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return JSON.parse(stdout);
}

describe("cloud provider packages", function () {
  this.timeout(120_000);
  // Each probe is a Node process compiling the components (seconds): `cloud: none`, and AWS to show the probe sees a load.
  const fixtures = { sharedStack: [], awsStack: ["@pulumi/aws"] };
  const loaded: Record<string, string[]> = {};
  before(async () => {
    await Promise.all(Object.keys(fixtures).map(async (fixture) => (loaded[fixture] = await cloudPackagesLoadedBy(fixture))));
  });

  it("are not loaded by a stack with `cloud: none`", () => {
    assert.deepEqual(loaded.sharedStack, []);
  });

  it("are loaded one at a time: an AWS stack loads @pulumi/aws only", () => {
    assert.deepEqual(loaded, fixtures);
  });
});
