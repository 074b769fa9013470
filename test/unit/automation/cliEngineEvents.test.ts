/**
 * The CLI fed an engine's events through its real workers: a stand-in Pulumi CLI whose preview writes the
 * events of an `api.replicas` change 1 -> 2 to the event log the Automation API reads (the log file of a
 * CLI before 3.206). `preview --json` lists the changed keys and no value; on a terminal, the progress
 * board's detail column shows the resource step at work, then how many ran.
 */
import * as assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { type CliRun, runCli } from "../../support/cliRun";
import { API, SETTINGS_CHECKSUM, VALUES, apiReplicasEvents } from "./changeEvents";
import { tenantSettings } from "./fixtures";

describe("the CLI fed a stand-in engine's events", function () {
  // Real workers: a Node.js process each, loading the program.
  this.timeout(180_000);
  let stateDir: string;
  let pulumi: string;

  before(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), "tenantstack-engine-events-"));
    const dir = path.join(stateDir, "engine");
    pulumi = path.join(dir, "bin/pulumi");
    mkdirSync(path.dirname(pulumi), { recursive: true });
    writeFileSync(
      path.join(dir, "events.jsonl"),
      apiReplicasEvents()
        .map((event) => `${JSON.stringify(event)}\n`)
        .join(""),
    );
    // Its preview appends the events to the log given with --event-log, and gives the Automation API's tail
    // (polling every 200 ms) time to read them before it exits.
    writeFileSync(
      pulumi,
      [
        "#!/bin/sh",
        `dir='${dir}'`,
        'case "$1" in',
        "  version) echo v3.200.0 ;;",
        "  preview)",
        '    log=""; previous=""',
        '    for arg in "$@"; do [ "$previous" = "--event-log" ] && log="$arg"; previous="$arg"; done',
        '    cat "$dir/events.jsonl" >> "$log"',
        "    sleep 1 ;;",
        "esac",
        "exit 0",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const settings = path.join(stateDir, "settings.json");
    writeFileSync(settings, JSON.stringify(tenantSettings()));
    const created = await cli(
      "tenant",
      "create",
      "acme",
      "--host",
      "acme.example.com",
      "--plan",
      "dedicated",
      "--version",
      "1.0.0",
      "--settings",
      settings,
    );
    assert.equal(created.code, 0, created.err);
  });
  after(() => rmSync(stateDir, { recursive: true, force: true }));

  function cli(...args: string[]): Promise<CliRun> {
    return runCli(["--state-dir", stateDir, "--pulumi", pulumi, ...args], "unit-test-passphrase");
  }

  it("lists each changing resource's keys in `preview --json`, and no value", async () => {
    const run = await cli("--json", "preview", "--tenant", "acme");
    assert.equal(run.code, 0, run.out + run.err);
    const result = JSON.parse(run.out);
    assert.equal(result.stacks[0].status, "succeeded", run.out);
    assert.deepEqual(
      result.stacks[0].result.changes.resources.map((r: { urn: string; kind: string; diffs: string[] }) => [r.urn, r.kind, r.diffs]),
      [[API, "update", ["spec.replicas", SETTINGS_CHECKSUM]]],
    );
    // The images of the tenant's version come from the registry, and may equal a value of the engine's.
    const shown = JSON.stringify(result, (key, field: unknown) => (key === "images" ? undefined : field));
    for (const value of VALUES) assert.ok(!shown.includes(value), `${value} is not in the output`);
  });

  it("fills the progress board's detail column on a terminal: the resource step at work, then how many ran", async () => {
    const writes: string[] = [];
    const terminal = { isTTY: true, columns: 120, write: (text: string) => writes.push(text) };
    const run = await runCli(
      ["--state-dir", stateDir, "--pulumi", pulumi, "preview", "--tenant", "acme"],
      "unit-test-passphrase",
      terminal,
    );
    assert.equal(run.code, 0, run.out + run.err);
    /** The rows of each frame drawn, without the escape that erases the frame before. */
    const rows = writes.flatMap((frame) => frame.replace(/^\x1b\[\d+F\x1b\[J/, "").split("\n")).filter((row) => row.startsWith("dev-acme"));
    assert.ok(
      rows.some((row) => /^dev-acme +started +\d+s +update Deployment tenantstack-api-deployment$/.test(row)),
      `the step at work:\n${rows.join("\n")}`,
    );
    assert.match(rows[rows.length - 1], /^dev-acme +succeeded +\d+s +1 resource step$/);
    assert.equal(run.err, "", "progress is on the board, not in lines");
    assert.match(run.out, /\n {4}~ {2}kubernetes:apps\/v1:Deployment tenantstack-api-deployment\n {7}~ spec\.replicas\n/);
  });
});
