/**
 * The CLI's table of commands (`cli/commands.ts`) and what is made of it: the global usage, each
 * command's help (`<command> --help` and `help <command>` alike), the flags a command takes, and
 * argument errors as JSON with `--json`. Nothing here opens a driver: no state is created.
 */
import * as assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { checkFlags, commandHelp, commandOf, COMMANDS, FLAGS, usage } from "../../../automation/cli/commands";
import { type CliRun, runCli } from "../../support/cliRun";

/** The words of an example command line (single quotes kept together), without an environment assignment before the command. */
function words(line: string): string[] {
  const found: string[] = line.match(/'[^']*'|\S+/g) ?? [];
  const start = found.indexOf("tenantstack");
  return found.slice(start + 1).map((w) => w.replace(/^'(.*)'$/, "$1"));
}

describe("the CLI's commands and their help", () => {
  let stateDir: string;
  beforeEach(() => (stateDir = mkdtempSync(path.join(tmpdir(), "tenantstack-help-"))));
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  async function cli(...args: string[]): Promise<CliRun> {
    return runCli(["--state-dir", path.join(stateDir, "state"), ...args]);
  }
  const untouched = () => assert.equal(existsSync(path.join(stateDir, "state")), false, "no state directory was created");

  it("prints the global usage with --help and `help`: every command of the table, the global options, the exit codes", async () => {
    const help = await cli("--help");
    assert.equal(help.code, 0);
    assert.equal(help.err, "");
    assert.equal(help.out, `${usage()}\n`);
    for (const command of COMMANDS) assert.match(help.out, new RegExp(`\n  ${command.name}\\b`), command.name);
    assert.match(help.out, /--state-dir DIR +driver files/);
    assert.match(help.out, /Exit codes: 0 ok, 1 a stack failed, 2 invalid input/);
    assert.equal((await cli("help")).out, help.out);
    untouched();
  });

  for (const command of COMMANDS.filter((c) => c.name !== "help")) {
    it(`prints the help of \`${command.name}\` with --help and with \`help ${command.name}\`: usage, flags, example`, async () => {
      const help = await cli(...command.name.split(" "), "--help");
      assert.equal(help.code, 0, help.err);
      assert.equal(help.out, `${commandHelp(command)}\n`);
      assert.ok(help.out.startsWith(`Usage: tenantstack [options] ${command.name}`), help.out);
      for (const flag of [...(command.required ?? []), ...(command.flags ?? [])])
        assert.match(help.out, new RegExp(`\n  --${flag}\\b`), flag);
      assert.match(help.out, new RegExp(`Example:\n  .*tenantstack .*${command.name}`));
      assert.equal((await cli("help", ...command.name.split(" "))).out, help.out);
      untouched();
    });
  }

  it("gives each command an example that its own flags parse", () => {
    for (const command of COMMANDS) {
      const { values, positionals } = parseArgs({ args: words(command.example), options: FLAGS, allowPositionals: true, strict: true });
      assert.equal(commandOf(positionals)?.command.name, command.name, command.example);
      checkFlags(command, Object.keys(values));
      for (const flag of command.required ?? []) assert.ok(flag in values, `${command.example} gives --${flag}`);
    }
  });

  it("prints a group's commands with `<group> --help`", async () => {
    const help = await cli("operation", "--help");
    assert.equal(help.code, 0);
    assert.match(help.out, /^Usage: tenantstack \[options\] operation <list\|show\|resume> \.\.\.\n/);
    assert.match(help.out, /\n  operation list +the journal's operations, newest first\n/);
    assert.match(help.out, /\n  operation resume <id> +resume a failed, cancelled or interrupted operation/);
  });

  it("refuses help of no command (exit 2)", async () => {
    const result = await cli("help", "launch");
    assert.equal(result.code, 2);
    assert.match(result.err, /`command` must be one of the commands of `tenantstack --help` \(got "launch"\)/);
  });

  it("refuses a flag of another command, naming the command's own flags, before anything is opened", async () => {
    const result = await cli("preview", "--canary", "2", "--tenant", "acme");
    assert.equal(result.code, 2);
    assert.match(
      result.err,
      /`--canary` is not a flag of `preview`: its flags are --tenant, --save-plan, --concurrency, --operation-id \(see `tenantstack preview --help`\)/,
    );
    const list = await cli("tenant", "list", "--force-destroy-data");
    assert.match(list.err, /`--force-destroy-data` is not a flag of `tenant list`: it takes no flags of its own/);
    untouched();
  });

  it("shows the command's help after an argument error", async () => {
    const result = await cli("up", "--force");
    assert.equal(result.code, 2);
    assert.match(result.err, /^Invalid arguments \(1 problem\):\n  - Unknown option '--force'/);
    assert.match(result.err, /\n\nUsage: tenantstack \[options\] up \[--tenant T\]\.\.\. \[--saved-plan\]/);
  });

  const jsonErrors: [string, string[], RegExp][] = [
    ["an unknown option", ["--json", "up", "--force"], /Unknown option '--force'/],
    ["an option missing its value", ["--json", "fleet", "upgrade", "--version"], /Option '--version <value>' argument missing/],
    ["no command", ["--json"], /a command is required/],
    ["an unknown command", ["--json", "launch"], /`command` must be one of the commands of `tenantstack --help` \(got "launch"\)/],
    ["a flag of another command", ["up", "--canary", "1", "--json"], /`--canary` is not a flag of `up`/],
    ["help of no command", ["--json", "help", "launch"], /\(got "launch"\)/],
  ];
  for (const [title, args, message] of jsonErrors) {
    it(`reports ${title} as JSON on stdout with --json (exit 2), nothing on stderr`, async () => {
      const result = await cli(...args);
      assert.equal(result.code, 2);
      assert.equal(result.err, "");
      const { error } = JSON.parse(result.out) as { error: { name: string; message: string; args: unknown[] } };
      assert.equal(error.name, "InputError");
      assert.match(error.message, message);
      untouched();
    });
  }

  it("takes `--json` after `--` as a positional, not as the flag", async () => {
    const result = await cli("help", "--", "--json");
    assert.equal(result.code, 2);
    assert.equal(result.out, "");
    assert.match(result.err, /`command` must be one of the commands of `tenantstack --help` \(got "--json"\)/);
  });
});
