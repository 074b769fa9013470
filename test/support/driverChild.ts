/**
 * The progress of a driver that a test runs in a child process, to kill it: each event printed on
 * stdout as a JSON line, and the process killed (SIGKILL, as a crash) at a point of the run that
 * does not depend on the machine's speed.
 */
import type { ChildProcess } from "node:child_process";
import type { DriverEvent } from "../../automation";

const CHANGES = new Set(["create", "update", "delete", "replace"]);

/**
 * An `onEvent` that prints each event (resource steps only when `steps`), and, once the driver has
 * started a job on stack `crashAt`, kills this process when that stack's engine starts changing a
 * resource, right after printing `{"type":"killed","at":<the step event>}`.
 */
export function printEvents(options: { steps: boolean; crashAt?: string }): (event: DriverEvent) => void {
  let armed = false;
  return (event) => {
    if (event.type === "stack" && event.stack === options.crashAt && event.status === "started") armed = true;
    if (event.type !== "step" || options.steps) console.log(JSON.stringify(event));
    if (armed && event.type === "step" && event.stack === options.crashAt && CHANGES.has(event.op)) {
      console.log(JSON.stringify({ type: "killed", at: event }));
      process.kill(process.pid, "SIGKILL");
    }
  };
}

/** Hands each JSON line a driver child process prints on stdout to `onLine`; resolves when the process exits. */
export function jsonLines(child: ChildProcess, onLine: (line: any) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
        onLine(JSON.parse(buffer.slice(0, i)));
        buffer = buffer.slice(i + 1);
      }
    });
    child.on("exit", () => resolve());
  });
}
