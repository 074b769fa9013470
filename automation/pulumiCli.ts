/**
 * Finds the Pulumi CLI without ever building or downloading one: an explicit path, the checkout's
 * built toolchain (the record `tools/toolchain.sh` leaves, see `toolchain.ts`), or `pulumi` on PATH.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, unlinkSync } from "node:fs";
import * as path from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { type EnginePlugin, InputError, PulumiCliNotFoundError } from "./errors";
import { lookUpToolchain } from "./toolchain";

const COMPILED = __dirname.includes(`${path.sep}dist${path.sep}`);

/** The package root (where `index.ts`, `Pulumi.yaml` and `tools/` are in a checkout). */
export const PACKAGE_ROOT = path.resolve(__dirname, COMPILED ? "../.." : "..");

/** The package's Pulumi program: `index.ts` in a checkout, compiled to `dist/index.js` in the published package. */
export const PACKAGE_PROGRAM = path.join(PACKAGE_ROOT, COMPILED ? "dist/index.js" : "index.ts");

/** A located CLI: the command, and the directories its plugins are found in. */
export interface PulumiCli {
  /** The command the Automation API runs. */
  readonly command: PulumiCommand;
  /** Directories to put in front of PATH for the engine (language host, resource plugins). */
  readonly pathDirs: readonly string[];
}

/** Whether `file` is an executable file (not a directory). */
function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The version of an installed npm package, or undefined when it is not installed. */
function packageVersion(name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * The resource plugins the package's program needs, at the versions of its installed provider
 * packages: Kubernetes always, `random` for generated passwords (`secrets.passwordProvider: random`,
 * the default), and the cloud providers installed beside it for `cloud: aws|gcp|azure`.
 */
export function enginePlugins(): EnginePlugin[] {
  const plugins: [name: string, npm: string, when?: string][] = [
    ["kubernetes", "@pulumi/kubernetes"],
    ["random", "@pulumi/random", "for stacks whose `secrets.passwordProvider` is `random` (the default)"],
    ["aws", "@pulumi/aws", "for `cloud: aws`"],
    ["gcp", "@pulumi/gcp", "for `cloud: gcp`"],
    ["azure-native", "@pulumi/azure-native", "for `cloud: azure`"],
  ];
  return plugins.flatMap(([name, npm, when]) => {
    const version = packageVersion(npm);
    return version === undefined ? [] : [{ name, version, ...(when ? { when } : {}) }];
  });
}

/**
 * `PulumiCommand.get({root})` runs `<root>/bin/pulumi`: a binary elsewhere gets a root of its own under
 * `linkDir` holding a symlink to it.
 */
function rootFor(binary: string, linkDir: string): string {
  if (path.basename(path.dirname(binary)) === "bin" && path.basename(binary) === "pulumi") return path.dirname(path.dirname(binary));
  const link = path.join(linkDir, "bin/pulumi");
  mkdirSync(path.dirname(link), { recursive: true });
  if (existsSync(link) || isSymlink(link)) {
    if (readlinkSync(link) === binary) return linkDir;
    unlinkSync(link);
  }
  symlinkSync(binary, link);
  return linkDir;
}

function isSymlink(file: string): boolean {
  try {
    readlinkSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Locates the CLI: `explicit` (the binary, or a directory holding `pulumi` or `bin/pulumi`), else the
 * toolchain built in the checkout at `root`, else `pulumi` on this process's PATH. Never builds or
 * installs anything: with none of them, a {@link PulumiCliNotFoundError} says what to run.
 *
 * @param linkDir a private directory for the symlink root of a binary outside a `bin/` directory
 * @param root the checkout whose built toolchain is looked up (the package's own by default)
 */
export async function findPulumiCli(explicit: string | undefined, linkDir: string, root: string = PACKAGE_ROOT): Promise<PulumiCli> {
  if (explicit !== undefined) {
    const candidates = [explicit, path.join(explicit, "pulumi"), path.join(explicit, "bin/pulumi")].map((p) => path.resolve(p));
    const binary = candidates.find(isExecutable);
    if (binary === undefined)
      throw new InputError("Pulumi CLI", [`\`pulumiPath\` must be the pulumi binary or a directory holding it (got "${explicit}")`]);
    return {
      command: await PulumiCommand.get({ root: rootFor(binary, linkDir), skipVersionCheck: true }),
      pathDirs: [path.dirname(binary)],
    };
  }
  const toolchain = lookUpToolchain(root);
  const dirs = toolchain.kind === "built" ? toolchain.dirs : [];
  const home = dirs.find((dir) => isExecutable(path.join(dir, "pulumi")));
  if (home !== undefined) {
    const linkRoot = rootFor(path.join(home, "pulumi"), linkDir);
    return { command: await PulumiCommand.get({ root: linkRoot, skipVersionCheck: true }), pathDirs: dirs };
  }
  try {
    return { command: await PulumiCommand.get({ skipVersionCheck: true }), pathDirs: [] };
  } catch {
    const cliVersion = packageVersion("@pulumi/pulumi") ?? "of the installed @pulumi/pulumi";
    const problem = toolchain.kind === "unusable" ? toolchain.problem : toolchain.kind === "built" ? "holds no pulumi binary" : undefined;
    throw new PulumiCliNotFoundError(toolchain.kind === "none" ? undefined : root, problem, cliVersion, enginePlugins());
  }
}
