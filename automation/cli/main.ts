#!/usr/bin/env node
/**
 * The `tenantstack` CLI: the driver's operations, human output with live progress (or `--json`), and
 * exit codes that say what happened (see `exitCodes.ts`). Its commands and flags, and their help,
 * are the table of `commands.ts`. The passphrase is read from the environment only
 * (`TENANTSTACK_PASSPHRASE`), never from arguments, and only commands that run stacks need it.
 */
import { parseArgs } from "node:util";
import { ServeSettingsSchema } from "../../schema/driverOptions";
import { OperationListQuerySchema, OperationRequestSchema, ResumeOptionsSchema } from "../../schema/operations";
import { TenantInputSchema } from "../../schema/tenantInput";
import { parseClusterList } from "../clusters";
import type { Driver, DriverOptions, OperationResult, StackOutcome } from "../driver";
import { CancelledError, InputError, messageOn, OperationNotFoundError, toWire } from "../errors";
import { numberOrText, parseInput } from "../input";
import { readJsonFile } from "../jsonFile";
import type { DriverEvent, OperationOptions } from "../operations/events";
import { resumeRequest, runRequest } from "../requests";
import { redact, redactDeep } from "../redact";
import { checkTenantSettings } from "../registry/tenant";
import type { OperationRequest, RunnerSettings, TenantFields } from "../types";
import {
  checkFlags,
  type CommandDoc,
  commandHelp,
  commandOf,
  FIELD_FLAGS,
  FLAGS,
  groupHelp,
  synopsis,
  unknownCommandMessage,
  unknownOptionMessage,
  usage,
} from "./commands";
import { EXIT, exitCodeOf, exitCodeOfErrors } from "./exitCodes";
import { readDataPlaneFile } from "../migration/staticDataPlane";
import { CLUSTER_DATA_PLANE, clusterDataPlane } from "../migration/clusterDataPlane";
import {
  deletionSummary,
  gcSummary,
  migrationSummary,
  operationReport,
  operationSummary,
  operationTable,
  progressLine,
  tenantTable,
  updateSummary,
  upgradeSummary,
  versionImages,
} from "./output";
import { ProgressBoard, type Terminal } from "./progressBoard";

type Values = ReturnType<typeof parseArgs<{ options: typeof FLAGS; allowPositionals: true }>>["values"];

/**
 * A field path of an input model as the flag it came from (`tenants[0]` is `--tenant`, `settings.api` is
 * `--settings api`; a tenant's fields, given whole or as an update's patch, are the flags of `tenant create`).
 */
