/**
 * Bad input to the `tenantstack` CLI as a real process: each flag refused before the driver is opened
 * exits 2 naming the flag, its value (unless secret) and what is allowed, with no stack trace, no
 * planted secret in its output, and no state directory, database or home file created.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { tenantSettings } from "../fixtures";
import { assertNoSecret, assertNoStackTrace, FILE_SECRET, NOT_JSON, PASSPHRASE, PROVIDER_VALUE, TOKEN, URL_PASSWORD } from "./planted";

const ROOT = path.resolve(__dirname, "../../../..");
const ENTRY = path.join(ROOT, "automation/cli/main.ts");

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI entry in a process of its own. */
function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", ENTRY, ...args], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** One refused command line: the arguments (with `$DIR` for the case's scratch directory) and what the message must say. */
type Case = [title: string, args: string[], message: RegExp];

const RESERVED = 'is not allowed: no key may be named "__proto__", "constructor" or "prototype"';
const fleet = ["fleet", "upgrade", "--version", "2.0.0"];
const tenant = ["tenant", "create", "acme", "--host", "acme.example.com", "--plan", "dedicated", "--version", "1.0.0"];

const CASES: Case[] = [
  ["--concurrency 0", ["preview", "--concurrency", "0"], /`--concurrency` must be an integer between 1 and 16 \(got 0\)/],
  ["--concurrency abc", ["preview", "--concurrency", "abc"], /`--concurrency` must be an integer between 1 and 16 \(got "abc"\)/],
  ["--concurrency 1.5", ["up", "--concurrency", "1.5"], /`--concurrency` must be an integer between 1 and 16 \(got 1.5\)/],
  [
    "--concurrency 17 (the HTTP API's limit too)",
    ["refresh", "--concurrency", "17"],
    /`--concurrency` must be an integer between 1 and 16 \(got 17\)/,
  ],
  ["--concurrency=-3 on a fleet upgrade", [...fleet, "--concurrency=-3"], /`--concurrency` must be an integer between 1 and 16 \(got -3\)/],
  ["--canary=-1", [...fleet, "--canary=-1"], /`--canary` must be an integer between 0 and 1000 \(got -1\)/],
  ["--canary -1, taken for an option", [...fleet, "--canary", "-1"], /Option '--canary' argument is ambiguous[\s\S]*use '--canary=-XYZ'/],
  ["--wave-size abc", [...fleet, "--wave-size", "abc"], /`--wave-size` must be an integer between 1 and 1000 \(got "abc"\)/],
  ["--wave-size 0", [...fleet, "--wave-size", "0"], /`--wave-size` must be an integer between 1 and 1000 \(got 0\)/],
  [
    "--http-check not a url",
    [...fleet, "--http-check", "not a url"],
    /`--http-check` must be an http:\/\/ or https:\/\/ URL .*\(got "not a url"\)/,
  ],
  [
    "--http-check file:///etc/passwd",
    [...fleet, "--http-check", "file:///etc/passwd"],
    /`--http-check` must be an http:\/\/ or https:\/\/ URL .*\(got "file:\/\/\/etc\/passwd"\)/,
  ],
  [
    "--http-check with a password",
    [...fleet, "--http-check", `ftp://ops:${URL_PASSWORD}@health.example.com/`],
    /`--http-check` must be an http:\/\/ or https:\/\/ URL .*\(got "ftp:\/\/ops:\*\*\*@health.example.com\/"\)/,
  ],
  [
    "--version with a space",
    ["fleet", "upgrade", "--version", "1.0 final"],
    /`--version` must be an image tag such as "2.4.1".*\(got "1.0 final"\)/,
  ],
  ["a fleet upgrade without --version", ["fleet", "upgrade"], /`--version` is required/],
  ["--tenant that is no tenant name", ["preview", "--tenant", "Acme Corp"], /`--tenant` must be a DNS-1123 label.*\(got "Acme Corp"\)/],
  ["destroy without --tenant", ["destroy"], /`--tenant` must list at least one tenant/],
  [
    "--operation-id with spaces",
    ["up", "--operation-id", "my op"],
    /`--operation-id` must be 1-100 letters, digits, '.', '_' or '-' \(got "my op"\)/,
  ],
  ["gc --now yesterday", ["gc", "--now", "yesterday"], /`--now` must be an ISO 8601 time .*\(got "yesterday"\)/],
  ["migrate --to solo", ["migrate", "acme", "--to", "solo"], /`--to` must be one of "shared", "dedicated" \(got "solo"\)/],
  ["migrate of no tenant name", ["migrate", "Acme!", "--to", "shared"], /`<tenant>` must be a DNS-1123 label.*\(got "Acme!"\)/],
  ["migrate without a tenant", ["migrate"], /`<tenant>` is required: `migrate <tenant> \[--to shared\|dedicated\] \[--cluster C\]/],
  ["recover without a stack", ["recover"], /`<stack>` is required: `recover <stack> \[--concurrency N\] \[--operation-id ID\]`/],
  ["tenant show without a name", ["tenant", "show"], /`<name>` is required: `tenant show <name>`/],
  ["operation show without an id", ["operation", "show"], /`<id>` is required: `operation show <id>`/],
  ["operation resume without an id", ["operation", "resume"], /`<id>` is required: `operation resume <id> \[--concurrency N\]`/],
  [
    "operation resume --concurrency 0",
    ["operation", "resume", "op-1", "--concurrency", "0"],
    /`--concurrency` must be an integer between 1 and 16 \(got 0\)/,
  ],
  [
    "operation list --status done",
    ["operation", "list", "--status", "done"],
    /`--status` must be one of "running", "succeeded", "failed", "cancelled" \(got "done"\)/,
  ],
  ["an unknown command", ["launch"], /`command` must be one of the commands of `tenantstack --help` \(got "launch"\)/],
  ["an unknown option", ["up", "--force"], /Unknown option '--force'\. /],
  [
    "a misspelt option, the one meant named",
    ["preview", "--concurency", "2"],
    /Unknown option '--concurency' \(did you mean "--concurrency"\?\)/,
  ],
  [
    "a misspelt option of a command, among its own flags",
    ["tenant", "update", "acme", "--dryrun"],
    /Unknown option '--dryrun' \(did you mean "--dry-run"\?\)/,
  ],
  [
    "a misspelt command, the one meant named",
    ["provison", "acme"],
    /`command` must be one of the commands of `tenantstack --help` \(did you mean "provision"\?\) \(got "provison acme"\)/,
  ],
  ["a misspelt two-word command", ["tenant", "crate", "acme"], /\(did you mean "tenant create"\?\) \(got "tenant crate acme"\)/],
  ["a passphrase given as an option, its value not shown", ["up", `--passphrase=${PROVIDER_VALUE}`], /Unknown option '--passphrase'/],
  [
    "a tenant name that is no DNS label",
    ["tenant", "create", "Acme!", ...tenant.slice(3)],
    /`<name>` must be a DNS-1123 label.*\(got "Acme!"\)/,
  ],
  [
    "a tenant's host and plan, both named",
    ["tenant", "create", "acme", "--host", "not a host", "--plan", "solo", "--version", "1.0.0"],
    /2 problems[\s\S]*`--host` must be a DNS-1123 host name.*\(got "not a host"\)[\s\S]*`--plan` must be one of "shared", "dedicated" \(got "solo"\)/,
  ],
  [
    "a dedicated tenant named shared",
    ["tenant", "create", "shared", ...tenant.slice(3)],
    /`<name>` must not be "shared": a dedicated tenant's stack is "<environment>-<tenant>"/,
  ],
  ["provision of a tenant named shared", ["provision", "shared", ...tenant.slice(3)], /`<name>` must not be "shared"/],
  ["a tenant name with a ;", ["tenant", "create", "acme;id", ...tenant.slice(3)], /`<name>` must be a DNS-1123 label.*\(got "acme;id"\)/],
  [
    "a tenant --host that is an IP address",
    ["tenant", "create", "acme", "--host", "10.0.0.1", "--plan", "dedicated", "--version", "1.0.0"],
    /`--host` must be a DNS-1123 host name.*\(got "10.0.0.1"\)/,
  ],
  [
    "--settings with a plaintext credential, its value not shown",
    [...tenant, "--settings", "$DIR/creds.json"],
    /`--settings api.env.POSTGRES_PASSWORD` must not name a credential of the stack.*\(got "POSTGRES_PASSWORD"\)/,
  ],
  ["a tenant without --host", ["tenant", "create", "acme", "--plan", "dedicated", "--version", "1"], /`--host` is required/],
  ["a tenant's --environment", [...tenant, "--environment", "qa"], /`--environment` must be one of "dev", "staging", "prod" \(got "qa"\)/],
  [
    "provision with --concurrency 0",
    ["provision", "acme", ...tenant.slice(3), "--concurrency", "0"],
    /`--concurrency` must be an integer between 1 and 16 \(got 0\)/,
  ],
  [
    "--settings naming a file that is not JSON",
    [...tenant, "--settings", "$DIR/settings.txt"],
    /`--settings` must be a JSON file: ".*settings.txt" is not valid JSON at line 2, column 18 \(its content is not shown\)/,
  ],
  [
    "--settings naming no file",
    [...tenant, "--settings", "$DIR/missing.json"],
    /`--settings` must be a readable JSON file \(got ".*missing.json": ENOENT\)/,
  ],
  [
    "--settings naming a JSON list",
    [...tenant, "--settings", "$DIR/list.json"],
    /`--settings` must be a map of stack settings \(got a list of 1\)/,
  ],
  [
    "--settings with an unknown setting",
    [...tenant, "--settings", "$DIR/typo.json"],
    /`--settings apii` is not a known setting \(did you mean "api"\?\)/,
  ],
  [
    "--settings with a misspelt nested setting",
    [...tenant, "--settings", "$DIR/near.json"],
    /`--settings api.replcias` is not a known setting \(did you mean "replicas"\?\)/,
  ],
  [
    "--settings whose top level is a __proto__ key",
    [...tenant, "--settings", "$DIR/proto.json"],
    new RegExp(`\`--settings __proto__\` ${RESERVED}`),
  ],
  [
    "provision --settings whose api holds a __proto__ key",
    ["provision", "acme", ...tenant.slice(3), "--settings", "$DIR/nested-proto.json"],
    new RegExp(`\`--settings api.__proto__\` ${RESERVED}`),
  ],
  [
    "--settings whose env holds constructor and prototype keys",
    [...tenant, "--settings", "$DIR/env-constructor.json"],
    new RegExp(`\`--settings api.env.constructor\` ${RESERVED}[\\s\\S]*\`--settings api.env.prototype\` ${RESERVED}`),
  ],
  [
    "tenant update --settings whose api holds a __proto__ key",
    ["tenant", "update", "acme", "--settings", "$DIR/patch-proto.json"],
    new RegExp(`\`--settings api.__proto__\` ${RESERVED}`),
  ],
  [
    "migrate --settings whose top level is a __proto__ key",
    ["migrate", "acme", "--to", "dedicated", "--settings", "$DIR/proto.json"],
    new RegExp(`\`--settings __proto__\` ${RESERVED}`),
  ],
  [
    "--settings declaring app secrets the driver cannot supply",
    [...tenant, "--settings", "$DIR/secrets.json"],
    /`--settings secrets.appSecretNames\[0\]` \("STRIPE_KEY"\) needs a value the driver cannot supply.*`secrets.source: external`/,
  ],
  [
    "migrate --settings that is not JSON",
    ["migrate", "acme", "--to", "dedicated", "--settings", "$DIR/settings.txt"],
    /`--settings` must be a JSON file: .* is not valid JSON at line 2, column 18/,
  ],
  [
    "--data-plane naming a file that is not JSON",
    ["--data-plane", "$DIR/settings.txt", "gc"],
    /`--data-plane` must be a JSON file: ".*settings.txt" is not valid JSON at line 2, column 18/,
  ],
  [
    "--data-plane with a bad URL",
    ["--data-plane", "$DIR/plane.json", "gc"],
    /`dev-shared` must be \{ postgresUrl: postgres:\/\/\.\.\., redisUrl: redis:\/\/\.\.\. \} with valid URLs \(values not shown\)/,
  ],
  ["--port 0", ["serve", "--port", "0"], /`--port` must be an integer between 1 and 65535 \(got 0\)/],
  ["--port abc", ["serve", "--port", "abc"], /`--port` must be an integer between 1 and 65535 \(got "abc"\)/],
  ["--port 70000", ["serve", "--port", "70000"], /`--port` must be an integer between 1 and 65535 \(got 70000\)/],
  [
    "--listen not a host",
    ["serve", "--listen", "not a host"],
    /`--listen` must be an IP address or a host name to listen on.*\(got "not a host"\)/,
  ],
  [
    "--listen with a port",
    ["serve", "--listen", "127.0.0.1:80"],
    /`--listen` must be an IP address or a host name to listen on.*\(got "127.0.0.1:80"\)/,
  ],
  [
    "--identity with a slash",
    ["--identity", "a/b", "tenant", "list"],
    /`--identity` must be 1 to 253 letters, digits and .* \(got "a\/b"\)/,
  ],
  [
    "--lease-ttl abc",
    ["--lease-ttl", "abc", "tenant", "list"],
    /`--lease-ttl` must be a number of seconds between 1 and 3600 \(got "abc"\)/,
  ],
  [
    "--heartbeat past half of --lease-ttl",
    ["--lease-ttl", "4", "--heartbeat", "3", "tenant", "list"],
    /`--heartbeat` must be at most half of the lease's time to live \(4 s\), so that one late heartbeat does not lose a lease \(got 3\)/,
  ],
  [
    "--database of another scheme, its password hidden",
    ["--database", `mysql://root:${URL_PASSWORD}@db/x`, "tenant", "list"],
    /`--database` must be a SQLite file path .*\(got "mysql:\/\/root:\*\*\*@db\/x"\)/,
  ],
  [
    "--database postgres:// without a host",
    ["--database", "postgres://", "tenant", "list"],
    /`--database` must be a SQLite file path .*\(got "postgres:\/\/"\)/,
  ],
  ["--database naming a directory", ["--database", "$DIR", "tenant", "list"], /`--database` must be a SQLite file: it is a directory/],
  [
    "--database under a file",
    ["--database", "$DIR/settings.txt/db.sqlite", "tenant", "list"],
    /`--database` cannot be created: .*settings.txt is a file/,
  ],
  [
    "--state-dir naming a file",
    ["--state-dir", "$DIR/settings.txt", "tenant", "list"],
    /`--state-dir` must be a directory: it is a file \(got ".*settings.txt"\)/,
  ],
  [
    "--state-dir under a file",
    ["--state-dir", "$DIR/settings.txt/state", "tenant", "list"],
    /`--state-dir` cannot be created: .*settings.txt is a file/,
  ],
  ["an empty --state-dir", ["--state-dir", "", "tenant", "list"], /`--state-dir` must be a directory path .*\(got ""\)/],
  [
    "--secrets-provider, its value never shown",
    ["--secrets-provider", PROVIDER_VALUE, "tenant", "list"],
    /`secretsProvider` must be "passphrase" or a URL starting with .* \(the value given is not shown\)/,
  ],
  [
    "--backend of another scheme, its password hidden",
    ["--backend", `ftp://ops:${URL_PASSWORD}@state`, "tenant", "list"],
    /`backendUrl` must start with file:\/\/.*\(got "ftp:\/\/ops:\*\*\*@state"\)/,
  ],
  ["--clusters without a kubeconfig", ["--clusters", "edge", "tenant", "list"], /`--clusters` entries must be NAME=KUBECONFIG/],
  ["serve without a token", ["serve"], /`token` \(TENANTSTACK_API_TOKEN\) is required, at least 16 characters/],
  [
    "--json output of a refused flag",
    ["--json", "preview", "--concurrency", "0"],
    /"name": "InputError"[\s\S]*`--concurrency` must be an integer between 1 and 16 \(got 0\)/,
  ],
];

