import * as assert from "node:assert/strict";
import { loadProvider } from "../../../../components/cloud/base";

describe("loadProvider", () => {
  it("says which package a cloud needs when it is not installed", () => {
    assert.throws(
      () => loadProvider("aws", "@pulumi/not-installed", "iam"),
      (error: Error) =>
        error.message ===
        "`cloud: aws` needs the npm package @pulumi/not-installed: install it next to tenantstack (npm install @pulumi/not-installed).",
    );
  });

  it("loads a submodule of an installed package", () => {
    const iam = loadProvider<{ Role: unknown }>("aws", "@pulumi/aws", "iam");
    assert.equal(typeof iam.Role, "function");
  });
});