function flagOf(path: string): string {
  const match = /^([^.[]+)(?:\[\d+\])?\.?(.*)$/.exec(path);
  if (!match) return path;
  const [, head, rest] = match;
  // A provision's tenant and an update's patch have flags of their own: `tenant.host` and `patch.host` are `--host`.
  if ((head === "tenant" || head === "patch") && rest !== "") return flagOf(rest);
  const flag = FIELD_FLAGS[head] ?? head;
  return rest === "" ? flag : `${flag} ${rest}`;
}

/** The settings file given with `--settings`, or undefined. */
function settingsFile(values: Values): unknown {
  return values.settings === undefined ? undefined : readJsonFile(values.settings, "--settings");
}

/** The positional argument a command needs, or an InputError naming it with the command's usage. */
function required(command: CommandDoc, args: readonly string[], index = 0): string {
  const value = args[index];
  const name = command.args?.[index]?.name ?? "<argument>";
  if (value === undefined || value === "")
    throw new InputError("options", [`\`${name}\` is required: \`${synopsis(command).replace("tenantstack [options] ", "")}\``]);
  return value;
}

/** The tenant given on the command line, as the tenant model takes it. */
function tenantOf(command: CommandDoc, args: readonly string[], values: Values): Record<string, unknown> {
  const settings = settingsFile(values);
  return {
    name: required(command, args),
    host: values.host,
    plan: values.plan,
    version: values.version,
    ...(values.environment !== undefined ? { environment: values.environment } : {}),
    ...(values.region !== undefined ? { region: values.region } : {}),
    ...(values.cluster !== undefined ? { cluster: values.cluster } : {}),
    ...(settings !== undefined ? { settings } : {}),
  };
}

/** The patch of `tenant update`: the tenant's fields given as flags, `--settings` a merge patch of its settings. */
function patchOf(values: Values): Record<string, unknown> {
  const fields = { host: values.host, version: values.version, region: values.region, settings: settingsFile(values) };
  // Fields an update may not change are passed on, for the patch's schema to say why.
  const fixed = { plan: values.plan, environment: values.environment, cluster: values.cluster };
  return Object.fromEntries(Object.entries({ ...fields, ...fixed }).filter(([, value]) => value !== undefined));
}

/** The `POST /operations` body a command stands for, built from its flags (undefined for other commands). */
function requestOf(command: CommandDoc, args: readonly string[], values: Values): Record<string, unknown> | undefined {
  const common = { operationId: values["operation-id"], concurrency: numberOrText(values.concurrency) };
  const tenants = values.tenant;
  switch (command.name) {
    case "tenant delete":
      return {
        kind: "delete-tenant",
        tenant: required(command, args),
        destroy: values.destroy,
        forceDestroyData: values["force-destroy-data"],
        ...common,
      };
    case "tenant update":
      return { kind: "update-tenant", tenant: required(command, args), patch: patchOf(values), dryRun: values["dry-run"], ...common };
    case "provision":
      return { kind: "provision", tenant: tenantOf(command, args, values), ...common };
    case "preview":
      return { kind: "preview", tenants, savePlan: values["save-plan"], ...common };
    case "up":
      return { kind: "up", tenants, savedPlan: values["saved-plan"], ...common };
    case "refresh":
    case "outputs":
      return { kind: command.name, tenants, ...common };
    case "destroy":
      return { kind: "destroy", tenants: tenants ?? [], forceDestroyData: values["force-destroy-data"], ...common };
    case "recover":
      return { kind: "recover", stack: required(command, args), ...common };
    case "fleet upgrade":
      return {
        kind: "fleet-upgrade",
        version: values.version,
        tenants,
        canary: numberOrText(values.canary),
        waveSize: numberOrText(values["wave-size"]),
        rollback: values.rollback,
        httpCheckUrl: values["http-check"],
        ...common,
      };
    case "migrate":
      return {
        kind: "migrate",
        tenant: required(command, args),
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

/** The global flags that open the driver, as given, to repeat in a command printed for the user. */
const DRIVER_FLAGS = [
  "state-dir",
  "backend",
  "secrets-provider",
  "database",
  "identity",
  "lease-ttl",
  "heartbeat",
  "executor",
  "runners",
  "pulumi",
  "kubeconfig",
  "data-plane",
  "clusters",
] as const;

/** An argument as a POSIX shell reads it back (quoted unless plain). */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** The exact command that resumes operation `id`: the driver's flags as given, then `operation resume`. */
function resumeCommand(values: Values, id: string): string {
  const flags = DRIVER_FLAGS.flatMap((name) => (values[name] !== undefined ? [`--${name}`, shellWord(values[name])] : []));
  return ["tenantstack", ...flags, "operation", "resume", shellWord(id)].join(" ");
}

/** The driver's options from the flags and environment, checked (nothing is opened). */
async function driverOptionsOf(values: Values, command: CommandDoc): Promise<DriverOptions> {
  // The driver (and the Automation API) load only once the command's own input is checked.
  const { checkDriverOptions } = await import("../driverOptions");
  const kubeconfig = values.kubeconfig ?? process.env.KUBECONFIG;
  const dataPlane = values["data-plane"] ?? process.env.TENANTSTACK_DATA_PLANE;
  const clusters = values.clusters ?? process.env.TENANTSTACK_CLUSTERS;
  const runners = values.runners ?? process.env.TENANTSTACK_RUNNERS;
  const options: DriverOptions = {
    executor: (values.executor ?? process.env.TENANTSTACK_EXECUTOR) as DriverOptions["executor"],
    runners: runners === undefined ? undefined : (readJsonFile(runners, "--runners") as RunnerSettings),
    migration: dataPlane ? { dataPlane: dataPlane === CLUSTER_DATA_PLANE ? clusterDataPlane() : readDataPlaneFile(dataPlane) } : {},
    workspace: {
      ...(clusters ? { clusters: parseClusterList(clusters) } : {}),
      stateDir: values["state-dir"] ?? process.env.TENANTSTACK_STATE_DIR,
      backendUrl: values.backend ?? process.env.TENANTSTACK_BACKEND_URL,
      secretsProvider: values["secrets-provider"],
      pulumiPath: values.pulumi,
      env: kubeconfig ? { KUBECONFIG: kubeconfig } : {},
    },
    database: values.database ?? process.env.TENANTSTACK_DATABASE_URL,
    identity: values.identity ?? process.env.TENANTSTACK_IDENTITY,
    leaseTtlSeconds: numberOrText(values["lease-ttl"] ?? process.env.TENANTSTACK_LEASE_TTL_SECONDS) as number | undefined,
    heartbeatSeconds: numberOrText(values.heartbeat ?? process.env.TENANTSTACK_HEARTBEAT_SECONDS) as number | undefined,
    // The registry and the journal hold no secret: only commands that run stacks need the passphrase.
    checkPassphrase: command.stacks ? "on-open" : "per-operation",
  };
  checkDriverOptions(options, (field) => flagOf(field));
  return options;
}

/** What a command does once the driver is open; all its input is checked before. */
type Run = (driver: Driver) => Promise<number>;

/** Where a command writes. */
interface Io {
  readonly out: (text: string) => void;
  readonly outJson: (value: unknown) => void;
  readonly err: (text: string) => void;
  readonly json: boolean;
  readonly operation: OperationOptions;
  readonly signal: AbortSignal;
}

/** Runs a checked operation request and reports its result; after a failure or a cancel, says how to resume it. */
async function runOperation(driver: Driver, request: OperationRequest, values: Values, io: Io): Promise<number> {
  const show = (value: unknown, human: string) => (io.json ? io.outJson(value) : io.out(human));
  const ended = (operationId: string, status: string) => {
    if (!io.json && (status === "failed" || status === "cancelled")) io.err(`To resume it: ${resumeCommand(values, operationId)}`);
  };
  const outcome = await runRequest(driver, request, io.operation);
  switch (outcome.kind) {
    case "fleet-upgrade":
      show(outcome.result, upgradeSummary(outcome.result));
      ended(outcome.result.operationId, outcome.result.status);
      return outcome.result.status === "succeeded" ? EXIT.ok : EXIT.failed;
    case "migrate": {
      const { status } = outcome.result;
      show(outcome.result, migrationSummary(outcome.result));
      ended(outcome.result.operationId, status);
      if (status === "succeeded" || status === "planned") return EXIT.ok;
      return status === "cancelled" ? EXIT.cancelled : EXIT.failed;
    }
    case "gc":
      show(outcome.result, gcSummary(outcome.result));
      ended(outcome.result.operationId, outcome.result.status);
      return outcome.result.status === "succeeded" ? EXIT.ok : EXIT.failed;
    case "delete-tenant":
      show(outcome.result, deletionSummary(outcome.result));
      ended(outcome.result.operationId, outcome.result.status);
      return exitCodeOfStatus(outcome.result);
    case "update-tenant":
      show(outcome.result, updateSummary(outcome.result));
      ended(outcome.result.operationId, outcome.result.status);
      return exitCodeOfStatus(outcome.result);
    default: {
      const result: OperationResult = outcome.result;
      show(result, operationSummary(result));
      ended(result.operationId, result.status);
      return exitCodeOfStatus(result);
    }
  }
}

/** The exit code of an operation by its status and its stacks' errors. */
function exitCodeOfStatus(result: { readonly status: string; readonly stacks: readonly StackOutcome[] }): number {
  return result.status === "cancelled" ? EXIT.cancelled : exitCodeOfErrors(result.stacks.flatMap((s) => (s.error ? [s.error] : [])));
}

/**
 * Checks a command's whole input — its flags by the driver's input models, the driver's options —
 * and returns what it runs; throws an InputError before anything is opened or touched.
 */
async function prepare(
  command: CommandDoc,
  args: readonly string[],
  values: Values,
  io: Io,
): Promise<{ driverOptions: DriverOptions; run: Run }> {
  const { out, outJson, json } = io;
  const show = (value: unknown, human: string) => (json ? outJson(value) : out(human));
  checkFlags(command, Object.keys(values));
  let run: Run;
  const raw = requestOf(command, args, values);
  if (raw !== undefined) {
    const request = parseInput(OperationRequestSchema, raw, "options", { rename: flagOf });
    if (request.kind === "provision") checkTenantSettings(request.tenant, flagOf);
    run = (driver) => runOperation(driver, request, values, io);
  } else {
    switch (command.name) {
      case "tenant create": {
        const tenant: TenantFields = parseInput(TenantInputSchema, tenantOf(command, args, values), "options", { rename: flagOf });
        checkTenantSettings(tenant, flagOf);
        run = async (driver) => {
          const created = await driver.registry.create(tenant);
          show(created, `registered tenant ${created.name} (${created.plan}, ${versionImages(created.version, created.images)})`);
          return EXIT.ok;
        };
        break;
      }
      case "tenant list":
        run = async (driver) => {
          const list = await driver.registry.list();
          show(list, tenantTable(list));
          return EXIT.ok;
        };
        break;
      case "tenant show": {
        const name = required(command, args);
        run = async (driver) => {
          outJson(await driver.registry.show(name));
          return EXIT.ok;
        };
        break;
      }
      case "operation list": {
        const query = parseInput(
          OperationListQuerySchema,
          { status: values.status, kind: values.kind, limit: numberOrText(values.limit) },
          "options",
          { rename: flagOf },
        );
        run = async (driver) => {
          const list = await driver.journal.list(query);
          show(list, operationTable(list));
          return EXIT.ok;
        };
        break;
      }
      case "operation show": {
        const id = required(command, args);
        run = async (driver) => {
          const found = await driver.journal.get(id);
          if (!found) throw new OperationNotFoundError(id);
          const steps = await driver.journal.steps(found.id);
          show({ ...found, steps }, operationReport(found, steps));
          if (!json && found.status !== "succeeded" && found.kind !== "migrate-plan") io.err(`To resume it: ${resumeCommand(values, id)}`);
          return EXIT.ok;
        };
        break;
      }
      case "operation resume": {
        const id = required(command, args);
        const { concurrency } = parseInput(ResumeOptionsSchema, { concurrency: numberOrText(values.concurrency) }, "options", {
          rename: flagOf,
        });
        run = async (driver) => {
          const journaled = await resumeRequest(driver, id);
          const request = parseInput(OperationRequestSchema, { ...journaled, operationId: id, concurrency }, `operation "${id}"`);
          return runOperation(driver, request, values, io);
        };
        break;
      }
      case "serve": {
        const { checkToken, serve } = await import("../http/server");
        const token = checkToken(process.env.TENANTSTACK_API_TOKEN);
        const settings = parseInput(
          ServeSettingsSchema,
          { port: numberOrText(values.port ?? "8480"), host: values.listen ?? "127.0.0.1" },
          "options",
          { rename: (path) => (path === "host" ? "--listen" : flagOf(path)) },
        );
        run = async (driver) => {
          await serve(driver, { ...settings, token, log: io.err });
          await new Promise<void>((resolve) => io.signal.addEventListener("abort", () => resolve()));
          return EXIT.ok;
        };
        break;
      }
      default:
        throw new InputError("options", [`\`command\` must be one of the commands of \`tenantstack --help\` (got "${command.name}")`]);
    }
  }
  return { driverOptions: await driverOptionsOf(values, command), run };
}

/** The help `positionals` ask for (`help fleet upgrade`, `fleet upgrade --help`, `tenant --help`), or an InputError for no such command. */
function helpOf(positionals: readonly string[]): string {
  if (positionals.length === 0) return usage();
  const found = commandOf(positionals);
  if (found && found.command.name !== "help") return commandHelp(found.command);
  const group = groupHelp(positionals[0]);
  if (group !== undefined) return group;
  if (found) return commandHelp(found.command);
  throw new InputError("options", [`\`command\` must be one of the commands of \`tenantstack --help\` (got "${positionals.join(" ")}")`]);
}

/** The arguments before `--` (after it, everything is a positional). */
function optionWords(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf("--");
  return end < 0 ? argv : argv.slice(0, end);
}

/** The words of `argv` that are no flag or flag value, read loosely (for the help shown with an argument error). */
function looseWords(argv: readonly string[]): string[] {
  const words: string[] = [];
  const options = optionWords(argv);
  for (let i = 0; i < options.length; i++) {
    const word = options[i];
    if (!word.startsWith("-")) words.push(word);
    else if (!word.includes("=") && (FLAGS as Record<string, { type: string }>)[word.replace(/^--?/, "")]?.type === "string") i++;
  }
  return words;
}

/**
 * Runs one command; resolves the exit code. Everything it writes is redacted (JSON value by value).
 * @param stdout receives results (and, with `--json`, errors)
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
  // Known before the arguments are parsed, so that an argument error is JSON too.
  const json = optionWords(argv).includes("--json");
  /** Reports an error: JSON on stdout with `--json`, else its message in the CLI's words (a stack trace only for the driver's own failures). */
  const report = (error: unknown, help?: string): number => {
    const code = exitCodeOf(error);
    if (json) outJson({ error: toWire(error, "cli") });
    else err(code === EXIT.internal ? String((error as Error)?.stack ?? error) : `${messageOn(error, "cli")}${help ? `\n\n${help}` : ""}`);
    return code;
  };

  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: FLAGS, allowPositionals: true, strict: true });
  } catch (error) {
    const found = commandOf(looseWords(argv));
    return report(
      new InputError("arguments", [unknownOptionMessage((error as Error).message, found?.command)]),
      found ? commandHelp(found.command) : usage(),
    );
  }
  const { values, positionals } = parsed;
  const found = commandOf(positionals);
  try {
    if (values.help || found?.command.name === "help") {
      out(helpOf(found?.command.name === "help" ? found.args : positionals));
      return EXIT.ok;
    }
  } catch (error) {
    return report(error);
  }
  if (positionals.length === 0)
    return report(new InputError("arguments", ["a command is required: `tenantstack <command> [flags]`"]), usage());
  if (found === undefined) return report(new InputError("options", [unknownCommandMessage(positionals)]));

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
    const { driverOptions, run } = await prepare(found.command, found.args, values, {
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
    const code = report(error);
    if (!json && error instanceof CancelledError) err(`To resume it: ${resumeCommand(values, error.operation)}`);
    return code;
  } finally {
    board?.close();
    process.off("SIGINT", onSigint);
    await driver?.close();
  }
}

/** Runs the `tenantstack` command (`bin/tenantstack.js`): this process's arguments and terminal, and its exit code. */
export function runCommand(): void {
  void main(process.argv.slice(2), undefined, undefined, process.stderr).then((code) => process.exit(code));
}

if (require.main === module) runCommand();
