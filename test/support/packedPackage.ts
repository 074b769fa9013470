/**
 * The package as npm publishes it: built, packed into a folder, and installed from the tarball into a
 * fresh project with its peers at the versions this checkout is tested with. Needs no cluster.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

const REPO = path.join(__dirname, "../..");

/** The tsconfig.json `pulumi new typescript` writes (strict, `moduleResolution: node`, no `esModuleInterop`, no `skipLibCheck`). */
export const PULUMI_TSCONFIG = {
  compilerOptions: {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "commonjs",
    moduleResolution: "node",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
  files: ["index.ts"],
};

/** Runs npm in `cwd` (the checkout by default) and returns its standard output. */
export function npm(args: readonly string[], cwd = REPO): string {
  return execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** `name@version` of each package as installed in this checkout (the SDK's is the Pulumi CLI's). */
export function checkoutVersions(names: readonly string[]): string[] {
  return names.map((name) => `${name}@${JSON.parse(readFileSync(path.join(REPO, "node_modules", name, "package.json"), "utf8")).version}`);
}

/** The packed package installed into `dir` as a new project named `consumer`, with `packages` beside it. */
export function installPacked(dir: string, packages: readonly string[]): { filename: string; files: string[] } {
  const [packed] = JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", dir]));
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
  npm(["install", "--prefer-offline", "--no-audit", "--no-fund", `./${packed.filename}`, ...packages], dir);
  return { filename: packed.filename, files: packed.files.map((f: { path: string }) => f.path) };
}
