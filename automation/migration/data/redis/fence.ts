/**
 * The fence of the tenant's source keys: before the copy, the tenant's Redis ACL user (a shared stack
 * with ACL isolation gives each tenant one) loses every write command (`-@write`), so that no write of
 * the app lands on the source after the copy began, whether or not the app has seen the maintenance
 * flag yet. Redis checks a connection's user on every command, so open connections are fenced too; the
 * app answers the `NOPERM` refusals as read-only (503, `Retry-After`). The fence stays on the source's
 * copy after the switch and is lifted when a migration is rolled back before its switch.
 *
 * A tenant without an ACL user of its own (a dedicated stack, or `redisIsolation: prefix`) shares the
 * server's default user with the stack and the mover, which cannot be fenced: there the maintenance
 * flag alone keeps the app's writes off (a dedicated stack's workers are also scaled to zero by the
 * drain). The fence is not in the server's ACL file: a restart of the source's Redis lifts it.
 */
import type Redis from "ioredis";
import { tenantRedisUser } from "../../../../schema/naming";

/** The rule the fence adds to the user's command rules. */
const FENCE_RULE = "-@write";

/**
 * The key keeping the user's command rules from before the fence (Redis describes rules in a form of
 * its own, so the fence's rule cannot be taken off again: the rules are put back whole). Starts with
 * `_`, outside every tenant's prefix.
 */
export function fenceKey(tenant: string): string {
  return `_tenantstack:fence:${tenant}`;
}

/** The command rules of `user` (such as `+@all -@dangerous`), or undefined when there is no such user. */
async function commandRules(client: Redis, user: string): Promise<string | undefined> {
  const reply = (await client.call("ACL", "GETUSER", user)) as unknown[] | null;
  if (reply === null) return undefined;
  const at = reply.findIndex((field) => String(field) === "commands");
  return at < 0 ? "" : String(reply[at + 1]);
}

/**
 * Fences `tenant`'s ACL user on the server of `client` (an admin connection). Resolves whether there
 * is a user to fence. Idempotent: the rules kept are those of the first fence.
 */
export async function fenceTenantUser(client: Redis, tenant: string): Promise<boolean> {
  const user = tenantRedisUser(tenant);
  const rules = await commandRules(client, user);
  if (rules === undefined) return false;
  await client.set(fenceKey(tenant), rules, "NX");
  await client.call("ACL", "SETUSER", user, FENCE_RULE);
  return true;
}

/** Lifts the fence of `tenant`'s ACL user: its command rules from before the fence come back. A no-op without a fence. */
export async function unfenceTenantUser(client: Redis, tenant: string): Promise<void> {
  const user = tenantRedisUser(tenant);
  const own = await client.get(fenceKey(tenant));
  if (own === null) return;
  if ((await commandRules(client, user)) !== undefined)
    await client.call("ACL", "SETUSER", user, "nocommands", ...own.split(" ").filter(Boolean));
  await client.del(fenceKey(tenant));
}
