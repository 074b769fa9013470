/**
 * The toolchain lookup reads the record `tools/toolchain.sh` leaves and never builds: checked on
 * temporary checkouts, with records written the way the script writes them (`sha256sum` lines).
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { EXIT, exitCodeOf } from "../../../automation/cli/exitCodes";
import { fromWire, messageOn, PulumiCliNotFoundError, toWire } from "../../../automation/errors";
import { findPulumiCli } from "../../../automation/pulumiCli";
import { lookUpToolchain, TOOLCHAIN_RECORD } from "../../../automation/toolchain";
import { fakePulumiCli } from "./fixtures";

const INPUTS = ["tools/pulumi/build.sh", "tools/pulumi/cli/go.mod"];

describe("toolchain lookup", () => {
  let root: string;
  let cache: string;
  const savedPath = process.env.PATH;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), "tenantstack-checkout-"));
    cache = mkdtempSync(path.join(tmpdir(), "tenantstack-cache-"));
    for (const file of ["tools/toolchain.sh", ...INPUTS]) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), `# ${file}\n`);
    }
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    rmSync(root, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  /** Writes the record as tools/toolchain.sh does: a comment, `input <sha256sum line>`, `dir <dir>`. */
  function record(dirs: string[]): void {
    const sums = execFileSync("sha256sum", INPUTS, { cwd: root, encoding: "utf8" });
    const lines = [
      "# written by tools/toolchain.sh",
      ...sums
        .trim()
        .split("\n")
        .map((line) => `input ${line}`),
      ...dirs.map((d) => `dir ${d}`),
    ];
    writeFileSync(path.join(root, TOOLCHAIN_RECORD), `${lines.join("\n")}\n`);
  }
  /** A cached binary directory holding a stand-in `pulumi`. */
  function builtCli(): string {
    const dir = path.join(cache, "bin/pulumi-3.259.0");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "pulumi"), "#!/bin/sh\necho v3.259.0\n", { mode: 0o755 });
    return dir;
  }
  /** A PATH with nothing on it but an empty directory: no `pulumi`. */
  function emptyPath(): void {
    const dir = path.join(cache, "empty");
    mkdirSync(dir, { recursive: true });
    process.env.PATH = dir;
  }

  it("finds nothing outside a checkout (the installed package)", () => {
    rmSync(path.join(root, "tools/toolchain.sh"));
    assert.deepEqual(lookUpToolchain(root), { kind: "none" });
  });

  it("reports a checkout whose toolchain was never built", () => {
    assert.deepEqual(lookUpToolchain(root), { kind: "unusable", problem: "is not built (no tools/.toolchain-built)" });
  });

  it("returns the recorded directories, in order, when every input is unchanged", () => {
    const cli = builtCli();
    const plugin = path.join(cache, "bin/pulumi-resource-kubernetes-4.25.0");
    mkdirSync(plugin, { recursive: true });
    record([cli, plugin]);
    assert.deepEqual(lookUpToolchain(root), { kind: "built", dirs: [cli, plugin] });
  });

  it("refuses a record whose inputs changed since the build, naming the file", () => {
    record([builtCli()]);
    writeFileSync(path.join(root, "tools/pulumi/cli/go.mod"), "require github.com/pulumi/pulumi/pkg/v3 v3.260.0\n");
    assert.deepEqual(lookUpToolchain(root), {
      kind: "unusable",
      problem: "is out of date (tools/pulumi/cli/go.mod changed since it was built)",
    });
  });

  it("refuses a record whose directory is gone", () => {
    const gone = path.join(cache, "bin/pulumi-language-nodejs-3.68.0");
    record([builtCli(), gone]);
    assert.deepEqual(lookUpToolchain(root), { kind: "unusable", problem: `is incomplete (${gone} is gone)` });
  });

  it("runs the recorded CLI with the recorded directories on the engine's PATH", async () => {
    const cli = builtCli();
    record([cli]);
    emptyPath();
    const found = await findPulumiCli(undefined, path.join(cache, "link"), root);
    assert.equal(found.command.command, path.join(cache, "link/bin/pulumi"));
    assert.deepEqual(found.pathDirs, [cli]);
  });

  it("falls back to `pulumi` on PATH when the checkout's toolchain is not built", async () => {
    const onPath = path.dirname(fakePulumiCli(path.join(cache, "installed")));
    process.env.PATH = onPath;
    const found = await findPulumiCli(undefined, path.join(cache, "link"), root);
    assert.equal(found.command.command, "pulumi");
    assert.deepEqual(found.pathDirs, []);
  });

  it("fails with what to run when there is neither a built toolchain nor `pulumi` on PATH", async () => {
    emptyPath();
    const error = await findPulumiCli(undefined, path.join(cache, "link"), root).then(
      () => assert.fail("a CLI was found"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof PulumiCliNotFoundError);
    assert.equal(error.code, "pulumi_cli_missing");
    assert.equal(exitCodeOf(error), EXIT.invalidInput);
    assert.equal(error.checkout, root);
    assert.equal(error.problem, "is not built (no tools/.toolchain-built)");
    assert.equal(error.cliVersion, "3.259.0");
    assert.deepEqual(error.plugins, ["kubernetes 4.25.0"]);
    assert.equal(
      error.message,
      `No Pulumi CLI found: the toolchain of the checkout ${root} is not built (no tools/.toolchain-built), and there is no \`pulumi\` on PATH ` +
        "(the driver never builds or downloads one). Do one of:\n" +
        `  - run \`npm run toolchain\` in ${root} (builds it from Go modules: many minutes the first time),\n` +
        "  - set `pulumiPath` to a Pulumi CLI binary or the directory holding it,\n" +
        "  - install the Pulumi CLI 3.259.0 on PATH with the resource plugin kubernetes 4.25.0 (`pulumi plugin install resource kubernetes 4.25.0`).",
    );
    assert.equal(
      messageOn(error, "cli"),
      error.message.replace("set `pulumiPath` to", "set `--pulumi PATH` to"),
      "the CLI names its flag, the library and the HTTP API the option",
    );
  });

  it("outside a checkout, fails without suggesting a build, and crosses a process boundary intact", async () => {
    rmSync(path.join(root, "tools/toolchain.sh"));
    emptyPath();
    const error = await findPulumiCli(undefined, path.join(cache, "link"), root).catch((e: unknown) => e);
    assert.ok(error instanceof PulumiCliNotFoundError);
    assert.doesNotMatch(error.message, /npm run toolchain/);
    assert.match(error.message, /^No Pulumi CLI found: there is no `pulumi` on PATH/);
    const back = fromWire(JSON.parse(JSON.stringify(toWire(error))));
    assert.ok(back instanceof PulumiCliNotFoundError);
    assert.equal(back.message, error.message);
    assert.equal(back.checkout, undefined);
  });
});
