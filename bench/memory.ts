/** Samples the memory of this process and of all its descendants (workers, engines, plugins). */
import { execFileSync } from "node:child_process";

/** Peak resident memory, in MiB, of the driver process and of its whole process tree. */
export interface MemoryPeak {
  readonly driverMiB: number;
  readonly treeMiB: number;
}

/** The resident memory of this process's tree, in KiB. */
function treeRssKiB(): number {
  const rows = execFileSync("ps", ["-e", "-o", "pid=,ppid=,rss="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number));
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const [pid, ppid, kib] of rows) {
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    rss.set(pid, kib);
  }
  let total = 0;
  const stack = [process.pid];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Samples every `intervalMs` until `stop()` is called; resolves the peaks. */
export function sampleMemory(intervalMs = 500): { stop: () => MemoryPeak } {
  let driver = 0;
  let tree = 0;
  const sample = () => {
    driver = Math.max(driver, process.memoryUsage().rss / 1024);
    tree = Math.max(tree, treeRssKiB());
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { driverMiB: Math.round(driver / 1024), treeMiB: Math.round(tree / 1024) };
    },
  };
}
