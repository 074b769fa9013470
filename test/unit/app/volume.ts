/**
 * A directory updated the way the kubelet updates a mounted Secret or ConfigMap (its AtomicWriter):
 * the files live in a new hidden directory each time, `..data` is a symbolic link to it, replaced
 * by a rename, and each file is a link `<name> -> ..data/<name>`.
 */
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

export class KubeletVolume {
  readonly dir = mkdtempSync(path.join(tmpdir(), "tenantstack-app-volume-"));
  private generation = 0;

  /** Makes the volume hold exactly `files`. */
  write(files: Readonly<Record<string, string>>): void {
    const previous = readdirSync(this.dir).filter((name) => name.startsWith("..") && name !== "..data");
    const data = `..gen_${++this.generation}`;
    mkdirSync(path.join(this.dir, data));
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(this.dir, data, name), content);
    symlinkSync(data, path.join(this.dir, "..data_tmp"));
    renameSync(path.join(this.dir, "..data_tmp"), path.join(this.dir, "..data"));
    for (const name of readdirSync(this.dir).filter((n) => !n.startsWith("..")))
      if (!(name in files)) unlinkSync(path.join(this.dir, name));
    for (const name of Object.keys(files)) {
      try {
        symlinkSync(path.join("..data", name), path.join(this.dir, name));
      } catch {
        // the link exists
      }
    }
    for (const old of previous) rmSync(path.join(this.dir, old), { recursive: true });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
