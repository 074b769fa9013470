/**
 * The data of a copy a migration left behind (the source after the switch, the target after a
 * rollback): marked as that migration's abandoned copy, and removed by `gc` only while it carries
 * that mark.
 */
import { tenantDatabase } from "../../schema/naming";
import { MigrationStateError } from "./data/errors";
import { formatMarker, parseMarker } from "./data/marker";
import { databaseComment, dropDatabase, markDatabase } from "./data/postgres/target";
import { markerKey, scanTenant, withRedis } from "./data/redis/connection";
import type { DataEndpoints } from "./data/settings";

/**
 * Marks the tenant's data on `servers` as migration `id`'s abandoned copy: it no longer serves, a
 * later migration back may replace it (`migrate --rollback`), and `gc` may remove it.
 */
export async function retireCopy(servers: DataEndpoints, tenant: string, id: string): Promise<void> {
  const marker = { id, state: "failed" } as const;
  if ((await databaseComment(servers.postgresUrl, tenantDatabase(tenant))) !== undefined)
    await markDatabase(servers.postgresUrl, tenantDatabase(tenant), marker);
  await withRedis(servers.redisUrl, (client) => client.set(markerKey(tenant), formatMarker(marker)));
}

/** What {@link removeCopy} removed. */
export interface RemovedCopy {
  /** Whether the tenant's database was dropped (false: there was none). */
  readonly database: boolean;
  /** Keys deleted under the tenant's prefix. */
  readonly keys: number;
}

/**
 * Removes the tenant's database and keys from `servers`, only when they carry migration `id`'s
 * abandoned-copy mark (or are gone already); anything else is refused, untouched.
 */
export async function removeCopy(servers: DataEndpoints, tenant: string, id: string): Promise<RemovedCopy> {
  const database = tenantDatabase(tenant);
  const comment = await databaseComment(servers.postgresUrl, database);
  const marker = await withRedis(servers.redisUrl, (client) => client.get(markerKey(tenant)));
  const ours = (text: string | null | undefined) => {
    const parsed = parseMarker(text);
    return parsed?.id === id && parsed.state === "failed";
  };
  if ((comment !== undefined && !ours(comment)) || (marker !== null && !ours(marker)))
    throw new MigrationStateError(
      `The copy of tenant "${tenant}" to remove is not marked as migration ${id}'s abandoned copy (database: ${comment ?? "absent"}, ` +
        `Redis marker: ${marker ?? "absent"}); nothing was removed.`,
    );
  if (comment !== undefined) await dropDatabase(servers.postgresUrl, database, true);
  let keys = 0;
  await withRedis(servers.redisUrl, async (client) => {
    await scanTenant(client, tenant, 500, async (batch) => {
      if (batch.length > 0) keys += await client.del(...batch);
    });
    await client.del(markerKey(tenant));
  });
  return { database: comment !== undefined, keys };
}
