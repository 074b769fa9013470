/** Starting `migrateProcess.ts` (a driver running one migration in a process of its own) and reading its events. */
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";

/** A driver process and what it printed so far. */
export interface DriverProcess {
  readonly child: ChildProcess;
  /** Every event printed, in order (and `{"type":"result"}`, `{"type":"killed"}`). */
  readonly events: any[];
  /** Resolves once the process has exited and its output is read. */
  readonly exited: Promise<void>;
  /** Resolves the first event `match` accepts, or undefined when the process exits without one. */
  waitFor(match: (event: any) => boolean): Promise<any>;
}

/** Starts `migrateProcess.ts` with `args` (see its `Args`) in its environment. */
export function startDriverProcess(args: Record<string, unknown>): DriverProcess {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "migrateProcess.ts")], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, MIGRATE_ARGS: JSON.stringify(args) },
  });
  const events: any[] = [];
  const watchers: { match: (event: any) => boolean; resolve: (event: any) => void }[] = [];
  let buffer = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
      const event = JSON.parse(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
      events.push(event);
      for (const watcher of watchers.filter((w) => w.match(event))) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve(event);
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  void exited.then(() => watchers.splice(0).forEach((w) => w.resolve(undefined)));
  return {
    child,
    events,
    exited,
    waitFor: (match) => {
      const seen = events.find(match);
      if (seen !== undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(seen);
      return new Promise((resolve) => watchers.push({ match, resolve }));
    },
  };
}
