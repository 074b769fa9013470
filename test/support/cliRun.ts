import { main } from "../../automation/cli/main";

/** What one run of the CLI in this process gave: its exit code and what it printed. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs the CLI's `main` in this process with `args`, collecting stdout and stderr; with a passphrase,
 * `TENANTSTACK_PASSPHRASE` holds it for the run only.
 */
export async function runCli(args: readonly string[], passphrase?: string): Promise<CliRun> {
  let out = "";
  let err = "";
  if (passphrase !== undefined) process.env.TENANTSTACK_PASSPHRASE = passphrase;
  try {
    const code = await main(
      [...args],
      (t) => (out += `${t}\n`),
      (t) => (err += `${t}\n`),
    );
    return { code, out, err };
  } finally {
    if (passphrase !== undefined) delete process.env.TENANTSTACK_PASSPHRASE;
  }
}
