/**
 * Finds the Pulumi CLI without ever downloading one: an explicit path, the repository's toolchain
 * cache (`tools/toolchain.sh path`), or `pulumi` on PATH.
 */
import { execFileSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, readlinkSync, statSync, symlinkSync, unlinkSync } from "node:fs";
import * as path from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { InputError } from "./errors";

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

/** The toolchain's directories, when the repository's toolchain script is present and has built them. */
function toolchainDirs(): string[] {
  const script = path.join(PACKAGE_ROOT, "tools/toolchain.sh");
  if (!existsSync(script)) return [];
  const out = execFileSync(script, ["path"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  return out.trim().split("\n").pop()!.split(":").filter(Boolean);
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
 * toolchain cache, else `pulumi` on this process's PATH. Never installs anything.
 *
 * @param linkDir a private directory for the symlink root of a binary outside a `bin/` directory
 */
export async function findPulumiCli(explicit: string | undefined, linkDir: string): Promise<PulumiCli> {
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
  const dirs = toolchainDirs();
  const home = dirs.find((dir) => isExecutable(path.join(dir, "pulumi")));
  if (home !== undefined) {
    const root = rootFor(path.join(home, "pulumi"), linkDir);
    return { command: await PulumiCommand.get({ root, skipVersionCheck: true }), pathDirs: dirs };
  }
  try {
    return { command: await PulumiCommand.get({ skipVersionCheck: true }), pathDirs: [] };
  } catch {
    throw new InputError("Pulumi CLI", [
      "`pulumiPath` is required: no toolchain cache and no `pulumi` on PATH (this driver never downloads one)",
    ]);
  }
}
