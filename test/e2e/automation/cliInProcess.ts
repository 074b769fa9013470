import { main } from "../../../automation/cli/main";
import { KUBECONFIG } from "../../support/controlPlane";

/** What one run of the CLI gave: its exit code and what it printed. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs the CLI in this process on a state directory and the local cluster, with the passphrase in
 * `TENANTSTACK_PASSPHRASE` for the run only.
 */
export async function cliInProcess(stateDir: string, passphrase: string, args: readonly string[]): Promise<CliRun> {
  let out = "";
  let err = "";
  process.env.TENANTSTACK_PASSPHRASE = passphrase;
  try {
    const code = await main(
      ["--state-dir", stateDir, "--kubeconfig", KUBECONFIG, ...args],
      (t) => (out += `${t}\n`),
      (t) => (err += `${t}\n`),
    );
    return { code, out, err };
  } finally {
    delete process.env.TENANTSTACK_PASSPHRASE;
  }
}
