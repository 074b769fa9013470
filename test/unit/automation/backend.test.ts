import * as assert from "node:assert/strict";
import * as path from "node:path";
import { checkBackendUrl, checkSecretsProvider, engineBackendUrl, fileBackendDir } from "../../../automation/backend";
import { homedir } from "node:os";
import { parseClusterList } from "../../../automation/clusters";
import { InputError } from "../../../automation/errors";
import { PACKAGE_PROGRAM } from "../../../automation/pulumiCli";
import { resolveWorkspaceOptions } from "../../../automation/workspace";

describe("backend URLs", () => {
  const accepted = [
    "file:///var/lib/tenantstack/state",
    "file://~/state",
    "s3://bucket/prefix",
    "gs://bucket",
    "azblob://container",
    "https://api.pulumi.com",
  ];
  for (const url of accepted) it(`accepts ${url}`, () => assert.equal(checkBackendUrl(url), undefined));

  const refused: [string, string][] = [
    ["file://relative/dir", '`backendUrl` must be file:// followed by an absolute path (got "file://relative/dir")'],
    ["s3://", '`backendUrl` must start with file://, s3://, gs://, azblob://, https://api.pulumi.com (got "s3://")'],
    [
      "http://example.com",
      '`backendUrl` must start with file://, s3://, gs://, azblob://, https://api.pulumi.com (got "http://example.com")',
    ],
  ];
  for (const [url, message] of refused) it(`refuses ${url}`, () => assert.equal(checkBackendUrl(url), message));
});

describe("the engine's backend URL", () => {
  it("has a file backend's blob store write no sidecars, so every write is a rename", () => {
    assert.equal(engineBackendUrl("file:///var/lib/tenantstack/state"), "file:///var/lib/tenantstack/state?metadata=skip");
    assert.equal(engineBackendUrl("file:///srv/state?no_tmp_dir=true"), "file:///srv/state?no_tmp_dir=true&metadata=skip");
  });
  it("keeps a metadata option given, and any other backend, as they are", () => {
    assert.equal(engineBackendUrl("file:///srv/state?metadata="), "file:///srv/state?metadata=");
    assert.equal(engineBackendUrl("s3://bucket/prefix"), "s3://bucket/prefix");
  });
  it("finds a file backend's directory", () => {
    assert.equal(fileBackendDir("file:///srv/state?metadata=skip"), "/srv/state");
    assert.equal(fileBackendDir("file://~/state"), path.join(homedir(), "state"));
    assert.equal(fileBackendDir("gs://bucket"), undefined);
  });
});

describe("secrets providers", () => {
  it("uses the passphrase when one is given", () =>
    assert.deepEqual(checkSecretsProvider("passphrase", "p"), { provider: { kind: "passphrase" }, problems: [] }));
  it("passes KMS URLs through", () =>
    assert.deepEqual(checkSecretsProvider("awskms://alias/tenantstack", undefined), {
      provider: { kind: "url", url: "awskms://alias/tenantstack" },
      problems: [],
    }));
  it("refuses a missing passphrase", () =>
    assert.deepEqual(checkSecretsProvider("passphrase", ""), {
      problems: [
        "`passphrase` is required with the passphrase secrets provider: set TENANTSTACK_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE), or choose a KMS secrets provider",
      ],
    }));
  it("refuses an unknown provider", () =>
    assert.deepEqual(checkSecretsProvider("vault://x", "p").problems, [
      '`secretsProvider` must be "passphrase" or a URL starting with awskms://, gcpkms://, azurekeyvault://, hashivault:// (the value given is not shown)',
    ]));
});

