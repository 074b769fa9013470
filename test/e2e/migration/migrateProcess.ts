/**
 * A driver in a process of its own, for the tests that kill a driver mid-migration: runs one
 * migration given as JSON in $MIGRATE_ARGS (it holds the servers' passwords: never in argv), prints
 * each progress event as a JSON line (resource steps only with `steps`), and kills itself as stack
 * `crashAt` starts changing (see printEvents), unless the test kills it first.
 */
import { Driver } from "../../../automation";
import type { DataEndpoints } from "../../../automation/migration/data";
import { staticDataPlane } from "../../../automation/migration/staticDataPlane";
import { printEvents } from "../../support/driverChild";

interface Args {
  stateDir: string;
  passphrase: string;
  kubeconfig: string;
  operationId: string;
  tenant: string;
  to?: string;
  rollback?: boolean;
  servers: Record<string, DataEndpoints>;
  crashAt?: string;
  steps?: boolean;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.env.MIGRATE_ARGS ?? "{}") as Args;
  const driver = await Driver.open({
    workspace: { stateDir: args.stateDir, passphrase: args.passphrase, env: { KUBECONFIG: args.kubeconfig } },
    poolSize: 1,
    migration: { dataPlane: staticDataPlane(args.servers) },
  });
  try {
    const result = await driver.migrate({
      operationId: args.operationId,
      tenant: args.tenant,
      to: args.to,
      rollback: args.rollback,
      onEvent: printEvents({ steps: args.steps === true, crashAt: args.crashAt }),
    });
    console.log(JSON.stringify({ type: "result", result }));
  } finally {
    await driver.close();
  }
}

void main();
