/**
 * A worker process: runs the one stack job its supervisor sends, streams its progress and sends the
 * result or the error back, then exits. Told to cancel, it interrupts its engine, which stops
 * cleanly. When its supervisor dies it kills its own process group (itself, the engine and plugins)
 * at once: the restarted supervisor then recovers the stack (lock and pending operations) knowing
 * nothing of the old run is still writing to it.
 */
import { toWire } from "../errors";
import { runStackJob, type StackJob } from "../operations/stackJob";
import { WorkspaceFactory, type WorkspaceOptions } from "../workspace";

/** Messages from the supervisor. */
export type ToWorker = { readonly type: "run"; readonly job: StackJob; readonly workspace: WorkspaceOptions } | { readonly type: "cancel" };

const controller = new AbortController();
const send = (message: unknown) =>
  new Promise<void>((resolve) => (process.connected ? process.send!(message, () => resolve()) : resolve()));

async function run(job: StackJob, workspace: WorkspaceOptions): Promise<void> {
  try {
    const factory = await WorkspaceFactory.create(workspace);
    const result = await runStackJob(factory, job, (event) => void send({ type: "event", event }), controller.signal);
    await send({ type: "result", result });
  } catch (error) {
    await send({ type: "error", error: toWire(error) });
  }
  process.exit(0);
}

process.on("message", (message: ToWorker) => {
  if (message.type === "run") void run(message.job, message.workspace);
  else controller.abort();
});
process.on("disconnect", () => process.kill(-process.pid, "SIGKILL"));
