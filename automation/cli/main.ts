#!/usr/bin/env node
/**
 * The `tenantstack` CLI: the driver's operations, human output with live progress (or `--json`), and
 * exit codes that say what happened (see `exitCodes.ts`). The passphrase is read from the
 * environment only (`TENANTSTACK_PASSPHRASE`), never from arguments.
 */
import { parseArgs } from "node:util";
import { ServeSettingsSchema } from "../../schema/driverOptions";
import { OperationRequestSchema } from "../../schema/operations";
import { TenantInputSchema } from "../../schema/tenantInput";
import { parseClusterList } from "../clusters";
import type { Driver, DriverOptions, OperationResult } from "../driver";
import { InputError, toWire } from "../errors";
import { parseInput } from "../input";
import { readJsonFile } from "../jsonFile";
import type { DriverEvent, OperationOptions } from "../operations/events";
import { runRequest } from "../requests";
import { redact, redactDeep } from "../redact";
import { checkTenantSettings } from "../registry/tenant";
import type { TenantFields } from "../types";
import { EXIT, exitCodeOf, exitCodeOfErrors } from "./exitCodes";
import { readDataPlaneFile } from "../migration/staticDataPlane";
import { gcSummary, migrationSummary, operationSummary, progressLine, tenantTable, upgradeSummary } from "./output";
import { ProgressBoard, type Terminal } from "./progressBoard";

const USAGE = `Usage: tenantstack [options] <command>

Commands:
  tenant create <name> --host H --plan shared|dedicated --version V [--environment E] [--region R] [--cluster C] [--settings FILE.json]
  tenant list | tenant show <name> | tenant delete <name>
  provision <name> (options of tenant create)   register a tenant and bring its stack up
  preview [--tenant T]... [--save-plan]          changes per stack; --save-plan saves the plan to approve
  up [--tenant T]... [--saved-plan]              update stacks; --saved-plan applies exactly the saved plan
  refresh [--tenant T]...                        refresh from the cluster and report drift
  outputs [--tenant T]...
  destroy --tenant T... [--force-destroy-data]
  recover <stack>                                repair the checkpoint, cancel a stale lock, adopt or clear pending operations, refresh
  fleet upgrade --version V [--canary N] [--wave-size N] [--rollback] [--http-check URL] [--tenant T]...
  migrate <tenant> --to dedicated|shared [--cluster C] [--settings FILE.json] [--dry-run]
                                                 move a tenant between the shared stack and a stack of its own
  migrate <tenant> --rollback                    move it back while the source copy is kept
  gc [--now ISO-TIME]                            remove migrations' source copies past their grace period
  operation show <id>
  serve [--port P] [--listen HOST]               the HTTP API (bearer token from TENANTSTACK_API_TOKEN)

Options:
  --state-dir DIR        driver files (default ~/.tenantstack; env TENANTSTACK_STATE_DIR)
  --backend URL          file://, s3://, gs://, azblob:// or https://api.pulumi.com (env TENANTSTACK_BACKEND_URL)
  --secrets-provider P   passphrase (env TENANTSTACK_PASSPHRASE) or a KMS/Key Vault/Vault URL
  --database URL         SQLite file or postgres:// URL (env TENANTSTACK_DATABASE_URL)
  --pulumi PATH          the Pulumi CLI (default: the toolchain cache, else PATH)
  --kubeconfig FILE      the cluster of the stacks when --clusters is not given (env KUBECONFIG)
  --concurrency N        stacks at once (default 2)
  --operation-id ID      resume an operation
  --data-plane FILE      JSON { "<stack>": { postgresUrl, redisUrl } } for migrate and gc (env TENANTSTACK_DATA_PLANE)
  --clusters N=FILE,...  the clusters stacks run on, each with its kubeconfig (default local=--kubeconfig;
                         env TENANTSTACK_CLUSTERS)
  --json                 machine-readable result on stdout
Exit codes: 0 ok, 1 a stack failed, 2 invalid input, 3 stack locked, 4 plan mismatch, 5 protected data, 70 internal, 130 cancelled.`;

