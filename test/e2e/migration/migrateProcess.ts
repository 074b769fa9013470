/**
 * A driver in a process of its own, for the test that kills a driver mid-migration: runs one
 * migration given as JSON in $MIGRATE_ARGS (it holds the servers' passwords: never in argv) and prints each progress event as a JSON line.
 */
import { Driver } from "../../../automation";
import type { DataEndpoints } from "../../../automation/migrate";
import { staticDataPlane } from "../../../automation/migration/staticDataPlane";

interface Args {
  stateDir: string;
  passphrase: string;
  kubeconfig: string;
  operationId: string;
  tenant: string;
  to: string;
  servers: Record<string, DataEndpoints>;
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
      onEvent: (event) => event.type !== "step" && console.log(JSON.stringify(event)),
    });
    console.log(JSON.stringify({ type: "result", result }));
  } finally {
    await driver.close();
  }
}

void main();
