/**
 * The journal's operations through the CLI: `operation list` (a table newest first, or JSON, filtered),
 * `operation show` (a summary unless `--json`), and `operation resume` with the exact command printed
 * after a failure or a cancel (Ctrl-C of a CLI process); a second Ctrl-C quits at once and leaves none of
 * the processes the CLI started (workers, the engine, plugins in sessions of their own); a wrong passphrase
 * (the Pulumi CLI's own words, from a stand-in CLI run by the real workers) is a typed error with advice,
 * exit 2, never the Automation API's dump.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Driver } from "../../../automation/driver";
import { markedProcesses, processIdentity } from "../../../automation/processes/marks";
import { fakePulumiCli, INCORRECT_PASSPHRASE, RecordingExecutor, tenantSettings } from "./fixtures";
import { type CliRun, runCli } from "../../support/cliRun";

describe("operations through the CLI", function () {
  // The last test runs the real workers: a Node.js process each, loading the program.
  this.timeout(180_000);
  let stateDir: string;
  let pulumiPath: string;
  let settingsFile: string;
  const saved = { ...process.env };

  before(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), "tenantstack-cliops-"));
    pulumiPath = fakePulumiCli(path.join(stateDir, "fake"), "v3.259.0", INCORRECT_PASSPHRASE);
    settingsFile = path.join(stateDir, "settings.json");
    writeFileSync(settingsFile, JSON.stringify(tenantSettings()));
    process.env.TENANTSTACK_PASSPHRASE = "unit-test-passphrase";
    // A journal of three operations, made by a driver whose stack jobs run on a recording executor.
    const executor = new RecordingExecutor();
    const driver = await Driver.open({ workspace: { stateDir, pulumiPath }, executor });
    try {
      for (const name of ["acme", "globex"])
        await driver.registry.create({
          name,
          host: `${name}.example.com`,
          plan: "dedicated",
          version: "1.0.0",
          settings: tenantSettings(),
        });
      await driver.up({ tenants: ["acme"], operationId: "up-ok" });
      await new Promise((resolve) => setTimeout(resolve, 5));
      executor.failing.add("dev-globex");
      await driver.up({ tenants: ["globex"], operationId: "up-failed" });
    } finally {
      await driver.close();
    }
  });
  after(() => {
    process.env = { ...saved };
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function cli(...args: string[]): Promise<CliRun> {
    return runCli(["--state-dir", stateDir, "--pulumi", pulumiPath, ...args]);
  }
  const resumeLine = (id: string) => `To resume it: tenantstack --state-dir ${stateDir} --pulumi ${pulumiPath} operation resume ${id}\n`;

  it("lists operations newest first as a table, or as JSON, filtered", async () => {
    const table = await cli("operation", "list");
    assert.equal(table.code, 0, table.err);
    const lines = table.out.trimEnd().split("\n");
    assert.match(lines[0], /^ID +KIND +STATUS +STARTED +UPDATED$/);
    assert.match(lines[1], /^up-failed +up +failed +\d{4}-\d\d-\d\dT[\d:.]+Z +\d{4}-/);
    assert.match(lines[2], /^up-ok +up +succeeded +/);
    assert.equal(lines.length, 3);
    const failed = await cli("operation", "list", "--status", "failed", "--json");
    assert.deepEqual(
      JSON.parse(failed.out).map((o: { id: string; kind: string; status: string }) => [o.id, o.kind, o.status]),
      [["up-failed", "up", "failed"]],
    );
    assert.equal((await cli("operation", "list", "--kind", "gc")).out, "no operations\n");
    const bad = await cli("operation", "list", "--kind", "launch", "--limit", "0");
    assert.equal(bad.code, 2);
    assert.match(
      bad.err,
      /2 problems[\s\S]*`--kind` must be one of "preview", "up".* \(got "launch"\)[\s\S]*`--limit` must be an integer between 1 and 1000 \(got 0\)/,
    );
  });

  it("shows an operation as a summary, with the command that resumes it, or as JSON with --json", async () => {
    const shown = await cli("operation", "show", "up-failed");
    assert.equal(shown.code, 0, shown.err);
    const lines = shown.out.trimEnd().split("\n");
    assert.match(lines[0], /^operation up-failed \(up\): failed, started \d{4}-.+Z, last changed \d{4}-.+Z$/);
    assert.deepEqual(lines.slice(1, 3), ["steps:", '  dev-globex:up: failed — up of stack "dev-globex" failed:']);
    assert.deepEqual(lines.slice(3, 5), ["result:", "up failed (operation up-failed)"]);
    assert.equal(shown.err, resumeLine("up-failed"));

    const json = await cli("operation", "show", "up-ok", "--json");
    const body = JSON.parse(json.out);
    assert.equal(body.status, "succeeded");
    assert.deepEqual(
      body.steps.map((s: { step: string; status: string }) => [s.step, s.status]),
      [["dev-acme:up", "done"]],
    );
    assert.equal(json.err, "", "a succeeded operation has nothing to resume");

    const missing = await cli("operation", "show", "nope");
    assert.equal(missing.code, 2);
    assert.equal(missing.err, 'Operation "nope" is not in the journal; list operations with `tenantstack operation list`.\n');
  });

  it("refuses to resume a succeeded operation or an unknown one (exit 2)", async () => {
    const done = await cli("operation", "resume", "up-ok");
    assert.equal(done.code, 2);
    assert.match(done.err, /operation "up-ok" \(up\) succeeded: there is nothing to resume/);
    const missing = await cli("operation", "resume", "nope");
    assert.equal(missing.code, 2);
    assert.match(missing.err, /Operation "nope" is not in the journal/);
  });

  it("reports a wrong passphrase as a typed error with advice (exit 2), then resumes the operation with `operation resume`", async () => {
    assert.equal(
      (
        await cli(
          "tenant",
          "create",
          "initech",
          "--host",
          "initech.example.com",
          "--plan",
          "dedicated",
          "--version",
          "1.0.0",
          "--settings",
          settingsFile,
        )
      ).code,
      0,
    );
    const preview = await cli("preview", "--tenant", "initech", "--operation-id", "pv-1");
    assert.equal(preview.code, 2, `${preview.out}${preview.err}`);
    assert.match(
      preview.out,
      /^preview failed \(operation pv-1\)\n  dev-initech: failed\n    The passphrase does not unlock the secrets of stack "dev-initech": it was created with another one, and nothing was changed\. Set TENANTSTACK_PASSPHRASE to the passphrase/,
    );
    assert.doesNotMatch(`${preview.out}${preview.err}`, /code: 255|stderr|PULUMI_CONFIG_PASSPHRASE_FILE/, "no Automation API dump");
    assert.ok(preview.err.endsWith(resumeLine("pv-1")), preview.err);

    const resumed = await cli("--json", "operation", "resume", "pv-1");
    assert.equal(resumed.code, 2, resumed.out + resumed.err);
    const result = JSON.parse(resumed.out);
    assert.deepEqual([result.operationId, result.kind, result.resumed], ["pv-1", "preview", true]);
    assert.equal(result.stacks[0].error.name, "PassphraseIncorrectError");
    const shown = JSON.parse((await cli("--json", "operation", "show", "pv-1")).out);
    assert.deepEqual(
      shown.steps.map((s: { step: string; status: string; attempts: number }) => [s.step, s.status, s.attempts]),
      [["dev-initech:preview", "failed", 2]],
    );
  });

  /** A stand-in Pulumi CLI at `<stateDir>/<name>/bin/pulumi`: it answers `version`, and runs `preview` (shell, `$dir` its directory). */
  function standIn(name: string, preview: string): string {
    const binary = path.join(stateDir, name, "bin/pulumi");
    mkdirSync(path.dirname(binary), { recursive: true });
    writeFileSync(
      binary,
      `#!/bin/sh\ndir='${path.dirname(path.dirname(binary))}'\ncase "$1" in version) echo v3.259.0 ;; preview) ${preview} ;; esac\nexit 0\n`,
      { mode: 0o755 },
    );
    return binary;
  }

  /**
   * The CLI in a process of its own (as `tenantstack` runs, its SIGINT handler installed) with `pulumi`,
   * interrupted once `started` exists: its output so far, and its exit code once it exits.
   */
  async function interruptedCli(pulumi: string, started: string, ...args: string[]) {
    const child = spawn(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        path.join(__dirname, "../../../automation/cli/main.ts"),
        "--state-dir",
        stateDir,
        "--pulumi",
        pulumi,
        ...args,
      ],
      {
        cwd: path.join(__dirname, "../../.."),
        env: { ...process.env, TENANTSTACK_PASSPHRASE: "unit-test-passphrase" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const output = { stdout: "", stderr: "" };
    child.stdout.on("data", (d: Buffer) => (output.stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output.stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    while (!existsSync(started) && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 100));
    const identity = processIdentity(child.pid!);
    child.kill("SIGINT");
    return { child, output, closed, identity };
  }

  it("prints the exact command that resumes an operation cancelled by Ctrl-C (exit 130)", async () => {
    // A stand-in CLI whose preview runs until it is interrupted, as an engine does.
    const slow = standIn("slow", 'touch "$dir/preview-running"; exec sleep 60');
    const { output, closed } = await interruptedCli(
      slow,
      path.join(stateDir, "slow/preview-running"),
      "preview",
      "--tenant",
      "acme",
      "--operation-id",
      "cancel-1",
    );
    const code = await closed;
    const { stdout, stderr } = output;
    assert.equal(code, 130, `${stdout}${stderr}`);
    assert.match(stderr, /cancelling: running stacks stop cleanly/);
    assert.match(stderr, /Operation cancel-1 was cancelled\.\n/);
    assert.ok(stderr.endsWith(resumeLine("cancel-1").replace(pulumiPath, slow)), stderr);
    const shown = JSON.parse((await cli("--json", "operation", "show", "cancel-1")).out);
    assert.equal(shown.status, "cancelled");
  });

  it("quits at once on a second Ctrl-C (exit 130), leaving no process it started: no worker, engine or plugin", async () => {
    // A stand-in engine deaf to SIGINT (it takes its time to stop), which starts a plugin in a session of
    // its own, as the engine starts the dynamic provider, deaf to SIGINT and SIGTERM too.
    const stubborn = standIn(
      "stubborn",
      [
        "trap '' INT",
        `setsid sh -c 'trap "" INT TERM; echo $$ > "$0/plugin.pid"; exec sleep 60' "$dir" &`,
        'while [ ! -s "$dir/plugin.pid" ]; do sleep 0.05; done',
        'echo $$ > "$dir/engine.pid"',
        "exec sleep 60",
      ].join("\n"),
    );
    const dir = path.dirname(path.dirname(stubborn));
    const pidOf = (name: string) => Number(readFileSync(path.join(dir, name), "utf8").trim());
    const { child, output, closed, identity } = await interruptedCli(
      stubborn,
      path.join(dir, "engine.pid"),
      "preview",
      "--tenant",
      "acme",
      "--operation-id",
      "quit-1",
    );
    assert.ok(identity !== undefined, "the CLI ran until its engine started");
    const [engine, plugin] = [pidOf("engine.pid"), pidOf("plugin.pid")];
    const started = markedProcesses().filter((p) => p.owner === identity);
    assert.ok(
      [engine, plugin].every((pid) => started.some((p) => p.pid === pid)),
      `the engine and its plugin carry the CLI's mark: ${JSON.stringify(started)}`,
    );
    while (!output.stderr.includes("cancelling:") && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(processIdentity(plugin) !== undefined && processIdentity(engine) !== undefined, "the first Ctrl-C stops neither");
    child.kill("SIGINT");
    assert.equal(await closed, 130, `${output.stdout}${output.stderr}`);
    const left = () => markedProcesses().filter((p) => p.owner === identity);
    const deadline = Date.now() + 5_000;
    while (left().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(left(), [], "every process the CLI started ended within 5 s of its exit");
    assert.deepEqual([processIdentity(engine), processIdentity(plugin)], [undefined, undefined]);
  });
});
