/**
 * The lookup of a checkout's built engine toolchain. It only reads what `tools/toolchain.sh` recorded
 * after its last build (`tools/.toolchain-built`): it never runs the script, so a library call never
 * starts a build. Building stays in `tools/` (`npm run toolchain`) and the test harness.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";

/** The record `tools/toolchain.sh` writes, relative to the checkout. */
export const TOOLCHAIN_RECORD = "tools/.toolchain-built";

/** What the lookup found in a directory. */
export type ToolchainLookup =
  /** Not a checkout (no `tools/toolchain.sh`): the installed package. */
  | { readonly kind: "none" }
  /** A checkout whose toolchain is built and up to date: the directories to put on PATH. */
  | { readonly kind: "built"; readonly dirs: readonly string[] }
  /** A checkout whose toolchain cannot be used: why, as the end of a sentence ("is not built ..."). */
  | { readonly kind: "unusable"; readonly problem: string };

/**
 * Reads the toolchain record of the checkout at `root`: usable when every file it was built from
 * still has the recorded hash and every recorded directory exists. Never builds anything.
 */
export function lookUpToolchain(root: string): ToolchainLookup {
  if (!existsSync(path.join(root, "tools/toolchain.sh"))) return { kind: "none" };
  const record = path.join(root, TOOLCHAIN_RECORD);
  if (!existsSync(record)) return { kind: "unusable", problem: `is not built (no ${TOOLCHAIN_RECORD})` };
  const dirs: string[] = [];
  for (const line of readFileSync(record, "utf8").split("\n")) {
    const input = /^input ([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (input) {
      const [, hash, file] = input;
      if (sha256Of(path.join(root, file)) !== hash)
        return { kind: "unusable", problem: `is out of date (${file} changed since it was built)` };
    } else if (line.startsWith("dir ")) {
      const dir = line.slice("dir ".length);
      if (!isDirectory(dir)) return { kind: "unusable", problem: `is incomplete (${dir} is gone)` };
      dirs.push(dir);
    }
  }
  return { kind: "built", dirs };
}

/** The SHA-256 of a file in hex, or undefined when it cannot be read. */
function sha256Of(file: string): string | undefined {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch {
    return undefined;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
