/**
 * A driver in a process of its own, for the tests that kill a driver: runs one fleet upgrade given as
 * JSON in argv[2], prints each progress event (resource steps too) as a JSON line, and kills itself
 * as stack `crashAt` starts changing (see printEvents). An error that stops the upgrade (another
 * driver holding the operation) is printed as `{"type":"error","error":<its wire form>}`, exit 1.
 */
import { Driver, toWire } from "../../../automation";
import { type FleetDriverArgs, printEvents } from "../../support/driverChild";

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as FleetDriverArgs;
  const driver = await Driver.open({
    workspace: {
      stateDir: args.stateDir,
      passphrase: args.passphrase,
      backendUrl: args.backendUrl,
      env: { ...args.env, KUBECONFIG: args.kubeconfig },
    },
    executor: args.executor,
    runners: args.runners,
    poolSize: 1,
    database: args.database,
    identity: args.identity,
    leaseTtlSeconds: args.leaseTtlSeconds,
    heartbeatSeconds: args.heartbeatSeconds,
  });
  try {
    const result = await driver.fleetUpgrade({
      operationId: args.operationId,
      version: args.version,
      canary: 1,
      waveSize: args.waveSize,
      concurrency: 1,
      tenants: args.tenants,
      onEvent: printEvents({ steps: true, crashAt: args.crashAt }),
    });
    console.log(JSON.stringify({ type: "result", result }));
  } catch (error) {
    console.log(JSON.stringify({ type: "error", error: toWire(error) }));
    process.exitCode = 1;
  } finally {
    await driver.close();
  }
}

void main();
