/**
 * Stages the reference app for its image (`prepare` runs it): `examples/app` compiled by the repo's
 * own tsc into `<dir>`, and `<dir>/node_modules` holding `pg`, `ioredis` and their dependencies as
 * npm installed them in the repo, at the same relative paths, so that they resolve in the image as
 * they do here. Nothing is done when `<dir>.inputs` holds the hash of the inputs (the app's sources,
 * the tsconfigs, package-lock.json); otherwise the stage is rebuilt beside and swapped in.
 *
 * Usage: node -r ts-node/register/transpile-only tools/images/app/stage.ts DIR
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";

const REPO = path.join(__dirname, "../../..");

/** The packages the app requires at run time. */
export const APP_DEPENDENCIES = ["pg", "ioredis"] as const;

/** Every file under `dir` (relative, sorted). */
export function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** The hash of what the stage is made from. */
export function inputsHash(): string {
  const hash = createHash("sha256");
  const inputs = [
    "tsconfig.json",
    "examples/app/tsconfig.json",
    "package-lock.json",
    ...files(path.join(REPO, "examples/app/src")).map((f) => path.join("examples/app/src", f)),
  ];
  for (const file of inputs)
    hash
      .update(`${file}\0`)
      .update(readFileSync(path.join(REPO, file)))
      .update("\0");
  return hash.digest("hex").slice(0, 16);
}

/** The installed directory of package `name` as Node resolves it from `from` (an absolute directory inside the repo). */
function resolvePackage(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (existsSync(path.join(candidate, "package.json"))) return candidate;
    if (dir === REPO || dir === path.dirname(dir)) return undefined;
  }
}

/**
 * The directories (relative to the repo) of `roots` and of everything they depend on, as installed:
 * `dependencies` must be there, `optionalDependencies` are taken when they are.
 */
export function dependencyClosure(roots: readonly string[]): string[] {
  const found = new Set<string>();
  const visit = (name: string, from: string, optional: boolean) => {
    const dir = resolvePackage(name, from);
    if (!dir) {
      if (optional) return;
      throw new Error(`${name} (needed from ${path.relative(REPO, from) || "the repo"}) is not installed: run npm ci`);
    }
    const relative = path.relative(REPO, dir);
    if (found.has(relative)) return;
    found.add(relative);
    const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, dir, false);
    for (const dependency of Object.keys(manifest.optionalDependencies ?? {})) visit(dependency, dir, true);
  };
  for (const root of roots) visit(root, REPO, false);
  return [...found].sort();
}

/**
 * Builds a stage in `dir` unless `<dir>.inputs` holds `inputs` (the hash of what it is made from): `build`
 * fills a fresh directory beside it, which is then swapped in and the hash recorded. Returns whether it built.
 */
export function restage(dir: string, inputs: string, build: (next: string) => void): boolean {
  const stamp = `${dir}.inputs`;
  if (existsSync(dir) && existsSync(stamp) && readFileSync(stamp, "utf8").trim() === inputs) return false;
  const next = `${dir}.next`;
  rmSync(next, { recursive: true, force: true });
  build(next);
  rmSync(dir, { recursive: true, force: true });
  renameSync(next, dir);
  writeFileSync(stamp, `${inputs}\n`);
  return true;
}

/** Compiles the TypeScript project of `tsconfig` (relative to the repo) into `outDir` with the repo's own tsc. */
export function compile(tsconfig: string, outDir: string): void {
  const tsc = path.join(REPO, "node_modules/typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", path.join(REPO, tsconfig), "--outDir", outDir], { stdio: "inherit" });
}

/** Copies `roots` and everything they depend on, as npm installed them in the repo, into `into` at the same relative paths. */
export function copyInstalled(roots: readonly string[], into: string): void {
  for (const relative of dependencyClosure(roots)) {
    const source = path.join(REPO, relative);
    // A package's own node_modules holds other packages, copied as such when they are needed.
    cpSync(source, path.join(into, relative), { recursive: true, filter: (file) => path.relative(source, file) !== "node_modules" });
  }
}

/** Builds the stage in `dir` unless it is current; returns whether it built. */
export function stage(dir: string): boolean {
  return restage(dir, inputsHash(), (next) => {
    compile("examples/app/tsconfig.json", next);
    copyInstalled(APP_DEPENDENCIES, next);
  });
}

if (require.main === module) {
  const [dir] = process.argv.slice(2);
  if (!dir || !path.isAbsolute(dir)) {
    process.stderr.write("usage: stage.ts ABSOLUTE_DIR\n");
    process.exit(2);
  }
  const built = stage(dir);
  process.stderr.write(`tools/images/app/stage.ts: ${built ? "staged" : "current"}: ${dir}\n`);
}
