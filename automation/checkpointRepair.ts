/**
 * A stack's files in a `file://` backend and their repair after an engine was killed.
 *
 * The engine stores them through gocloud.dev's fileblob: each file is written to a temporary file
 * next to it and renamed over it (atomic), but its `<file>.attrs` sidecar (content type and MD5) is
 * rewritten in place (`os.Create`, then the JSON) just before that rename. An engine killed in between
 * leaves an empty sidecar beside an intact file, and every later read of the file, `pulumi stack
 * select` first, fails with `failed to load checkpoint: EOF`; the new content stays behind in a
 * `<file>.<hex>.tmp`. A missing sidecar is read as defaults, so an unreadable one is removed. A
 * checkpoint whose own content is unreadable (never the result of a kill: only a crash of the
 * machine, whose writes are not flushed, or a hand) is restored from the newest readable copy the
 * backend keeps: its `.bak` (the checkpoint before the last write), retained checkpoints
 * (`PULUMI_RETAIN_CHECKPOINTS`), the history's checkpoint of each update, the backups of each update.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import { syncDirectory, writeFileAtomic } from "./atomicFile";
import { CheckpointUnreadableError } from "./errors";

/** Where one stack's files are in a file backend (project-scoped layout). */
export interface StackBackendFiles {
  /** The stack. */
  readonly stack: string;
  /** The backend's bookkeeping directory, `<backend>/.pulumi`. */
  readonly bookkeeping: string;
  /** The checkpoint, `.pulumi/stacks/<project>/<stack>.json`; its backup is the same path with `.bak`. */
  readonly checkpoint: string;
  /** One checkpoint and one update record per update: `.pulumi/history/<project>/<stack>`. */
  readonly historyDir: string;
  /** One checkpoint per update: `.pulumi/backups/<project>/<stack>`. */
  readonly backupsDir: string;
  /** The engine's lock files: `.pulumi/locks/organization/<project>/<stack>`. */
  readonly locksDir: string;
}

/** The files of `stack` of `project` in the file backend at `root`. */
export function stackBackendFiles(root: string, project: string, stack: string): StackBackendFiles {
  const bookkeeping = path.join(root, ".pulumi");
  return {
    stack,
    bookkeeping,
    checkpoint: path.join(bookkeeping, "stacks", project, `${stack}.json`),
    historyDir: path.join(bookkeeping, "history", project, stack),
    backupsDir: path.join(bookkeeping, "backups", project, stack),
    locksDir: path.join(bookkeeping, "locks", "organization", project, stack),
  };
}

/** What a repair did; empty lists and no `restoredFrom` when nothing was wrong. */
export interface CheckpointRepair {
  /** Sidecars (`<file>.attrs`) that could not be read, or whose file was gone, removed. */
  readonly sidecarsRemoved: readonly string[];
  /** Temporary files of interrupted writes removed. */
  readonly tempFilesRemoved: readonly string[];
  /** Why the checkpoint's own content could not be read, when it could not. */
  readonly unreadable?: string;
  /** The copy the checkpoint was restored from. */
  readonly restoredFrom?: string;
}

/** Whether a repair mended the stack's files: a sidecar removed or the checkpoint restored (removing temporary files is housekeeping). */
export function repaired(repair: CheckpointRepair): boolean {
  return repair.sidecarsRemoved.length > 0 || repair.restoredFrom !== undefined;
}

