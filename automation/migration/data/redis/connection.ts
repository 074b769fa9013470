import Redis from "ioredis";
import { tenantKeyPrefix } from "../../../../schema/naming";

/**
 * Runs `work` with a client of the server at `url` and closes it. The client never reconnects and
 * never resends a command: a dropped connection fails the step, and the rerun resumes from the
 * journal's checkpoint instead of replaying writes of unknown outcome.
 * @param connectTimeoutMs how long the connection may take (ioredis' default, 10 s, when not given)
 */
export async function withRedis<T>(url: string, work: (client: Redis) => Promise<T>, connectTimeoutMs?: number): Promise<T> {
  const client = new Redis(url, {
    ...(connectTimeoutMs !== undefined ? { connectTimeout: connectTimeoutMs } : {}),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    autoResendUnfulfilledCommands: false,
    enableOfflineQueue: false,
    connectionName: "tenantstack-migrate",
  });
  // Without a listener, a dropped connection is an uncaught 'error' event; pending commands reject anyway.
  let failure: unknown;
  client.on("error", (error) => (failure = error));
  // A refused connection rejects as "Connection is closed.": its cause is the socket's error.
  await client.connect().catch((error: Error) => {
    throw failure !== undefined ? Object.assign(error, { cause: failure }) : error;
  });
  try {
    return await work(client);
  } finally {
    client.disconnect();
  }
}

/** The SCAN pattern of the tenant's keys: its prefix, glob characters escaped, then `*`. */
export function tenantPattern(tenant: string): string {
  return `${tenantKeyPrefix(tenant).replace(/[*?[\]\\]/g, "\\$&")}*`;
}

/**
 * The key holding the marker of the tenant's copy in the target. Starts with `_`, which no tenant
 * name can, so it is outside every tenant's prefix (and ACL).
 */
export function markerKey(tenant: string): string {
  return `_tenantstack:migration:${tenant}`;
}

/**
 * Visits the tenant's keys `count` at a time from `cursor` (SCAN: every key present from start to
 * end is visited at least once), calling `visit` with each batch and the cursor after it.
 */
export async function scanTenant(
  client: Redis,
  tenant: string,
  count: number,
  visit: (keys: Buffer[], next: string) => Promise<void>,
  cursor = "0",
): Promise<void> {
  let current = cursor;
  do {
    const [next, keys] = await client.scanBuffer(current, "MATCH", tenantPattern(tenant), "COUNT", count);
    current = next.toString();
    await visit(keys, current);
  } while (current !== "0");
}
