/**
 * A Driver whose registry, journal and runner record every call and refuse it: the bad-input suites
 * prove that nothing was read, registered or touched, without opening a database, a workspace or a
 * worker.
 */
import type { SqlDatabase } from "../../../../automation/db/sqlDatabase";
import { Driver } from "../../../../automation/driver";
import { OperationLeases } from "../../../../automation/journal/leases";

/** A fake driver and the calls that reached its parts. */
export interface FakeDriver {
  readonly driver: Driver;
  readonly calls: string[];
}

/** A part whose every method records its call, then fails. */
function recording(part: string, calls: string[]): object {
  return new Proxy(
    {},
    {
      get: (_target, method) => {
        if (method === "then") return undefined;
        return () => {
          calls.push(`${part}.${String(method)}`);
          return Promise.reject(new Error(`${part}.${String(method)} was reached`));
        };
      },
    },
  );
}

/** A driver of the real class, its state replaced by recording parts. */
export function fakeDriver(): FakeDriver {
  const calls: string[] = [];
  const driver = Object.create(Driver.prototype) as Driver;
  Object.assign(driver, {
    registry: recording("registry", calls),
    journal: recording("journal", calls),
    leases: recording("leases", calls),
    // Real, on a recording database: whether an operation's lease is held is known without reading it.
    operationLeases: new OperationLeases(recording("db", calls) as SqlDatabase),
    migrations: recording("migrations", calls),
    runner: recording("runner", calls),
    executor: recording("executor", calls),
    db: recording("db", calls),
    clusters: { local: undefined },
    migrationConfig: {},
    kubes: new Map(),
  });
  return { driver, calls };
}