/** Why a checkpoint file (or a copy of one) of `stack` cannot be loaded; undefined when it can. */
export function checkpointProblem(file: string, stack: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    return `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  if (text.trim() === "") return "is empty";
  let parsed: { version?: unknown; checkpoint?: { stack?: unknown } };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (error) {
    return `is not whole JSON (${(error as Error).message}, ${text.length} bytes)`;
  }
  if (typeof parsed?.version !== "number" || typeof parsed.checkpoint !== "object" || parsed.checkpoint === null)
    return "is not a checkpoint (no version and checkpoint)";
  const owner = parsed.checkpoint.stack;
  if (typeof owner === "string" && owner !== stack && !owner.endsWith(`/${stack}`)) return `is the checkpoint of another stack (${owner})`;
  return undefined;
}

/** The lock files the engine left for the stack (a killed engine never removes its own). */
export function lockFiles(files: StackBackendFiles): string[] {
  return listFiles(files.locksDir).filter((file) => !file.endsWith(".attrs"));
}

/**
 * The copies of the checkpoint the backend keeps, newest first: its `.bak`, retained checkpoints,
 * the history's and the backups' checkpoints.
 */
export function checkpointCopies(files: StackBackendFiles): string[] {
  const stacksDir = path.dirname(files.checkpoint);
  const retained = new RegExp(`^${escape(path.basename(files.checkpoint))}\\.\\d+$`);
  const copies = [
    `${files.checkpoint}.bak`,
    ...listFiles(stacksDir).filter((file) => retained.test(path.basename(file))),
    ...listFiles(files.historyDir).filter((file) => file.endsWith(".checkpoint.json")),
    ...listFiles(files.backupsDir).filter((file) => new RegExp(`^${escape(files.stack)}\\.\\d+\\.json$`).test(path.basename(file))),
  ].filter((file) => existsSync(file));
  // Stable: among copies written in the same instant the list's order (.bak first) stands.
  return copies
    .map((file, order) => ({ file, order, time: statSync(file).mtimeMs }))
    .sort((a, b) => b.time - a.time || a.order - b.order)
    .map((copy) => copy.file);
}

/**
 * Makes the stack loadable again: removes unreadable or orphaned sidecars and the temporary files
 * of interrupted writes among the stack's files, and restores an unreadable checkpoint from the
 * newest readable copy (written atomically). Throws {@link CheckpointUnreadableError} when the
 * checkpoint is unreadable and no copy is readable. Run only while no engine works on the stack.
 */
export function repairCheckpoint(files: StackBackendFiles, workDir: string): CheckpointRepair {
  const stacksDir = path.dirname(files.checkpoint);
  const ownFile = new RegExp(`^\\.?${escape(path.basename(files.checkpoint))}`);
  const candidates = [
    ...listFiles(files.bookkeeping).filter((file) => path.basename(file).startsWith("meta.yaml")),
    ...listFiles(stacksDir).filter((file) => ownFile.test(path.basename(file))),
    ...[files.historyDir, files.backupsDir, files.locksDir].flatMap(listFiles),
  ];
  const tempFilesRemoved = candidates.filter((file) => /\.[0-9a-f]+\.tmp$/.test(file));
  const sidecarsRemoved = candidates.filter((file) => file.endsWith(".attrs") && !sidecarReadable(file));
  for (const file of [...tempFilesRemoved, ...sidecarsRemoved]) rmSync(file, { force: true });

  const unreadable = existsSync(files.checkpoint) ? checkpointProblem(files.checkpoint, files.stack) : undefined;
  let restoredFrom: string | undefined;
  if (unreadable !== undefined) {
    const copies = checkpointCopies(files).map((file) => ({ file, problem: checkpointProblem(file, files.stack) }));
    const readable = copies.find((copy) => copy.problem === undefined);
    if (!readable) {
      throw new CheckpointUnreadableError(
        files.stack,
        files.checkpoint,
        unreadable,
        copies.map((copy) => `${copy.file} ${copy.problem}`),
        workDir,
      );
    }
    writeFileAtomic(files.checkpoint, readFileSync(readable.file), 0o644);
    // The checkpoint's sidecar describes the content it replaced (its MD5); without one, defaults are read.
    rmSync(`${files.checkpoint}.attrs`, { force: true });
    restoredFrom = readable.file;
  }
  for (const dir of new Set([...tempFilesRemoved, ...sidecarsRemoved].map((file) => path.dirname(file)))) syncDirectory(dir);
  return { sidecarsRemoved, tempFilesRemoved, ...(unreadable !== undefined ? { unreadable, restoredFrom } : {}) };
}

/** Whether a fileblob sidecar can be read: a JSON object, beside the file it describes. */
function sidecarReadable(sidecar: string): boolean {
  if (!existsSync(sidecar.slice(0, -".attrs".length))) return false;
  try {
    const parsed: unknown = JSON.parse(readFileSync(sidecar, "utf8"));
    return typeof parsed === "object" && parsed !== null;
  } catch {
    return false;
  }
}

/** The files (not directories) directly in `dir`, none when it does not exist. */
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
