/**
 * Messages in the words of each surface (`errors.ts`): the CLI's name its commands and flags, the
 * library's and the HTTP API's (the `message`) name the request's fields and never a CLI flag or
 * command; both survive the wire form (worker IPC, the journal).
 */
import * as assert from "node:assert/strict";
import { EXIT, exitCodeOf, exitCodeOfErrors } from "../../../automation/cli/exitCodes";
import {
  bySurface,
  CancelledError,
  CheckpointUnreadableError,
  fromWire,
  InputError,
  messageOn,
  OperationNotFoundError,
  PassphraseIncorrectError,
  PendingOperationsError,
  problemsOn,
  ProtectedResourcesError,
  PulumiCliNotFoundError,
  StackLockedError,
  StackOperationError,
  TenantNotFoundError,
  toWire,
  wireMessageOn,
} from "../../../automation/errors";
import { NO_DATA_PLANE } from "../../../automation/migration/config";

/** A CLI flag or command named in a message. */
const CLI_WORDS = /`--[a-z]|`tenantstack /;

/** Each error whose advice differs by surface, with a phrase only the CLI's words have and one only the API's have. */
const CASES: [title: string, error: Error, cli: RegExp, api: RegExp][] = [
  ["an unknown tenant", new TenantNotFoundError("acme"), /`tenantstack tenant list`/, /`GET \/tenants`/],
  ["an unknown operation", new OperationNotFoundError("op-9"), /`tenantstack operation list`/, /`GET \/operations`/],
  [
    "a locked stack",
    new StackLockedError("dev-acme", "driver 42"),
    /run `tenantstack recover dev-acme`/,
    /run a `recover` operation \(`\{ "kind": "recover", "stack": "dev-acme" \}`/,
  ],
  [
    "pending operations",
    new PendingOperationsError("dev-acme"),
    /`tenantstack recover dev-acme`/,
    /`\{ "kind": "recover", "stack": "dev-acme" \}`/,
  ],
  [
    "protected data",
    new ProtectedResourcesError("dev-acme", ["postgres"]),
    /then destroy with `--force-destroy-data`\.$/,
    /then destroy with `forceDestroyData: true`\.$/,
  ],
  [
    "a cancel",
    new CancelledError("op-1"),
    /^Operation op-1 was cancelled\.$/,
    /re-run with `operationId` "op-1" \(HTTP: `POST \/operations\/op-1\/resume`\)/,
  ],
  [
    "an unreadable checkpoint",
    new CheckpointUnreadableError("dev-acme", "/b/dev-acme.json", "is empty", [], "/w/dev-acme"),
    /then `tenantstack recover dev-acme`\.$/,
    /then a `recover` operation/,
  ],
  [
    "no Pulumi CLI",
    new PulumiCliNotFoundError(undefined, undefined, "3.259.0", []),
    /set `--pulumi PATH` to a Pulumi CLI binary/,
    /set `pulumiPath` to a Pulumi CLI binary/,
  ],
  [
    "a wrong passphrase",
    new PassphraseIncorrectError("dev-acme"),
    /Set TENANTSTACK_PASSPHRASE to/,
    /Set `workspace.passphrase` \(or TENANTSTACK_PASSPHRASE\) to/,
  ],
  [
    "no data plane",
    new InputError("gc", [NO_DATA_PLANE]),
    /the driver has no `--data-plane FILE` \(or TENANTSTACK_DATA_PLANE\)/,
    /the driver has no `migration.dataPlane`/,
  ],
];

describe("messages on each surface", () => {
  for (const [title, error, cli, api] of CASES) {
    it(`words ${title} for the CLI and for the API, the API's naming no CLI flag, through the wire form too`, () => {
      const cliText = messageOn(error, "cli");
      assert.match(cliText, cli);
      assert.match(error.message, api);
      assert.equal(messageOn(error, "api"), error.message);
      assert.doesNotMatch(error.message, CLI_WORDS, "the API's words name no CLI flag or command");
      assert.doesNotMatch(cliText, api);
      const wire = JSON.parse(JSON.stringify(toWire(error))) as ReturnType<typeof toWire>;
      assert.equal(wire.message, error.message, "the wire form carries the API's words");
      assert.equal(toWire(error, "cli").message, cliText);
      assert.equal(messageOn(fromWire(wire), "cli"), cliText, "rebuilt from the wire, it has the CLI's words again");
      assert.equal(wireMessageOn(wire, "cli"), cliText);
      assert.equal(wireMessageOn(wire, "api"), error.message);
    });
  }

  it("keeps an InputError's problems in both words through the wire form", () => {
    const error = new InputError("migration", ['`to` must be one of "shared", "dedicated" (got "solo")', NO_DATA_PLANE]);
    assert.equal(error.problems[1], NO_DATA_PLANE.api);
    assert.equal(problemsOn(error, "cli")[1], NO_DATA_PLANE.cli);
    const back = fromWire(JSON.parse(JSON.stringify(toWire(error))));
    assert.ok(back instanceof InputError);
    assert.deepEqual(back.problems, error.problems);
    assert.deepEqual(problemsOn(back, "cli"), problemsOn(error, "cli"));
    assert.equal(
      messageOn(back, "cli"),
      `Invalid migration (2 problems):\n  - \`to\` must be one of "shared", "dedicated" (got "solo")\n  - ${NO_DATA_PLANE.cli}`,
    );
  });

  it("fills each part of a text in the words of its surface", () => {
    assert.deepEqual(bySurface`a ${1} b ${{ cli: "--x", api: "x" }} c ${"d"}`, { cli: "a 1 b --x c d", api: "a 1 b x c d" });
  });

  it("reports a wrong passphrase as invalid input: exit 2 alone or among a fleet's failures", () => {
    const error = new PassphraseIncorrectError("dev-acme");
    assert.equal(error.code, "passphrase_incorrect");
    assert.equal(exitCodeOf(error), EXIT.invalidInput);
    assert.equal(exitCodeOfErrors([toWire(new StackOperationError("dev-b", "up", "boom")), toWire(error)]), EXIT.invalidInput);
    assert.equal(exitCodeOf(fromWire(toWire(error))), EXIT.invalidInput);
  });
});
