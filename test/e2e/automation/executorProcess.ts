/**
 * A supervisor in a process of its own, for the worker-pool test: runs two jobs that fail (outputs of
 * stacks that do not exist) on one LocalProcessExecutor with a pool of one, prints each job's worker
 * pid and outcome as a JSON line, and returns without closing the executor: its idle warm worker must
 * not keep this process alive. The workspace is given as JSON in $EXECUTOR_ARGS.
 */
import { LocalProcessExecutor } from "../../../automation";

async function main(): Promise<void> {
  const workspace = JSON.parse(process.env.EXECUTOR_ARGS ?? "{}") as { stateDir: string; passphrase: string };
  const executor = new LocalProcessExecutor({ workspace, poolSize: 1, idleTimeoutMs: 600_000 });
  for (const stack of ["missing-1", "missing-2"]) {
    let pid = -1;
    const outcome = await executor
      .run({ kind: "outputs", stack }, { onEvent: (event) => void (event.type === "started" && (pid = event.pid)) })
      .then(
        () => "succeeded",
        (error: Error) => error.name,
      );
    console.log(JSON.stringify({ stack, pid, outcome }));
  }
}

void main();
