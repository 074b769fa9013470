/**
 * Stages the runner image's trees (`prepare` runs it): `<dir>/package`, this package compiled by the
 * repo's tsc (`tsconfig.build.json`) with its `package.json` and the node_modules it needs at run time
 * (its dependencies, `@pulumi/pulumi` and `@pulumi/kubernetes`, as npm installed them in the repo, at the
 * same relative paths), and `<dir>/pulumi`, the binaries of the given directories (the Pulumi CLI, its
 * language host and providers, from tools/pulumi/build.sh) with the dynamic resources' plugin. Nothing is done when `<dir>.inputs` holds the
 * hash of the inputs (the package's sources, tsconfigs, package.json, package-lock.json, the binaries'
 * paths and sizes); otherwise the stage is rebuilt beside and swapped in.
 *
 * Usage: node -r ts-node/register/transpile-only tools/images/runner/stage.ts DIR BINARY_DIR...
 */
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { compile, copyInstalled, files, restage } from "../app/stage";

const REPO = path.join(__dirname, "../../..");
/** The engine's plugin for dynamic resources, as the runner runs it (no shell in the image). */
const DYNAMIC_PROVIDER = path.join(__dirname, "pulumi-resource-pulumi-nodejs");

/** The package's sources, relative to the repo. */
function sources(): string[] {
  return [
    "index.ts",
    "tsconfig.json",
    "tsconfig.build.json",
    "package.json",
    "package-lock.json",
    path.relative(REPO, DYNAMIC_PROVIDER),
    "tools/images/app/stage.ts",
    path.relative(REPO, __filename),
    ...["schema", "components", "automation"].flatMap((dir) => files(path.join(REPO, dir)).map((f) => path.join(dir, f))),
  ];
}

/** The executables of the binary directories, by name (the first directory naming one wins). */
function binaries(dirs: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of dirs)
    for (const name of readdirSync(dir))
      if (!found.has(name) && statSync(path.join(dir, name)).isFile()) found.set(name, path.join(dir, name));
  return found;
}

/** The hash of what the stage is made from. */
function inputsHash(binaryDirs: readonly string[]): string {
  const hash = createHash("sha256");
  for (const file of sources())
    hash
      .update(`${file}\0`)
      .update(readFileSync(path.join(REPO, file)))
      .update("\0");
  for (const [name, file] of binaries(binaryDirs)) hash.update(`${name} ${file} ${statSync(file).size}\0`);
  return hash.digest("hex").slice(0, 16);
}

/** The packages the runner requires at run time: the package's dependencies and the Pulumi SDKs its program uses. */
function runtimePackages(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  return [...Object.keys(manifest.dependencies), "@pulumi/pulumi", "@pulumi/kubernetes"];
}

/** Builds the stage in `dir` unless it is current; returns whether it built. */
export function stage(dir: string, binaryDirs: readonly string[]): boolean {
  return restage(dir, inputsHash(binaryDirs), (next) => {
    const pkg = path.join(next, "package");
    compile("tsconfig.build.json", path.join(pkg, "dist"));
    copyFileSync(path.join(REPO, "package.json"), path.join(pkg, "package.json"));
    copyInstalled(runtimePackages(), pkg);
    mkdirSync(path.join(next, "pulumi"), { recursive: true });
    for (const [name, file] of binaries(binaryDirs)) copyFileSync(file, path.join(next, "pulumi", name));
    copyFileSync(DYNAMIC_PROVIDER, path.join(next, "pulumi", path.basename(DYNAMIC_PROVIDER)));
  });
}

if (require.main === module) {
  const [dir, ...binaryDirs] = process.argv.slice(2);
  if (!dir || !path.isAbsolute(dir) || binaryDirs.length === 0) {
    process.stderr.write("usage: stage.ts ABSOLUTE_DIR BINARY_DIR...\n");
    process.exit(2);
  }
  const built = stage(dir, binaryDirs);
  process.stderr.write(`tools/images/runner/stage.ts: ${built ? "staged" : "current"}: ${dir}\n`);
}
