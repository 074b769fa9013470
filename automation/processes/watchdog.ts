/**
 * The watchdog of a process that marks what it starts (`marks.ts`): a small shell process of its
 * own session, started once, that waits on a pipe only its owner holds open. When the owner ends,
 * however (SIGKILL included), the pipe closes and the watchdog ends every process carrying the
 * owner's mark, then repeats until the process table holds none (a marked process that started
 * another meanwhile is marked too, so when none is left none can start). It covers what the
 * owner's own handlers cannot: an owner killed outright, a worker whose event loop never ran its
 * disconnect handler. Needs `/proc` and GNU grep (`-z`); elsewhere none is started.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import type { Socket } from "node:net";
import { MARK_VARIABLE, markFor, processIdentity } from "./marks";

/** The watchdog's script: `$1` is the owner's identity. Gives up after about 10 s of survivors (a process stuck in the kernel). */
export const WATCHDOG_SCRIPT = [
  "cat >/dev/null",
  "n=0",
  "while [ $n -lt 100 ]; do",
  `  pids=$(grep -lsz "^${MARK_VARIABLE}=$1/" /proc/[0-9]*/environ | cut -d/ -f3)`,
  '  [ -z "$pids" ] && exit 0',
  "  kill -9 $pids 2>/dev/null",
  "  n=$((n + 1))",
  "  sleep 0.1",
  "done",
].join("\n");

let started: { pid?: number } | undefined;

/**
 * Starts this process's watchdog unless it runs already; returns its pid (undefined without
 * `/proc`). It does not keep this process alive.
 */
export function startWatchdog(): number | undefined {
  if (started !== undefined) return started.pid;
  const self = processIdentity(process.pid);
  started = {};
  if (self === undefined || !existsSync("/bin/sh")) return undefined;
  const env = { ...process.env };
  delete env[MARK_VARIABLE]; // never a target of its own sweep, or of another's
  const child = spawn("/bin/sh", ["-c", WATCHDOG_SCRIPT, "tenantstack-watchdog", self], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
    env,
  });
  child.on("error", () => undefined);
  const pipe = child.stdin as Socket;
  pipe.on("error", () => undefined);
  pipe.unref();
  child.unref();
  started = { pid: child.pid };
  return child.pid;
}

/**
 * The environment entry to give the processes this process starts for `task` (see `marks.ts`),
 * this process's watchdog started first, so that they end with it.
 */
export function markChildren(task: string): Record<string, string> {
  startWatchdog();
  return markFor(task);
}
