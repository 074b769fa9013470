/**
 * Watches files by re-reading them: every interval each file's content is read and compared with
 * the last one, and a change is reported. Kubernetes updates a mounted Secret or ConfigMap by
 * swapping a symbolic link (`..data`), which `fs.watch` on the file misses; reading by path
 * follows the link, so a poll sees every update (and the files are a few bytes each).
 */
import { readFile } from "node:fs/promises";
import type { Logger } from "./log";
import { errorFields } from "./log";

/**
 * Called once per poll that saw changes, with each changed file's path and new content (`undefined`:
 * the file is gone): the files of one Secret update are reported together.
 */
export type FileListener = (changes: ReadonlyMap<string, string | undefined>) => void;

/** Re-reads a fixed set of files; see the module's comment. */
export class FilePoller {
  private readonly contents = new Map<string, string | undefined>();
  private readonly listeners: FileListener[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly paths: readonly string[],
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  /** Adds a listener of changes (the first {@link poll} reports every file that exists). */
  onChange(listener: FileListener): void {
    this.listeners.push(listener);
  }

  /** The content of `path` at the last poll. */
  current(path: string): string | undefined {
    return this.contents.get(path);
  }

  /** Reads every file once and reports the changes; concurrent calls share one read. */
  poll(): Promise<void> {
    this.running ??= this.readAll().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Polls now, then every interval until {@link stop}. */
  async start(): Promise<void> {
    await this.poll();
    this.timer ??= setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async readAll(): Promise<void> {
    const changes = new Map<string, string | undefined>();
    await Promise.all(
      this.paths.map(async (path) => {
        let content: string | undefined;
        try {
          content = await readFile(path, "utf8");
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code !== "ENOENT" && code !== "ENOTDIR") {
            // Unreadable for now (permissions, a directory): keep what was read before.
            this.log.warn("cannot read a watched file", { path, ...errorFields(error) });
            return;
          }
        }
        const known = this.contents.has(path);
        if (known && this.contents.get(path) === content) return;
        this.contents.set(path, content);
        if (known || content !== undefined) changes.set(path, content);
      }),
    );
    if (changes.size) for (const listener of this.listeners) listener(changes);
  }
}
