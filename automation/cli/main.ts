#!/usr/bin/env node
/**
 * The `tenantstack` CLI: the driver's operations, human output with live progress (or `--json`), and
 * exit codes that say what happened (see `exitCodes.ts`). The passphrase is read from the
 * environment only (`TENANTSTACK_PASSPHRASE`), never from arguments.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseClusterList } from "../clusters";
import { Driver, type OperationResult } from "../driver";
import { InputError, toWire } from "../errors";
import type { FleetUpgradeResult } from "../fleet/upgrade";
import type { DriverEvent } from "../operations/events";
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

/** A positive integer option, or an InputError naming it. */
function count(values: Values, name: "concurrency" | "canary" | "wave-size", min: number): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new InputError("options", [`\`--${name}\` must be an integer of at least ${min} (got "${text}")`]);
  return n;
}

/** The settings file given with `--settings`, or undefined. */
function settingsFile(values: Values): Record<string, unknown> | undefined {
  if (values.settings === undefined) return undefined;
  try {
    return JSON.parse(readFileSync(values.settings, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new InputError("options", [
      `\`--settings\` must be a readable JSON file (got "${values.settings}": ${(error as Error).message})`,
    ]);
  }
}

/** The time given with `--now`, or undefined. */
function time(values: Values): Date | undefined {
  if (values.now === undefined) return undefined;
  const date = new Date(values.now);
  if (Number.isNaN(date.getTime())) throw new InputError("options", [`\`--now\` must be an ISO 8601 time (got "${values.now}")`]);
  return date;
}

/** The tenant given on the command line. */
function tenantInput(name: string | undefined, values: Values) {
  if (name === undefined) throw new InputError("options", ["a tenant name is required"]);
  const settings = settingsFile(values);
  return {
    name,
    host: values.host,
    plan: values.plan,
    version: values.version,
    ...(values.environment ? { environment: values.environment } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values.cluster ? { cluster: values.cluster } : {}),
    ...(settings !== undefined ? { settings } : {}),
  } as never;
}

async function openDriver(values: Values): Promise<Driver> {
  const kubeconfig = values.kubeconfig ?? process.env.KUBECONFIG;
  const dataPlane = values["data-plane"] ?? process.env.TENANTSTACK_DATA_PLANE;
  const clusters = values.clusters ?? process.env.TENANTSTACK_CLUSTERS;
  return Driver.open({
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
  });
}

/**
 * Runs one command; resolves the exit code.
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
    stdout(text);
  };
  const err = (text: string) => (board ? board.print(text) : stderr(text));
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    err(`${(error as Error).message}\n\n${USAGE}`);
    return EXIT.invalidInput;
  }
  const { values, positionals } = parsed;
  const [command, sub, arg] = positionals;
  if (values.help || command === undefined) {
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
  const common = { operationId: values["operation-id"], concurrency: count(values, "concurrency", 1), onEvent, signal: controller.signal };
  const tenants = values.tenant;
  const report = (result: OperationResult) => {
    out(json ? JSON.stringify(result, null, 2) : operationSummary(result));
    return result.status === "cancelled" ? EXIT.cancelled : exitCodeOfErrors(result.stacks.flatMap((s) => (s.error ? [s.error.name] : [])));
  };

  let driver: Driver | undefined;
  try {
    if (command === "serve") {
      const { serve } = await import("../http/server");
      driver = await openDriver(values);
      await serve(driver, {
        port: Number(values.port ?? 8480),
        host: values.listen ?? "127.0.0.1",
        token: process.env.TENANTSTACK_API_TOKEN,
        log: err,
      });
      await new Promise<void>((resolve) => controller.signal.addEventListener("abort", () => resolve()));
      return EXIT.ok;
    }
    driver = await openDriver(values);
    switch (`${command}${command === "tenant" || command === "fleet" || command === "operation" ? ` ${sub}` : ""}`) {
      case "tenant create": {
        const tenant = await driver.registry.create(tenantInput(arg, values));
        out(json ? JSON.stringify(tenant, null, 2) : `registered tenant ${tenant.name} (${tenant.plan}, version ${tenant.version})`);
        return EXIT.ok;
      }
      case "tenant list": {
        const list = await driver.registry.list();
        out(json ? JSON.stringify(list, null, 2) : tenantTable(list));
        return EXIT.ok;
      }
      case "tenant show":
        out(JSON.stringify(await driver.registry.show(arg ?? ""), null, 2));
        return EXIT.ok;
      case "tenant delete":
        await driver.registry.delete(arg ?? "");
        out(json ? JSON.stringify({ deleted: arg }) : `deleted tenant ${arg} from the registry (its stack, if any, is not destroyed)`);
        return EXIT.ok;
      case "provision":
        return report(await driver.provision(tenantInput(sub, values), common));
      case "preview":
        return report(await driver.preview({ ...common, tenants, plan: values["save-plan"] }));
      case "up":
        return report(await driver.up({ ...common, tenants, plan: values["saved-plan"] }));
      case "refresh":
        return report(await driver.refresh({ ...common, tenants }));
      case "outputs":
        return report(await driver.outputs({ ...common, tenants }));
      case "destroy":
        if (!tenants?.length) throw new InputError("options", ["`--tenant` is required for destroy"]);
        return report(await driver.destroy({ ...common, tenants, forceDestroyData: values["force-destroy-data"] }));
      case "recover":
        return report(await driver.recover(sub ?? "", common));
      case "fleet upgrade": {
        const result: FleetUpgradeResult = await driver.fleetUpgrade({
          ...common,
          version: values.version ?? "",
          tenants,
          canary: count(values, "canary", 0),
          waveSize: count(values, "wave-size", 1),
          rollback: values.rollback,
          ...(values["http-check"] ? { health: { httpCheckUrl: values["http-check"] } } : {}),
        });
        out(json ? JSON.stringify(result, null, 2) : upgradeSummary(result));
        return result.status === "succeeded" ? EXIT.ok : EXIT.failed;
      }
      case "migrate": {
        if (sub === undefined) throw new InputError("options", ["a tenant name is required: `migrate <tenant> --to dedicated|shared`"]);
        const result = await driver.migrate({
          ...common,
          tenant: sub,
          to: values.to,
          cluster: values.cluster,
          settings: settingsFile(values),
          dryRun: values["dry-run"],
          rollback: values.rollback,
        });
        out(json ? JSON.stringify(result, null, 2) : migrationSummary(result));
        return result.status === "succeeded" || result.status === "planned"
          ? EXIT.ok
          : result.status === "cancelled"
            ? EXIT.cancelled
            : EXIT.failed;
      }
      case "gc": {
        const result = await driver.gc({ ...common, now: time(values) });
        out(json ? JSON.stringify(result, null, 2) : gcSummary(result));
        return result.status === "succeeded" ? EXIT.ok : EXIT.failed;
      }
      case "operation show": {
        const operation = await driver.journal.get(arg ?? "");
        if (!operation) throw new InputError("options", [`\`operation\` "${arg}" is not in the journal`]);
        out(JSON.stringify({ ...operation, steps: await driver.journal.steps(operation.id) }, null, 2));
        return EXIT.ok;
      }
      default:
        err(`unknown command "${positionals.join(" ")}"\n\n${USAGE}`);
        return EXIT.invalidInput;
    }
  } catch (error) {
    const code = exitCodeOf(error);
    if (json) out(JSON.stringify({ error: toWire(error) }, null, 2));
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
