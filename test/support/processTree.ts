/**
 * The process table as the kernel has it (`/proc`), for the tests that kill a driver: the tree of
 * processes under a pid at the moment of the kill (by parent pid, whatever their process group or
 * session), and whether any of them outlived it. Nothing here reads the driver's own bookkeeping.
 */
import { readdirSync, readFileSync } from "node:fs";

/** A process seen in the table. */
export interface SeenProcess {
  readonly pid: number;
  /** `<pid>-<start ticks>`: the same process, not a later one that got its pid. */
  readonly identity: string;
  readonly ppid: number;
  readonly pgid: number;
  /** The command name (`/proc/<pid>/comm`, at most 15 characters). */
  readonly comm: string;
}

/** Every process now. */
export function processTable(): SeenProcess[] {
  const seen: SeenProcess[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const open = stat.indexOf("(");
      const close = stat.lastIndexOf(")");
      const fields = stat.slice(close + 2).split(" ");
      if (fields[0] === "Z" || fields[0] === "X") continue;
      seen.push({
        pid: Number(entry),
        identity: `${entry}-${fields[19]}`,
        ppid: Number(fields[1]),
        pgid: Number(fields[2]),
        comm: stat.slice(open + 1, close),
      });
    } catch {
      // gone meanwhile
    }
  }
  return seen;
}

/** `pid` and every process under it now (children, theirs, ...). */
export function processTree(pid: number): SeenProcess[] {
  const table = processTable();
  const tree = table.filter((p) => p.pid === pid);
  for (let i = 0; i < tree.length; i++) tree.push(...table.filter((p) => p.ppid === tree[i].pid));
  return tree;
}

/** Those of `processes` still running (the same processes: pid and start time). */
export function survivors(processes: readonly SeenProcess[]): SeenProcess[] {
  const alive = new Set(processTable().map((p) => p.identity));
  return processes.filter((p) => alive.has(p.identity));
}

/** Waits up to `ms` for every one of `processes` to be gone; resolves how long it took, or rejects naming the survivors. */
export async function allGone(processes: readonly SeenProcess[], ms = 5_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const left = survivors(processes);
    if (left.length === 0) return Date.now() - started;
    if (Date.now() - started > ms)
      throw new Error(
        `${left.length} processes outlived the kill by ${ms} ms: ${left.map((p) => `${p.pid} ${p.comm} (group ${p.pgid})`).join(", ")}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
