/**
 * A file replaced atomically: its new content is written to a temporary file in the same directory,
 * flushed to disk, then renamed over it, and the directory is flushed too. A process killed at any
 * moment leaves the old content or the new one, never an empty or truncated file.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import * as path from "node:path";

/** Replaces `file` with `data` atomically (see above); `mode` applies to a file it creates. */
export function writeFileAtomic(file: string, data: string | Buffer, mode = 0o600): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now().toString(16)}.tmp`);
  const fd = openSync(temp, "wx", mode);
  try {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    for (let written = 0; written < bytes.length;) written += writeSync(fd, bytes, written);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  syncDirectory(path.dirname(file));
}

/** Flushes a directory's entries (a rename or removal in it) to disk. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
