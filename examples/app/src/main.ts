/**
 * The app's entry point: `node main.js api` or `node main.js worker` (the image's command chooses).
 * Invalid settings print every problem and exit 1 before anything listens.
 */
import { startApi } from "./api";
import { ConfigError, loadConfig, type Role } from "./config";
import { consoleLogger, errorFields } from "./log";
import { exitOnSignals } from "./shutdown";
import { startWorker } from "./worker";

const ROLES: readonly Role[] = ["api", "worker"];

async function main(argv: readonly string[]): Promise<void> {
  const role = argv[0] as Role;
  if (argv.length !== 1 || !ROLES.includes(role)) {
    process.stderr.write(`usage: main.js api|worker (got ${JSON.stringify(argv.join(" "))})\n`);
    process.exit(2);
  }
  const log = consoleLogger(role);
  let config;
  try {
    config = loadConfig(role, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const running = role === "api" ? await startApi(config, log) : await startWorker(config, log);
  exitOnSignals(() => running.stop(), config.shutdownTimeoutMs, log);
}

main(process.argv.slice(2)).catch((error) => {
  consoleLogger("app").error("start failed", errorFields(error));
  process.exit(1);
});
