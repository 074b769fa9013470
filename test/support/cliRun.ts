import { main } from "../../automation/cli/main";
import type { Terminal } from "../../automation/cli/progressBoard";

/** What one run of the CLI in this process gave: its exit code and what it printed. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs the CLI's `main` in this process with `args`, collecting stdout and stderr; with a passphrase,
 * `TENANTSTACK_PASSPHRASE` holds it for the run only; with a terminal that is a TTY, progress is the board
 * drawn there, as `tenantstack` draws it on its stderr.
 */
export async function runCli(
  args: readonly string[],
  passphrase?: string,
  terminal?: Terminal & { readonly isTTY?: boolean },
): Promise<CliRun> {
  let out = "";
  let err = "";
  if (passphrase !== undefined) process.env.TENANTSTACK_PASSPHRASE = passphrase;
  try {
    const code = await main(
      [...args],
      (t) => (out += `${t}\n`),
      (t) => (err += `${t}\n`),
      terminal,
    );
    return { code, out, err };
  } finally {
    if (passphrase !== undefined) delete process.env.TENANTSTACK_PASSPHRASE;
  }
}