describe("workspace options", () => {
  it("defaults to a file backend under the state directory and reads the passphrase from the environment", () => {
    const resolved = resolveWorkspaceOptions({ stateDir: "/tmp/ts-state" }, { TENANTSTACK_PASSPHRASE: "secret" });
    assert.equal(resolved.backendUrl, "file:///tmp/ts-state/state");
    assert.deepEqual(resolved.secretsProvider, { kind: "passphrase" });
    assert.equal(resolved.passphrase, "secret");
  });

  it("runs the package's program inline, any other program as a local program unless told", () => {
    const env = { TENANTSTACK_PASSPHRASE: "p" };
    const resolved = resolveWorkspaceOptions({ stateDir: "/tmp/ts-state" }, env);
    assert.equal(resolved.program, PACKAGE_PROGRAM);
    assert.equal(resolved.inlineProgram, true);
    assert.equal(resolveWorkspaceOptions({ stateDir: "/tmp/ts-state", program: PACKAGE_PROGRAM }, env).inlineProgram, true);
    assert.equal(resolveWorkspaceOptions({ stateDir: "/tmp/ts-state", program: "/srv/app/index.js" }, env).inlineProgram, false);
    assert.equal(
      resolveWorkspaceOptions({ stateDir: "/tmp/ts-state", program: "/srv/app/index.js", inlineProgram: true }, env).inlineProgram,
      true,
    );
    assert.equal(resolveWorkspaceOptions({ stateDir: "/tmp/ts-state", inlineProgram: false }, env).inlineProgram, false);
  });

  it("runs stacks on the one cluster local with the environment's KUBECONFIG unless given clusters, each with its kubeconfig", () => {
    const env = { TENANTSTACK_PASSPHRASE: "p", KUBECONFIG: "/etc/kube/a" };
    assert.deepEqual(resolveWorkspaceOptions({ stateDir: "/tmp/ts-state" }, env).clusters, { local: "/etc/kube/a" });
    assert.deepEqual(resolveWorkspaceOptions({ stateDir: "/tmp/ts-state", env: { KUBECONFIG: "/etc/kube/b" } }, env).clusters, {
      local: "/etc/kube/b",
    });
    const clusters = { local: { kubeconfig: __filename }, "eu-1": { kubeconfig: path.relative(process.cwd(), __filename) } };
    assert.deepEqual(resolveWorkspaceOptions({ stateDir: "/tmp/ts-state", clusters }, env).clusters, {
      local: __filename,
      "eu-1": __filename,
    });
    assert.deepEqual(parseClusterList("local=/a, eu-1=/b"), { local: { kubeconfig: "/a" }, "eu-1": { kubeconfig: "/b" } });
  });

  it("refuses clusters with bad names or unreadable kubeconfigs, naming each", () => {
    assert.throws(
      () =>
        resolveWorkspaceOptions(
          { stateDir: "/tmp/ts-state", clusters: { "eu.1": { kubeconfig: "/nowhere" }, ok: { kubeconfig: "" } } },
          { TENANTSTACK_PASSPHRASE: "p" },
        ),
      (error: unknown) =>
        error instanceof InputError &&
        error.problems.join("\n") ===
          "`clusters` keys must be DNS-1123 labels of at most 40 characters: lowercase letters, digits and '-' (got \"eu.1\")\n" +
            '`clusters.eu.1.kubeconfig` must be a readable kubeconfig file (got "/nowhere": ENOENT)\n' +
            '`clusters.ok.kubeconfig` must be the path of a kubeconfig file (got "")',
    );
  });

  it("reports every problem at once, before touching anything", () => {
    assert.throws(
      () => resolveWorkspaceOptions({ stateDir: "/tmp/ts-state", backendUrl: "ftp://x" }, {}),
      (error: unknown) =>
        error instanceof InputError &&
        error.message ===
          "Invalid workspace options (2 problems):\n" +
            '  - `backendUrl` must start with file://, s3://, gs://, azblob://, https://api.pulumi.com (got "ftp://x")\n' +
            "  - `passphrase` is required with the passphrase secrets provider: set TENANTSTACK_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE), or choose a KMS secrets provider",
    );
  });
});
