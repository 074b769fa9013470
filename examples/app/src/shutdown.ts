/**
 * Termination: on SIGTERM (or SIGINT) the process runs its stop sequence once and exits 0 when it
 * is done, or 1 when the shutdown timeout passes first, so that it is gone before the pod's grace
 * period ends (and Kubernetes' SIGKILL). A second signal changes nothing.
 */
import { errorFields, type Logger } from "./log";

/** Runs `stop` on the first SIGTERM or SIGINT, then exits; see the module's comment. */
export function exitOnSignals(stop: () => Promise<void>, timeoutMs: number, log: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info("stopping", { signal, timeoutMs });
    setTimeout(() => {
      log.error("shutdown timeout passed: exiting with work in flight", { timeoutMs });
      process.exit(1);
    }, timeoutMs);
    stop().then(
      () => {
        log.info("stopped");
        process.exit(0);
      },
      (error) => {
        log.error("stopping failed", errorFields(error));
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
