/**
 * The workspace factory: one LocalWorkspace per stack, each in its own work directory under the state
 * directory (its `Pulumi.<stack>.yaml` keeps the passphrase salt), running the repository's program
 * with the stack's `tenantstack:*` config. The engine never downloads anything.
 */
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { LocalWorkspace, type PulumiFn, StackNotFoundError, type Stack } from "@pulumi/pulumi/automation";
import { type StackInput, stackConfigOf } from "../schema";
import { unknownKeyProblems } from "../schema/keys";
import {
  checkBackendUrl,
  checkSecretsProvider,
  defaultBackendUrl,
  engineBackendUrl,
  fileBackendDir,
  type SecretsProvider,
} from "./backend";
import { type CheckpointRepair, repairCheckpoint, stackBackendFiles, type StackBackendFiles } from "./checkpointRepair";
import { type ClusterKubeconfigs, type ClusterOptions, resolveClusters, unknownCluster } from "./clusters";
import { InputError } from "./errors";
import { findPulumiCli, PACKAGE_PROGRAM, type PulumiCli } from "./pulumiCli";

/** Options of a workspace factory; plain data, so a worker process can rebuild the same factory. */
export interface WorkspaceOptions {
  /**
   * Directory of the driver's files: the file backend, one work directory per stack, the registry.
   * @default "~/.tenantstack"
   */
  readonly stateDir?: string;
  /**
   * Backend URL: `file://<absolute path>`, `s3://`, `gs://`, `azblob://` or `https://api.pulumi.com`. The
   * engine gets a `file://` backend with `metadata=skip` (every write a rename; see `engineBackendUrl`)
   * unless the URL names a `metadata` option.
   * @default - `file://<stateDir>/state`
   */
  readonly backendUrl?: string;
  /**
   * Secrets provider: `passphrase`, or an `awskms://`, `gcpkms://`, `azurekeyvault://` or `hashivault://` URL.
   * @default "passphrase"
   */
  readonly secretsProvider?: string;
  /**
   * Passphrase of the passphrase secrets provider; never logged.
   * @default - `TENANTSTACK_PASSPHRASE`, else `PULUMI_CONFIG_PASSPHRASE`
   */
  readonly passphrase?: string;
  /**
   * The Pulumi CLI: its binary, or a directory holding `pulumi` or `bin/pulumi`.
   * @default - the toolchain built in the checkout (`npm run toolchain`; never built from here), else `pulumi` on PATH
   */
  readonly pulumiPath?: string;
  /**
   * `PULUMI_HOME` of the engine (plugins, credentials).
   * @default - the CLI's default, `~/.pulumi`
   */
  readonly pulumiHome?: string;
  /**
   * Extra environment of the engine and program, such as `KUBECONFIG` or cloud credentials.
   * @default {}
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The clusters the stacks run on, by name (a tenant's `cluster`): a stack's engine runs with the
   * kubeconfig of its cluster.
   * @default - one cluster, `local`, reached with `env.KUBECONFIG` (else the driver's `KUBECONFIG`)
   */
  readonly clusters?: Readonly<Record<string, ClusterOptions>>;
  /**
   * The Pulumi program every stack runs.
   * @default - the package's program (`PACKAGE_PROGRAM`: `index.ts` in a checkout, `dist/index.js` installed)
   */
  readonly program?: string;
  /**
   * Run the program inside the worker process, as an inline program: loaded once by each warm worker
   * and run for every stack it takes, instead of a language host and a Node.js process per stack the
   * engine starts. The program must export one function (the package's program does); it runs one
   * stack at a time, each run with its own SDK state. A stack's work directory keeps the `program`
   * as its project's `main` either way, so the CLI run there by hand runs the same program.
   * @default - true for the package's program, false for any other `program`
   */
  readonly inlineProgram?: boolean;
}

/** Name of the Pulumi project of the program. */
export const PROJECT = "tenantstack";

/** Options with every default applied and every URL checked. */
export interface ResolvedWorkspaceOptions {
  readonly stateDir: string;
  readonly backendUrl: string;
  readonly secretsProvider: SecretsProvider;
  readonly passphrase?: string;
  readonly program: string;
  readonly inlineProgram: boolean;
  readonly clusters: ClusterKubeconfigs;
}

/**
 * Applies the defaults and checks every option, throwing one InputError listing every problem; with
 * `passphrase: false`, a missing passphrase is no problem (for the registry alone, which holds no secret).
 */
