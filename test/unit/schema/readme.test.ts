import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { CLOUDS, readStackConfig } from "../../../schema";
import { allConfigOfYaml } from "./stackFiles";

/** The `Pulumi.<stack>.yaml` examples of the README: the YAML block under each `#### Pulumi.<stack>.yaml` heading. */
function readmeStackFiles(): Map<string, string> {
  const readme = readFileSync(path.join(__dirname, "../../../README.md"), "utf8");
  const files = new Map<string, string>();
  for (const match of readme.matchAll(/^#### (Pulumi\.[a-z0-9-]+\.yaml)\n\n```yaml\n([\s\S]*?)\n```$/gm)) files.set(match[1], match[2]);
  return files;
}

describe("README stack files", () => {
  const files = readmeStackFiles();

  it("has a complete example per cloud", () => {
    assert.deepEqual([...files.keys()], ["Pulumi.prod-aws.yaml", "Pulumi.prod-gcp.yaml", "Pulumi.prod-azure.yaml"]);
  });

  for (const [file, text] of files) {
    it(`validates ${file} as its cloud's stack`, () => {
      // App secret values are set with `pulumi config set --secret`, outside the file.
      const all = { ...allConfigOfYaml(text), "tenantstack:appSecretValues": JSON.stringify({ OPENAI_API_KEY: "sk-test" }) };
      const { spec } = readStackConfig(all, (key) => key === "tenantstack:appSecretValues");
      const cloud = /^Pulumi\.prod-([a-z]+)\.yaml$/.exec(file)![1];
      assert.ok(CLOUDS.includes(spec.cloud as never));
      assert.equal(spec.cloud, cloud);
      assert.equal(spec.secrets.source, "cloud");
    });
  }
});