/** The files each case's directory starts with (its `home` directory besides). */
const FILES = [
  "creds.json",
  "env-constructor.json",
  "list.json",
  "near.json",
  "nested-proto.json",
  "patch-proto.json",
  "plane.json",
  "proto.json",
  "secrets.json",
  "settings.txt",
  "typo.json",
];

/** The cases whose token must be missing (the API token is planted everywhere else). */
const WITHOUT_TOKEN = new Set(["serve without a token"]);

describe("bad input to the CLI process", function () {
  // Each case is a Node.js process compiling the CLI: generous on a loaded machine.
  this.timeout(300_000);
  let dir: string;
  const results = new Map<string, Run & { dir: string }>();

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "tenantstack-badcli-"));
    // Two processes at a time: the machine stays usable.
    const queue = [...CASES];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [title, args] = next;
        const caseDir = path.join(dir, String(CASES.indexOf(next)));
        mkdirSync(path.join(caseDir, "home"), { recursive: true });
        writeFileSync(path.join(caseDir, "settings.txt"), NOT_JSON);
        writeFileSync(path.join(caseDir, "list.json"), "[1]");
        writeFileSync(path.join(caseDir, "typo.json"), JSON.stringify({ ...tenantSettings(), apii: {} }));
        const settings = tenantSettings();
        writeFileSync(path.join(caseDir, "near.json"), JSON.stringify({ ...settings, api: { ...settings.api, replcias: 2 } }));
        writeFileSync(
          path.join(caseDir, "proto.json"),
          `{"__proto__": {"ollama": {"enabled": true}}, ${JSON.stringify(settings).slice(1)}`,
        );
        writeFileSync(
          path.join(caseDir, "nested-proto.json"),
          JSON.stringify(settings).replace('"api":{', '"api":{"__proto__":{"replicas":5},'),
        );
        writeFileSync(
          path.join(caseDir, "env-constructor.json"),
          JSON.stringify({ ...settings, api: { ...settings.api, env: { constructor: "x", prototype: "y" } } }),
        );
        writeFileSync(path.join(caseDir, "patch-proto.json"), '{"api": {"__proto__": {"replicas": 5}}}');
        writeFileSync(
          path.join(caseDir, "creds.json"),
          JSON.stringify({ ...settings, api: { ...settings.api, env: { POSTGRES_PASSWORD: FILE_SECRET } } }),
        );
        writeFileSync(
          path.join(caseDir, "secrets.json"),
          JSON.stringify({
            ...tenantSettings(),
            secrets: { source: "generated", passwordProvider: "builtin", appSecretNames: ["STRIPE_KEY"] },
          }),
        );
        writeFileSync(
          path.join(caseDir, "plane.json"),
          JSON.stringify({ "dev-shared": { postgresUrl: `postgres://u:${URL_PASSWORD}@`, redisUrl: "x" } }),
        );
        const env: NodeJS.ProcessEnv = {
          PATH: process.env.PATH,
          HOME: path.join(caseDir, "home"),
          TENANTSTACK_STATE_DIR: path.join(caseDir, "state"),
          TENANTSTACK_PASSPHRASE: PASSPHRASE,
          ...(WITHOUT_TOKEN.has(title) ? {} : { TENANTSTACK_API_TOKEN: TOKEN }),
        };
        const result = await runCli(
          args.map((a) => a.replace("$DIR", caseDir)),
          env,
        );
        results.set(title, { ...result, dir: caseDir });
      }
    };
    await Promise.all([worker(), worker()]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [title, , message] of CASES) {
    it(`refuses ${title}: exit 2, the flag named, no secret, nothing created`, () => {
      const result = results.get(title)!;
      const output = `${result.stdout}${result.stderr}`;
      assert.equal(result.code, 2, output);
      assert.match(output, message);
      assertNoSecret(output, "the CLI's output");
      assertNoStackTrace(output, "the CLI's output");
      assert.ok(!output.includes(FILE_SECRET) && !output.includes("postgres://admin"), "a file's content is never shown");
      assert.equal(existsSync(path.join(result.dir, "state")), false, "no state directory was created");
      assert.deepEqual(readdirSync(path.join(result.dir, "home")), [], "nothing was written to the home directory");
      assert.equal(readFileSync(path.join(result.dir, "settings.txt"), "utf8"), NOT_JSON, "a file named as a path was not overwritten");
      assert.deepEqual(readdirSync(result.dir).sort(), [...FILES, "home"].sort(), "no database or other file was created");
    });
  }

  it("covers at least 50 command lines", () => assert.ok(CASES.length >= 50, `${CASES.length} cases`));
});
