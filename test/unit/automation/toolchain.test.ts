/**
 * The toolchain lookup reads the record `tools/toolchain.sh` leaves and never builds: checked on
 * temporary checkouts, with records written the way the script writes them (`sha256sum` lines).
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { EXIT, exitCodeOf, exitCodeOfErrors } from "../../../automation/cli/exitCodes";
import { fromWire, messageOn, PulumiCliNotFoundError, PulumiPluginMissingError, toWire } from "../../../automation/errors";
import { missingPlugin } from "../../../automation/operations/stackJob";
import { enginePlugins, findPulumiCli } from "../../../automation/pulumiCli";
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
    assert.deepEqual(
      error.plugins.map((p) => `${p.name} ${p.version}`),
      ["kubernetes 4.25.0", "random 4.21.2", "aws 7.48.0", "gcp 9.37.0", "azure-native 3.28.0"],
    );
    // A stack job's failure too (the CLI is looked up in the worker): invalid input, nothing was touched.
    assert.equal(exitCodeOfErrors([toWire(error)]), EXIT.invalidInput);
    assert.equal(
      error.message,
      `No Pulumi CLI found: the toolchain of the checkout ${root} is not built (no tools/.toolchain-built), and there is no \`pulumi\` on PATH ` +
        "(the driver never builds or downloads one). Do one of:\n" +
        `  - run \`npm run toolchain\` in ${root} (builds it from Go modules: many minutes the first time),\n` +
        "  - set `pulumiPath` to a Pulumi CLI binary or the directory holding it,\n" +
        "  - install the Pulumi CLI 3.259.0 on PATH.\n" +
        "The engine also needs these plugins, found beside the CLI, on PATH, or installed in PULUMI_HOME (`pulumiHome`):\n" +
        "  - pulumi-resource-pulumi-nodejs (the program's dynamic resources) and pulumi-language-nodejs (a program run as a local one, " +
        "`inlineProgram: false`, or by hand): beside the CLI in Pulumi's release archive\n" +
        "  - pulumi-resource-kubernetes 4.25.0: `pulumi plugin install resource kubernetes 4.25.0`\n" +
        "  - pulumi-resource-random 4.21.2, for stacks whose `secrets.passwordProvider` is `random` (the default): " +
        "`pulumi plugin install resource random 4.21.2`\n" +
        "  - pulumi-resource-aws 7.48.0, for `cloud: aws`: `pulumi plugin install resource aws 7.48.0`\n" +
        "  - pulumi-resource-gcp 9.37.0, for `cloud: gcp`: `pulumi plugin install resource gcp 9.37.0`\n" +
        "  - pulumi-resource-azure-native 3.28.0, for `cloud: azure`: `pulumi plugin install resource azure-native 3.28.0`",
    );
    assert.equal(
      messageOn(error, "cli"),
      error.message
        .replace("set `pulumiPath` to", "set `--pulumi PATH` to")
        .replace("PULUMI_HOME (`pulumiHome`):", "PULUMI_HOME:")
        .replace("a local one, `inlineProgram: false`, or by hand", "a local one, or `pulumi` run by hand"),
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
    assert.deepEqual(back.plugins, error.plugins);
  });
});

describe("a plugin the engine did not find", () => {
  it("is read from the engine's message, in its current and its older form", () => {
    assert.deepEqual(
      missingPlugin(
        "error: could not load plugin for kubernetes provider 'default_4_25_0': no resource plugin 'pulumi-resource-kubernetes' " +
          "found in the workspace at version v4.25.0 or on your $PATH",
      ),
      { kind: "resource", name: "kubernetes", version: "4.25.0" },
    );
    assert.deepEqual(missingPlugin("no resource plugin 'pulumi-resource-random' found in the workspace at version v4.21.2"), {
      kind: "resource",
      name: "random",
      version: "4.21.2",
    });
    assert.deepEqual(
      missingPlugin(
        "failed to load language plugin nodejs: no language plugin 'pulumi-language-nodejs' found in the workspace or on your $PATH",
      ),
      { kind: "language", name: "nodejs" },
    );
    assert.deepEqual(
      missingPlugin(
        "no resource plugin 'aws-v7.48.0' found in the workspace or on your $PATH, install the plugin using `pulumi plugin install resource aws v7.48.0`",
      ),
      { kind: "resource", name: "aws", version: "7.48.0" },
    );
    assert.equal(missingPlugin("error: update failed: the API server refused the Deployment"), undefined);
  });

  it("is a typed error saying how to install it, a stack failure (exit 1) that crosses a process boundary intact", () => {
    const plugins = [{ name: "kubernetes", version: "4.25.0" }];
    const error = new PulumiPluginMissingError("dev-acme", "resource", "kubernetes", "4.25.0", plugins);
    assert.equal(error.code, "pulumi_plugin_missing");
    assert.equal(exitCodeOf(error), EXIT.failed);
    assert.match(
      error.message,
      /^Stack "dev-acme" needs the engine's resource plugin pulumi-resource-kubernetes 4\.25\.0, which it did not find \(the driver never downloads plugins\): install it with `pulumi plugin install resource kubernetes 4\.25\.0`, or put pulumi-resource-kubernetes on PATH or beside the CLI, then re-run\./,
    );
    const language = new PulumiPluginMissingError("dev-acme", "language", "nodejs", undefined, plugins);
    assert.match(language.message, /put pulumi-language-nodejs beside the CLI \(`pulumiPath`\) or on PATH/);
    assert.match(messageOn(language, "cli"), /put pulumi-language-nodejs beside the CLI \(`--pulumi`\) or on PATH/);
    const back = fromWire(JSON.parse(JSON.stringify(toWire(language))));
    assert.ok(back instanceof PulumiPluginMissingError);
    assert.equal(back.message, language.message);
  });
});

describe("the engine's CLI and plugins in automation/README.md", () => {
  const readme = readFileSync(path.join(__dirname, "../../../automation/README.md"), "utf8");
  /** The section, its lines joined (prose wraps anywhere). */
  const section = (readme.split(/^## /m).find((s) => s.startsWith("The engine: the Pulumi CLI and its plugins\n")) ?? "").replace(
    /\s+/g,
    " ",
  );

  it("say where the driver looks for the CLI, naming the option and the flag, and the CLI's version", () => {
    assert.match(section, /the workspace option `pulumiPath` \(CLI: `--pulumi PATH`; the `pulumi` binary or the directory holding it\)/);
    assert.match(section, /installed in `PULUMI_HOME` \(workspace option `pulumiHome`\)/);
    const pinned = (JSON.parse(readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")) as { version: string }).version;
    assert.match(
      section,
      new RegExp(`the Pulumi CLI at the version of the \`@pulumi/pulumi\` you installed \\(${pinned.replace(/\./g, "\\.")} for`),
    );
  });

  it("list each plugin the program needs with the command that installs it at its installed version", () => {
    const plugins = enginePlugins();
    assert.deepEqual(
      plugins.map((p) => p.name),
      ["kubernetes", "random", "aws", "gcp", "azure-native"],
    );
    for (const { name, version } of plugins.filter((p) => ["kubernetes", "random"].includes(p.name)))
      assert.ok(section.includes(`\`pulumi plugin install resource ${name} ${version}\``), `${name} ${version}`);
    for (const plugin of [
      "pulumi-resource-pulumi-nodejs",
      "pulumi-language-nodejs",
      "pulumi-resource-kubernetes",
      "pulumi-resource-random",
      "pulumi-resource-aws",
    ])
      assert.ok(section.includes(`\`${plugin}`), plugin);
    assert.match(section, /`pulumi plugin install resource aws <version of @pulumi\/aws>`/);
  });
});
