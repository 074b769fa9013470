/**
 * A driver in a process of its own, for the test that kills a driver mid-migration: runs one
 * migration given as JSON in $MIGRATE_ARGS (it holds the servers' passwords: never in argv) and
 * prints each progress event but resource steps as a JSON line. Once the driver has started a job on
 * stack `killAt`, it kills itself (SIGKILL, as a crash) when that stack's engine starts changing a
 * resource: at that very point whatever the machine's speed, after printing
 * `{"type":"killed","at":<the step event>}`.
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
  killAt?: string;
}

const CHANGES = new Set(["create", "update", "delete", "replace"]);

async function main(): Promise<void> {
  const args = JSON.parse(process.env.MIGRATE_ARGS ?? "{}") as Args;
  let armed = false; // once the driver has started a job on stack `killAt`
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
      onEvent: (event) => {
        if (event.type === "stack" && event.stack === args.killAt && event.status === "started") armed = true;
        if (event.type !== "step") return console.log(JSON.stringify(event));
        if (armed && event.stack === args.killAt && CHANGES.has(event.op)) {
          console.log(JSON.stringify({ type: "killed", at: event }));
          process.kill(process.pid, "SIGKILL");
        }
      },
    });
    console.log(JSON.stringify({ type: "result", result }));
  } finally {
    await driver.close();
  }
}

void main();
