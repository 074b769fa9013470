/** The tenant's counter: one Redis key, `<prefix>counter`. */
import type { RedisClients } from "./redis";

const NAME = "counter";

/** Adds one to the tenant's counter and resolves the new value. */
export function incrementCounter(redis: RedisClients, tenant: string): Promise<number> {
  return redis.client(tenant).incr(redis.key(tenant, NAME));
}

/** The tenant's counter (0 before the first increment). */
export async function readCounter(redis: RedisClients, tenant: string): Promise<number> {
  return Number((await redis.client(tenant).get(redis.key(tenant, NAME))) ?? 0);
}