const OPTIONS = {
  "state-dir": { type: "string" },
  backend: { type: "string" },
  "secrets-provider": { type: "string" },
  database: { type: "string" },
  pulumi: { type: "string" },
  kubeconfig: { type: "string" },
  concurrency: { type: "string" },
  "operation-id": { type: "string" },
  json: { type: "boolean" },
  tenant: { type: "string", multiple: true },
  host: { type: "string" },
  plan: { type: "string" },
  version: { type: "string" },
  environment: { type: "string" },
  region: { type: "string" },
  cluster: { type: "string" },
  settings: { type: "string" },
  "save-plan": { type: "boolean" },
  "saved-plan": { type: "boolean" },
  "force-destroy-data": { type: "boolean" },
  canary: { type: "string" },
  "wave-size": { type: "string" },
  rollback: { type: "boolean" },
  "http-check": { type: "string" },
  to: { type: "string" },
  "dry-run": { type: "boolean" },
  now: { type: "string" },
  "data-plane": { type: "string" },
  clusters: { type: "string" },
  port: { type: "string" },
  listen: { type: "string" },
  help: { type: "boolean" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

/** The flag (or argument) of each field of the driver's input models, for messages. */
const FLAGS: Record<string, string> = {
  tenants: "--tenant",
  concurrency: "--concurrency",
  operationId: "--operation-id",
  savePlan: "--save-plan",
  savedPlan: "--saved-plan",
  forceDestroyData: "--force-destroy-data",
  stack: "<stack>",
  tenant: "<tenant>",
  version: "--version",
  canary: "--canary",
  waveSize: "--wave-size",
  rollback: "--rollback",
  httpCheckUrl: "--http-check",
  to: "--to",
  cluster: "--cluster",
  settings: "--settings",
  dryRun: "--dry-run",
  now: "--now",
  stateDir: "--state-dir",
  database: "--database",
  port: "--port",
};
/** The flags of a tenant's fields (`tenant create`, `provision`). */
const TENANT_FLAGS: Record<string, string> = {
  name: "<name>",
  host: "--host",
  plan: "--plan",
  version: "--version",
  environment: "--environment",
  region: "--region",
  cluster: "--cluster",
  settings: "--settings",
};

/** A field path of an input model as the flag it came from (`tenants[0]` is `--tenant`, `settings.api` is `--settings api`). */
function flagOf(path: string, flags: Record<string, string> = FLAGS): string {
  const match = /^([^.[]+)(?:\[\d+\])?\.?(.*)$/.exec(path);
  if (!match) return path;
  const [, head, rest] = match;
  if (head === "tenant" && flags === FLAGS && rest !== "") return flagOf(rest, TENANT_FLAGS);
  const flag = flags[head] ?? head;
  return rest === "" ? flag : `${flag} ${rest}`;
}

/** A number flag as a number when it reads as one, else as given (so the schema's message shows it). */
function numeric(text: string | undefined): number | string | undefined {
  return text !== undefined && /^\s*-?[0-9]+(\.[0-9]+)?\s*$/.test(text) ? Number(text) : text;
}

/** The settings file given with `--settings`, or undefined. */
function settingsFile(values: Values): unknown {
  return values.settings === undefined ? undefined : readJsonFile(values.settings, "--settings");
}

/** A positional argument a command needs, or an InputError naming it. */
function required(value: string | undefined, name: string, usage: string): string {
  if (value === undefined || value === "") throw new InputError("options", [`\`${name}\` is required: \`${usage}\``]);
  return value;
}

/** The tenant given on the command line, as the tenant model takes it. */
function tenantOf(name: string | undefined, values: Values): Record<string, unknown> {
  const settings = settingsFile(values);
  return {
    name: required(name, "<name>", "tenant create <name> --host H --plan P --version V"),
    host: values.host,
    plan: values.plan,
    version: values.version,
    ...(values.environment !== undefined ? { environment: values.environment } : {}),
    ...(values.region !== undefined ? { region: values.region } : {}),
    ...(values.cluster !== undefined ? { cluster: values.cluster } : {}),
    ...(settings !== undefined ? { settings } : {}),
  };
}

/** The `POST /operations` body a command stands for, built from its flags (undefined for other commands). */
function requestOf(command: string, sub: string | undefined, values: Values): Record<string, unknown> | undefined {
  const common = { operationId: values["operation-id"], concurrency: numeric(values.concurrency) };
  const tenants = values.tenant;
  switch (command) {
    case "provision":
      return { kind: "provision", tenant: tenantOf(sub, values), ...common };
    case "preview":
      return { kind: "preview", tenants, savePlan: values["save-plan"], ...common };
    case "up":
      return { kind: "up", tenants, savedPlan: values["saved-plan"], ...common };
    case "refresh":
    case "outputs":
      return { kind: command, tenants, ...common };
    case "destroy":
      return { kind: "destroy", tenants: tenants ?? [], forceDestroyData: values["force-destroy-data"], ...common };
    case "recover":
      return { kind: "recover", stack: required(sub, "<stack>", "recover <stack>"), ...common };
    case "fleet":
      if (sub !== "upgrade") return undefined;
      return {
        kind: "fleet-upgrade",
        version: values.version,
        tenants,
        canary: numeric(values.canary),
        waveSize: numeric(values["wave-size"]),
        rollback: values.rollback,
        httpCheckUrl: values["http-check"],
        ...common,
      };
    case "migrate":
      return {
        kind: "migrate",
        tenant: required(sub, "<tenant>", "migrate <tenant> --to dedicated|shared"),
        to: values.to,
        cluster: values.cluster,
        settings: settingsFile(values),
        dryRun: values["dry-run"],
        rollback: values.rollback,
        ...common,
      };
    case "gc":
      return { kind: "gc", now: values.now, ...common };
    default:
      return undefined;
  }
}

/** The driver's options from the flags and environment, checked (nothing is opened). */
async function driverOptionsOf(values: Values): Promise<DriverOptions> {
  // The driver (and the Automation API) load only once the command's own input is checked.
  const { checkDriverOptions } = await import("../driverOptions");
  const kubeconfig = values.kubeconfig ?? process.env.KUBECONFIG;
  const dataPlane = values["data-plane"] ?? process.env.TENANTSTACK_DATA_PLANE;
  const clusters = values.clusters ?? process.env.TENANTSTACK_CLUSTERS;
  const options: DriverOptions = {
    migration: dataPlane ? { dataPlane: readDataPlaneFile(dataPlane) } : {},
    workspace: {
      ...(clusters ? { clusters: parseClusterList(clusters) } : {}),
      stateDir: values["state-dir"] ?? process.env.TENANTSTACK_STATE_DIR,
      backendUrl: values.backend ?? process.env.TENANTSTACK_BACKEND_URL,
      secretsProvider: values["secrets-provider"],
      pulumiPath: values.pulumi,
      env: kubeconfig ? { KUBECONFIG: kubeconfig } : {},
    },
    database: values.database ?? process.env.TENANTSTACK_DATABASE_URL,
  };
  checkDriverOptions(options, (field) => flagOf(field));
  return options;
}

/** What a command does once the driver is open; all its input is checked before. */
type Run = (driver: Driver) => Promise<number>;

/**
 * Checks a command's whole input — its flags by the driver's input models, the driver's options —
 * and returns what it runs; throws an InputError before anything is opened or touched.
 */
async function prepare(
  positionals: readonly string[],
  values: Values,
  io: {
    out: (text: string) => void;
    outJson: (value: unknown) => void;
    err: (text: string) => void;
    json: boolean;
    operation: OperationOptions;
    signal: AbortSignal;
  },
): Promise<{ driverOptions: DriverOptions; run: Run }> {
  const [command, sub, arg] = positionals;
  const { out, outJson, json, operation } = io;
  const show = (value: unknown, human: string) => (json ? outJson(value) : out(human));
  const report = (result: OperationResult) => {
    show(result, operationSummary(result));
    return result.status === "cancelled" ? EXIT.cancelled : exitCodeOfErrors(result.stacks.flatMap((s) => (s.error ? [s.error] : [])));
  };
  let run: Run | undefined;
  const raw = requestOf(command, sub, values);
  if (raw !== undefined) {
    const request = parseInput(OperationRequestSchema, raw, "options", { rename: (path) => flagOf(path) });
    if (request.kind === "provision") checkTenantSettings(request.tenant, (path) => flagOf(path, TENANT_FLAGS));
    run = async (driver) => {
      const outcome = await runRequest(driver, request, operation);
      switch (outcome.kind) {
        case "fleet-upgrade":
          show(outcome.result, upgradeSummary(outcome.result));
          return outcome.result.status === "succeeded" ? EXIT.ok : EXIT.failed;
        case "migrate": {
          const { status } = outcome.result;
          show(outcome.result, migrationSummary(outcome.result));
          if (status === "succeeded" || status === "planned") return EXIT.ok;
          return status === "cancelled" ? EXIT.cancelled : EXIT.failed;
        }
        case "gc":
          show(outcome.result, gcSummary(outcome.result));
          return outcome.result.status === "succeeded" ? EXIT.ok : EXIT.failed;
        default:
          return report(outcome.result);
      }
    };
  } else if (command === "tenant" && sub === "create") {
    const tenant: TenantFields = parseInput(TenantInputSchema, tenantOf(arg, values), "options", {
      rename: (path) => flagOf(path, TENANT_FLAGS),
    });
    checkTenantSettings(tenant, (path) => flagOf(path, TENANT_FLAGS));
    run = async (driver) => {
      const created = await driver.registry.create(tenant);
      show(created, `registered tenant ${created.name} (${created.plan}, version ${created.version})`);
      return EXIT.ok;
    };
  } else if (command === "tenant" && sub === "list") {
    run = async (driver) => {
      const list = await driver.registry.list();
      show(list, tenantTable(list));
      return EXIT.ok;
    };
  } else if (command === "tenant" && sub === "show") {
    const name = required(arg, "<name>", "tenant show <name>");
    run = async (driver) => {
      outJson(await driver.registry.show(name));
      return EXIT.ok;
    };
  } else if (command === "tenant" && sub === "delete") {
    const name = required(arg, "<name>", "tenant delete <name>");
    run = async (driver) => {
      await driver.registry.delete(name);
      show({ deleted: name }, `deleted tenant ${name} from the registry (its stack, if any, is not destroyed)`);
      return EXIT.ok;
    };
  } else if (command === "operation" && sub === "show") {
    const id = required(arg, "<id>", "operation show <id>");
    run = async (driver) => {
      const found = await driver.journal.get(id);
      if (!found) throw new InputError("options", [`\`operation\` "${id}" is not in the journal`]);
      outJson({ ...found, steps: await driver.journal.steps(found.id) });
      return EXIT.ok;
    };
  } else if (command === "serve") {
    const { checkToken, serve } = await import("../http/server");
    const token = checkToken(process.env.TENANTSTACK_API_TOKEN);
    const settings = parseInput(
      ServeSettingsSchema,
      { port: numeric(values.port ?? "8480"), host: values.listen ?? "127.0.0.1" },
      "options",
      { rename: (path) => (path === "host" ? "--listen" : flagOf(path)) },
    );
    run = async (driver) => {
      await serve(driver, { ...settings, token, log: io.err });
      await new Promise<void>((resolve) => io.signal.addEventListener("abort", () => resolve()));
      return EXIT.ok;
    };
  }
  if (run === undefined)
    throw new InputError("options", [`\`command\` must be one of the commands of \`tenantstack --help\` (got "${positionals.join(" ")}")`]);
  return { driverOptions: await driverOptionsOf(values), run };
}

/**
 * Runs one command; resolves the exit code. Everything it writes is redacted (JSON value by value).
 * @param stdout receives results
 * @param stderr receives progress lines and messages
 * @param terminal when given and a TTY, progress is a live board drawn there (messages too) instead of
 *   lines to `stderr`; the `tenantstack` command passes `process.stderr`
 */
export async function main(
  argv: readonly string[],
  stdout: (text: string) => void = (t) => process.stdout.write(`${t}\n`),
  stderr: (text: string) => void = (t) => process.stderr.write(`${t}\n`),
  terminal?: Terminal & { readonly isTTY?: boolean },
): Promise<number> {
  let board: ProgressBoard | undefined;
  const out = (text: string) => {
    board?.close();
    stdout(redact(text));
  };
  const err = (text: string) => (board ? board.print(redact(text)) : stderr(redact(text)));
  // JSON is redacted value by value: a rule applied to its text could cut into its quotes.
  const outJson = (value: unknown) => {
    board?.close();
    stdout(JSON.stringify(redactDeep(value), null, 2));
  };
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    err(`${(error as Error).message}\n\n${USAGE}`);
    return EXIT.invalidInput;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === undefined) {
    (values.help ? out : err)(USAGE);
    return values.help ? EXIT.ok : EXIT.invalidInput;
  }
  const json = values.json === true;
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) process.exit(EXIT.cancelled);
    err("cancelling: running stacks stop cleanly (press Ctrl-C again to quit at once)");
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  if (!json && terminal?.isTTY) board = new ProgressBoard(terminal);
  const onEvent = (event: DriverEvent) => {
    if (json) return;
    if (board) return board.update(event);
    const line = progressLine(event);
    if (line) err(line);
  };

  let driver: Driver | undefined;
  try {
    const { driverOptions, run } = await prepare(positionals, values, {
      out,
      outJson,
      err,
      json,
      operation: { onEvent, signal: controller.signal },
      signal: controller.signal,
    });
    const { Driver } = await import("../driver");
    driver = await Driver.open(driverOptions);
    return await run(driver);
  } catch (error) {
    const code = exitCodeOf(error);
    if (json) outJson({ error: toWire(error) });
    // Only the driver's own failures show a stack trace; a user's mistake is its message.
    else err(code === EXIT.internal ? String((error as Error)?.stack ?? error) : (error as Error).message);
    return code;
  } finally {
    board?.close();
    process.off("SIGINT", onSigint);
    await driver?.close();
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), undefined, undefined, process.stderr).then((code) => process.exit(code));
}
