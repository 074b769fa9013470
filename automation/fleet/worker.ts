/**
 * A worker process: runs the stack jobs its supervisor sends, one at a time, streaming each one's
 * progress and sending its result or error back; between jobs it waits, warm (the Automation API
 * loaded, the CLI located), for the next. Told to cancel, it interrupts its engine, which stops
 * cleanly; the supervisor then discards it. When its supervisor dies it kills every process
 * carrying its mark (the plugins, which the engine starts in process groups of their own) and its
 * own process group (itself, the engine) at once: the restarted supervisor then recovers the stack
 * (lock and pending operations) knowing nothing of the old run is still writing to it.
 */
import { toWire } from "../errors";
import { runStackJob, type StackJob } from "../operations/stackJob";
import { killMarked, MARK_VARIABLE } from "../processes/marks";
import { WorkspaceFactory, type WorkspaceOptions } from "../workspace";

/** Messages from the supervisor. */
export type ToWorker = { readonly type: "run"; readonly job: StackJob; readonly workspace: WorkspaceOptions } | { readonly type: "cancel" };

let controller = new AbortController();
/** The factory of each workspace this worker has run jobs in (the CLI is located once). */
const factories = new Map<string, Promise<WorkspaceFactory>>();

const send = (message: unknown) =>
  new Promise<void>((resolve) => (process.connected ? process.send!(message, () => resolve()) : resolve()));

function factoryOf(workspace: WorkspaceOptions): Promise<WorkspaceFactory> {
  const key = JSON.stringify(workspace);
  let factory = factories.get(key);
  if (!factory) {
    factory = WorkspaceFactory.create(workspace);
    factories.set(key, factory);
    factory.catch(() => factories.delete(key));
  }
  return factory;
}

async function run(job: StackJob, workspace: WorkspaceOptions): Promise<void> {
  controller = new AbortController();
  try {
    const factory = await factoryOf(workspace);
    const result = await runStackJob(factory, job, (event) => void send({ type: "event", event }), controller.signal);
    await send({ type: "result", result });
  } catch (error) {
    await send({ type: "error", error: toWire(error) });
  }
}

process.on("message", (message: ToWorker) => {
  if (message.type === "run") void run(message.job, message.workspace);
  else controller.abort();
});
process.on("disconnect", () => {
  const mark = process.env[MARK_VARIABLE];
  if (mark !== undefined) killMarked((p) => p.mark === mark);
  process.kill(-process.pid, "SIGKILL");
});