export function resolveWorkspaceOptions(
  options: WorkspaceOptions,
  env: NodeJS.ProcessEnv = process.env,
  check: { readonly passphrase?: boolean } = {},
): ResolvedWorkspaceOptions {
  const stateDir = path.resolve(options.stateDir ?? path.join(os.homedir(), ".tenantstack"));
  const backendUrl = options.backendUrl ?? defaultBackendUrl(stateDir);
  const passphrase = options.passphrase ?? env.TENANTSTACK_PASSPHRASE ?? env.PULUMI_CONFIG_PASSPHRASE;
  const problems = unknownKeyProblems(options, WORKSPACE_OPTION_KEYS, (key) => `\`workspace.${key}\``);
  const backendProblem = checkBackendUrl(backendUrl);
  if (backendProblem) problems.push(backendProblem);
  const provider = options.secretsProvider ?? "passphrase";
  const unchecked = check.passphrase === false && provider === "passphrase";
  const secrets = unchecked ? { provider: { kind: "passphrase" } as const, problems: [] } : checkSecretsProvider(provider, passphrase);
  problems.push(...secrets.problems);
  const clusters = resolveClusters(options.clusters, options.env?.KUBECONFIG ?? env.KUBECONFIG);
  problems.push(...clusters.problems);
  if (problems.length > 0 || secrets.provider === undefined) throw new InputError("workspace options", problems);
  return {
    stateDir,
    backendUrl,
    secretsProvider: secrets.provider,
    passphrase,
    program: options.program ?? PACKAGE_PROGRAM,
    inlineProgram: options.inlineProgram ?? (options.program === undefined || path.resolve(options.program) === PACKAGE_PROGRAM),
    clusters: clusters.clusters,
  };
}

/** The private work directory of a stack in the state directory `stateDir`. */
export function stackWorkDir(stateDir: string, stack: string): string {
  return path.join(stateDir, "stacks", stack);
}

/** Every option of a workspace: any other (a typo) is refused by name. */
const WORKSPACE_OPTION_KEYS = Object.keys({
  stateDir: true,
  backendUrl: true,
  secretsProvider: true,
  passphrase: true,
  pulumiPath: true,
  pulumiHome: true,
  env: true,
  clusters: true,
  program: true,
  inlineProgram: true,
} satisfies Record<keyof WorkspaceOptions, true>);

/** Makes and selects the stacks of the program, each in its own work directory. */
export class WorkspaceFactory {
  /** The program as a function, loaded on the first inline stack. */
  private inline?: Promise<PulumiFn>;

  private constructor(
    /** The checked options. */
    readonly options: ResolvedWorkspaceOptions,
    private readonly cli: PulumiCli,
    private readonly envVars: Record<string, string>,
  ) {}

  /** Checks the options (before touching anything) and locates the CLI. */
  static async create(options: WorkspaceOptions = {}): Promise<WorkspaceFactory> {
    const resolved = resolveWorkspaceOptions(options);
    mkdirSync(resolved.stateDir, { recursive: true, mode: 0o700 });
    const backendDir = fileBackendDir(resolved.backendUrl);
    if (backendDir !== undefined) mkdirSync(backendDir, { recursive: true });
    const cli = await findPulumiCli(options.pulumiPath, path.join(resolved.stateDir, "cli"));
    const envVars: Record<string, string> = {
      // The package's program is type-checked when it is built; the engine only needs it transpiled.
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      ...options.env,
      PATH: [...cli.pathDirs, process.env.PATH ?? ""].join(":"),
      PULUMI_BACKEND_URL: engineBackendUrl(resolved.backendUrl),
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      ...(options.pulumiHome ? { PULUMI_HOME: options.pulumiHome } : {}),
      ...(resolved.passphrase !== undefined ? { PULUMI_CONFIG_PASSPHRASE: resolved.passphrase } : {}),
    };
    return new WorkspaceFactory(resolved, cli, envVars);
  }

  /** The work directory of a stack. */
  workDir(stack: string): string {
    return stackWorkDir(this.options.stateDir, stack);
  }

  /** The Pulumi CLI binary the stacks run with. */
  get pulumiBinary(): string {
    return this.cli.command.command;
  }

  /**
   * The environment the engine runs with on `cluster`, one of the options' `clusters` (holds the
   * passphrase: never log it); without a cluster, the engine's own `KUBECONFIG` is kept.
   */
  engineEnv(cluster?: string): Readonly<Record<string, string>> {
    if (cluster === undefined) return this.envVars;
    const problem = unknownCluster(Object.keys(this.options.clusters), cluster);
    if (problem) throw new InputError("stack job", [problem]);
    const kubeconfig = this.options.clusters[cluster];
    return kubeconfig === undefined ? this.envVars : { ...this.envVars, KUBECONFIG: kubeconfig };
  }

