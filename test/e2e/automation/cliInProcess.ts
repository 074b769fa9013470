import { type CliRun, runCli } from "../../support/cliRun";
import { KUBECONFIG } from "../../support/controlPlane";

/** Runs the CLI in this process on a state directory and the local cluster, with the passphrase for the run only. */
export function cliInProcess(stateDir: string, passphrase: string, args: readonly string[]): Promise<CliRun> {
  return runCli(["--state-dir", stateDir, "--kubeconfig", KUBECONFIG, ...args], passphrase);
}
