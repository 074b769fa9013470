/**
 * The checks of a driver's options before it opens anything: the data settings by their schema
 * (`schema/driverOptions.ts`: paths, pool size, host identity, lease timing), the workspace (backend, secrets provider, passphrase, clusters), and
 * the paths it will write (the state directory, a SQLite file) — every problem in one InputError.
 */
import { accessSync, constants, statSync } from "node:fs";
import * as path from "node:path";
import { DriverSettingsSchema } from "../schema/driverOptions";
import { unknownKeyProblems } from "../schema/keys";
import { InputError } from "./errors";
import { parseInput } from "./input";
import { rememberSecret } from "./redact";
import { resolveWorkspaceOptions, type ResolvedWorkspaceOptions, type WorkspaceOptions } from "./workspace";

/** The options of a driver that are checked before it opens. */
export interface CheckedDriverOptions {
  readonly workspace: WorkspaceOptions;
  readonly database?: string;
  readonly poolSize?: number;
  readonly identity?: string;
  readonly leaseTtlSeconds?: number;
  readonly heartbeatSeconds?: number;
  readonly checkPassphrase?: "on-open" | "per-operation";
  /** An executor of the caller's own (not checked), `"local"` or `"kubernetes"`. */
  readonly executor?: object | string;
  /** The Kubernetes executor's settings (checked by the executor itself). */
  readonly runners?: unknown;
  /** The tenant migrations' settings (checked when a migration starts). */
  readonly migration?: unknown;
}

/** Every option of a driver: any other (a typo) is refused by name. */
const DRIVER_OPTION_KEYS = Object.keys({
  workspace: true,
  database: true,
  poolSize: true,
  identity: true,
  leaseTtlSeconds: true,
  heartbeatSeconds: true,
  checkPassphrase: true,
  executor: true,
  runners: true,
  migration: true,
} satisfies Record<keyof CheckedDriverOptions, true>);

/** The problems of the choice of executor: a kind that is not one, `runners` missing or out of place. */
function executorProblems(executor: unknown, runners: unknown, rename: (field: string) => string): string[] {
  if (typeof executor === "object" && executor !== null)
    return runners === undefined ? [] : [`\`${rename("runners")}\` must be left unset with an executor of your own`];
  if (executor !== undefined && executor !== "local" && executor !== "kubernetes")
    return [`\`${rename("executor")}\` must be "local", "kubernetes" or an executor object (got ${JSON.stringify(executor)})`];
  if (executor === "kubernetes" && runners === undefined)
    return [
      `\`${rename("runners")}\` must be set with \`${rename("executor")}\` "kubernetes": at least the runner image, such as { "image": "localhost/tenantstack/runner:0.1.0-bookworm" }`,
    ];
  if (executor !== "kubernetes" && runners !== undefined)
    return [
      `\`${rename("runners")}\` must be left unset unless \`${rename("executor")}\` is "kubernetes" (got executor ${JSON.stringify(executor ?? "local")})`,
    ];
  return [];
}

/**
 * Why `dir` cannot be used: it, or its nearest existing ancestor, must be a writable directory.
 * `own` says whether `dir` is the field's value itself (else it is the directory of a file it names).
 */
function directoryProblem(dir: string, own: boolean): string | undefined {
  const target = path.resolve(dir);
  for (let at = target; ; at = path.dirname(at)) {
    try {
      if (!statSync(at).isDirectory())
        return own && at === target ? "must be a directory: it is a file" : `cannot be created: ${at} is a file`;
      accessSync(at, constants.W_OK);
      return undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Missing, or under a file: the ancestor says which.
      if ((code === "ENOENT" || code === "ENOTDIR") && path.dirname(at) !== at) continue;
      return `cannot be written (${code ?? "unknown error"})`;
    }
  }
}

/** The problems with the paths a driver writes: its state directory, and its SQLite file when `database` names one. */
function pathProblems(stateDir: string, database: string | undefined): { field: string; reason: string }[] {
  const problems: { field: string; reason: string }[] = [];
  const dirProblem = directoryProblem(stateDir, true);
  if (dirProblem) problems.push({ field: "stateDir", reason: `${dirProblem} (got "${stateDir}")` });
  if (database !== undefined && !/^postgres(ql)?:\/\//.test(database)) {
    const file = path.resolve(database.replace(/^sqlite:/, ""));
    let isDirectory = false;
    try {
      isDirectory = statSync(file).isDirectory();
    } catch {
      // a new file
    }
    const problem = isDirectory ? "must be a SQLite file: it is a directory" : directoryProblem(path.dirname(file), false);
    if (problem) problems.push({ field: "database", reason: `${problem} (got "${database}")` });
  }
  return problems;
}

/**
 * Checks a driver's options and resolves its workspace, throwing one InputError listing every
 * problem (the passphrase only with `checkPassphrase: "on-open"`, the default); `rename` names the
 * fields for the caller's surface (`stateDir`, `database`, `poolSize`, `identity`, `leaseTtlSeconds`, `heartbeatSeconds`). Touches nothing.
 */
export function checkDriverOptions(options: CheckedDriverOptions, rename: (field: string) => string = (f) => f): ResolvedWorkspaceOptions {
  rememberSecret(options.workspace.passphrase);
  const problems = unknownKeyProblems(options, DRIVER_OPTION_KEYS, (key) => `\`${rename(key)}\``);
  const settings = {
    stateDir: options.workspace.stateDir,
    database: options.database,
    poolSize: options.poolSize,
    identity: options.identity,
    leaseTtlSeconds: options.leaseTtlSeconds,
    heartbeatSeconds: options.heartbeatSeconds,
  };
  try {
    parseInput(DriverSettingsSchema, settings, "driver options", { rename });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    problems.push(...error.problems);
  }
  problems.push(...executorProblems(options.executor, options.runners, rename));
  let resolved: ResolvedWorkspaceOptions | undefined;
  try {
    resolved = resolveWorkspaceOptions(options.workspace, process.env, { passphrase: options.checkPassphrase !== "per-operation" });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length === 0 && resolved) {
    // The default database is in the state directory, whose problem says it all.
    problems.push(...pathProblems(resolved.stateDir, options.database).map((p) => `\`${rename(p.field)}\` ${p.reason}`));
  }
  if (problems.length > 0 || !resolved) throw new InputError("driver options", problems);
  return resolved;
}