  /**
   * Creates or selects a stack and sets its `tenantstack:*` config to exactly `settings`. The config
   * on file is read from the stack's settings file in its work directory; the CLI is run only for
   * the keys that differ (an unchanged fleet costs no config command).
   */
  async stack(name: string, settings: StackInput | Readonly<Record<string, unknown>>, cluster?: string): Promise<Stack> {
    const stack = await this.select(name, true, cluster);
    const config = stackConfigOf(settings);
    const current: Record<string, unknown> = (await stack.workspace.stackSettings(name).catch(() => undefined))?.config ?? {};
    const stale = Object.keys(current).filter((key) => key.startsWith(`${PROJECT}:`) && !(key in config));
    if (stale.length > 0) await stack.removeAllConfig(stale);
    const changed = Object.entries(config).filter(([key, value]) => current[key] !== value);
    if (changed.length > 0) await stack.setAllConfig(Object.fromEntries(changed.map(([key, value]) => [key, { value, secret: false }])));
    return stack;
  }

  /** A stack's files in the backend when it is a `file://` backend; undefined for any other. */
  backendFiles(name: string): StackBackendFiles | undefined {
    const dir = fileBackendDir(this.options.backendUrl);
    return dir === undefined ? undefined : stackBackendFiles(dir, PROJECT, name);
  }

  /**
   * Makes a stack of a `file://` backend loadable after a killed engine (see `checkpointRepair.ts`);
   * undefined for other backends. Only while no engine works on the stack (under its lease).
   */
  repairCheckpoint(name: string): CheckpointRepair | undefined {
    const files = this.backendFiles(name);
    return files && repairCheckpoint(files, this.workDir(name));
  }

  /** Whether a stack exists in the backend. */
  async exists(name: string): Promise<boolean> {
    try {
      await this.select(name);
      return true;
    } catch (error) {
      if (error instanceof StackNotFoundError) return false;
      throw error;
    }
  }

  /**
   * How many resources each stack of the project holds in the backend, as `pulumi stack ls --json
   * --project tenantstack` counts them (from each stack's latest checkpoint): a live stack holds
   * some; a destroyed or never deployed one none. Stacks absent from the backend are absent here.
   * The CLI loads every stack's checkpoint: not for a hot path.
   */
  async resourceCounts(): Promise<ReadonlyMap<string, number>> {
    const { stdout } = await promisify(execFile)(
      this.pulumiBinary,
      ["stack", "ls", "--json", "--project", PROJECT, "--non-interactive"],
      // No project file is needed with `--project`: the state directory is a neutral place to run.
      { cwd: this.options.stateDir, env: { ...process.env, ...this.envVars }, maxBuffer: 64 * 1024 * 1024 },
    );
    const listed = JSON.parse(stdout) as { name: string; resourceCount?: number }[];
    // Names come qualified (`organization/tenantstack/dev-acme`) when run outside the project.
    return new Map(listed.map((s) => [s.name.split("/").pop()!, s.resourceCount ?? 0]));
  }

  /** Lifts the protection of every resource of a stack (before a forced destroy). */
  async unprotectAll(name: string): Promise<void> {
    await promisify(execFile)(this.pulumiBinary, ["state", "unprotect", "--all", "--yes", "--non-interactive", "--stack", name], {
      cwd: this.workDir(name),
      env: { ...process.env, ...this.envVars },
    });
  }

  /**
   * Selects an existing stack (or creates it when `create` is set), its engine running on `cluster`
   * (see {@link engineEnv}), its program inline when `inlineProgram` is set.
   */
  async select(name: string, create = false, cluster?: string): Promise<Stack> {
    const workDir = this.workDir(name);
    const options = {
      workDir,
      pulumiCommand: this.cli.command,
      envVars: this.engineEnv(cluster),
      projectSettings: { name: PROJECT, runtime: "nodejs" as const, main: this.options.program },
      secretsProvider: this.options.secretsProvider.kind === "url" ? this.options.secretsProvider.url : "passphrase",
    };
    const program = this.options.inlineProgram ? await this.programFunction() : undefined;
    mkdirSync(workDir, { recursive: true, mode: 0o700 });
    if (program) {
      const args = { stackName: name, projectName: PROJECT, program };
      return create ? LocalWorkspace.createOrSelectStack(args, options) : LocalWorkspace.selectStack(args, options);
    }
    const args = { stackName: name, workDir };
    return create ? LocalWorkspace.createOrSelectStack(args, options) : LocalWorkspace.selectStack(args, options);
  }

  /** The inline program: the function `program` exports, loaded once by this process. */
  private programFunction(): Promise<PulumiFn> {
    const file = this.options.program;
    this.inline ??= import(file).then((loaded: { default?: unknown }) => {
      const program: unknown = typeof loaded === "function" ? loaded : loaded.default;
      if (typeof program === "function") return program as PulumiFn;
      throw new InputError("workspace options", [
        `\`program\` ${file} exports no function: an inline program must export one (or set \`inlineProgram: false\`)`,
      ]);
    });
    return this.inline;
  }
}
