import { spawn } from "node:child_process";
import { CommandError } from "./errors";
import { redact } from "../redact";

const STDERR_TAIL = 4_000;

/**
 * Runs `program` with `args` and extra environment `env` (credentials go there, never in `args`,
 * which other users of the machine can read), resolving when it exits with 0 and rejecting with a
 * {@link CommandError} carrying the redacted end of its standard error otherwise.
 */
export function runCommand(program: string, args: readonly string[], env: Readonly<Record<string, string>>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
    });
    child.on("error", (error) => reject(new CommandError(program, 127, error.message)));
    child.on("close", (code, signal) => {
      if (code === 0) resolve();
      else reject(new CommandError(program, signal ?? code ?? 1, redact(stderr)));
    });
  });
}
