/**
 * Marked processes: every process a run of tenantstack starts carries `TENANTSTACK_OWNER=<owner>/<task>`
 * in its environment, and every process it starts inherits it (the Pulumi CLI hands its environment
 * to the plugins it starts, in process groups of their own, which a kill of the worker's group
 * misses). `<owner>` is the identity of the process that answers for them (see {@link processIdentity});
 * `<task>` says what they do (`job:<n>` for a worker and its engine, `migrate:<id>:<step>:<attempt>`).
 * The process table itself, `/proc/<pid>/environ`, says which are left, whatever killed their
 * owner: no bookkeeping of the owner's has to survive it. Linux only: elsewhere nothing is marked
 * and nothing is found.
 */
import { readdirSync, readFileSync } from "node:fs";

/** The environment variable holding the mark. */
export const MARK_VARIABLE = "TENANTSTACK_OWNER";

/** A marked process. */
export interface MarkedProcess {
  /** Its process id. */
  readonly pid: number;
  /** The whole mark, `<owner>/<task>`. */
  readonly mark: string;
  /** The identity of the process that started it for its task, `<pid>-<start ticks>`. */
  readonly owner: string;
  /** What it was started for. */
  readonly task: string;
}

/**
 * A process's identity that survives the reuse of its pid: `<pid>-<start time in clock ticks after
 * boot>` (field 22 of `/proc/<pid>/stat`). Undefined once the process is gone or a zombie, or
 * without `/proc`.
 */
export function processIdentity(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count the fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z" || fields[0] === "X") return undefined;
    return `${pid}-${fields[19]}`;
  } catch {
    return undefined;
  }
}

/** Whether the process of identity `owner` is still running. */
export function ownerAlive(owner: string): boolean {
  return processIdentity(Number(owner.split("-")[0])) === owner;
}

/** The environment entry that marks the processes this process starts for `task`; empty without `/proc`. */
export function markFor(task: string): Record<string, string> {
  const self = processIdentity(process.pid);
  return self === undefined ? {} : { [MARK_VARIABLE]: `${self}/${task}` };
}

/** The marked processes running now (zombies hold no environment and are not listed), this one excluded. */
export function markedProcesses(): MarkedProcess[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const prefix = `${MARK_VARIABLE}=`;
  const found: MarkedProcess[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${entry}/environ`, "utf8");
    } catch {
      continue; // gone, or another user's
    }
    const mark = environ
      .split("\0")
      .find((variable) => variable.startsWith(prefix))
      ?.slice(prefix.length);
    const slash = mark?.indexOf("/") ?? -1;
    if (mark === undefined || slash < 0) continue;
    found.push({ pid: Number(entry), mark, owner: mark.slice(0, slash), task: mark.slice(slash + 1) });
  }
  return found;
}

/** SIGKILLs each of `processes`; returns the pids signalled. */
function kill(processes: readonly MarkedProcess[]): number[] {
  return processes.flatMap(({ pid }) => {
    try {
      process.kill(pid, "SIGKILL");
      return [pid];
    } catch {
      return []; // gone meanwhile
    }
  });
}

/** SIGKILLs every marked process `which` selects, at once, without waiting; returns their pids. */
export function killMarked(which: (process: MarkedProcess) => boolean): number[] {
  return kill(markedProcesses().filter(which));
}

/**
 * Ends every marked process `which` selects and resolves once the process table holds none (a
 * process started meanwhile by one of them is ended too), with the pids ended; rejects when some
 * are still there after `timeoutMs` (a process stuck in the kernel).
 */
export async function endMarked(which: (process: MarkedProcess) => boolean, timeoutMs = 10_000): Promise<number[]> {
  const ended = new Set<number>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = markedProcesses().filter(which);
    if (left.length === 0) return [...ended].sort((a, b) => a - b);
    if (Date.now() > deadline)
      throw new Error(`processes ${left.map((p) => `${p.pid} (${p.task})`).join(", ")} still run ${timeoutMs} ms after SIGKILL`);
    for (const pid of kill(left)) ended.add(pid);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Ends the marked processes whose owner is gone: what a killed run (or a whole killed machine's worth of processes) left. */
export function endOrphans(timeoutMs?: number): Promise<number[]> {
  return endMarked((p) => !ownerAlive(p.owner), timeoutMs);
}
