import type Redis from "ioredis";
import type { ChainableCommander } from "ioredis";
import { tenantKeyPrefix } from "../../../../schema/naming";
import { MigrationError, TargetConflictError } from "../errors";
import { formatMarker, ownership, parseMarker } from "../marker";
import type { MigrationSettings } from "../settings";
import type { Checkpoint } from "../../../journal/steps";
import type { Log } from "../steps";
import { markerKey, scanTenant, withRedis } from "./connection";
import { fenceTenantUser, unfenceTenantUser } from "./fence";

/** Where a Redis copy stands: the SCAN cursor after the last restored batch, and keys copied so far. */
interface RedisProgress {
  readonly cursor: string;
  readonly copied: number;
}

/** Runs a pipeline and returns its replies, throwing the first command error. */
export async function replies(pipeline: ChainableCommander): Promise<unknown[]> {
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
  return results.map(([, reply]) => reply);
}

/** `major.minor` of a server, as a number to compare. */
async function version(client: Redis): Promise<number> {
  const match = /redis_version:(\d+)\.(\d+)/.exec(await client.info("server"));
  return match ? Number(match[1]) * 1000 + Number(match[2]) : 0;
}

/** A conflict report of the tenant's keys in the target, when there are any. */
async function existingKeys(target: Redis, tenant: string): Promise<string[]> {
  const found: string[] = [];
  await scanTenant(target, tenant, 1000, async (keys) => {
    found.push(...keys.map((key) => key.toString()));
  });
  return found.length === 0 ? [] : [`${found.length} keys under ${tenantKeyPrefix(tenant)}, such as ${found.slice(0, 5).join(", ")}`];
}

/**
 * Copies the tenant's keys (those under `<tenant>:`) with their remaining TTLs: SCAN of the source,
 * DUMP and PTTL, RESTORE in the target. RESTORE replaces a key only once the target is proven to
 * hold no data of the tenant but this migration's (or an abandoned migration's): the marker key
 * says so. Each batch advances the checkpoint, so a rerun resumes after the last restored batch;
 * keys the target holds but the source no longer does (left by an abandoned copy) are deleted.
 */
export async function copyRedis(
  settings: MigrationSettings,
  checkpoint: Checkpoint | undefined,
  save: (checkpoint: Checkpoint) => Promise<void>,
  log: Log,
): Promise<Checkpoint> {
  const { id, tenant, source, target, redisBatchSize } = settings;
  return withRedis(source.redisUrl, (from) =>
    withRedis(target.redisUrl, async (to) => {
      const [sourceVersion, targetVersion] = [await version(from), await version(to)];
      if (targetVersion < sourceVersion) {
        throw new MigrationError(
          "The target Redis is older than the source: its RESTORE cannot read the source's DUMP payloads. Upgrade the target.",
          false,
        );
      }
      // Nothing of the app writes to the source's keys from here on (see fence.ts), when the tenant has a user to fence.
      const fenced = await fenceTenantUser(from, tenant);
      log(
        fenced
          ? `copyRedis: the Redis user of ${tenant} fenced read-only on the source`
          : `copyRedis: ${tenant} has no Redis user of its own on the source: its keys are kept by the maintenance flag alone`,
      );
      const marker = parseMarker(await to.get(markerKey(tenant)));
      const owner = ownership(marker, id);
      if (owner === "mine" && marker?.state === "copied") {
        log("copyRedis: the target already holds this migration's complete copy");
        return { copied: checkpoint?.copied ?? 0, alreadyCopied: true };
      }
      if (owner === "foreign") {
        const found = await existingKeys(to, tenant);
        if (found.length > 0) throw new TargetConflictError("target Redis", found);
      }
      await to.set(markerKey(tenant), formatMarker({ id, state: "copying" }));

      const resumable = owner === "mine" && marker?.state === "copying" && typeof checkpoint?.cursor === "string";
      let progress: RedisProgress = resumable
        ? { cursor: checkpoint.cursor as string, copied: Number(checkpoint.copied) }
        : { cursor: "0", copied: 0 };
      if (resumable) log(`copyRedis: resuming after ${progress.copied} keys`);
      await scanTenant(
        from,
        tenant,
        redisBatchSize,
        async (keys, next) => {
          const dumped = keys.length === 0 ? [] : await replies(keys.reduce((p, key) => p.pttl(key).dumpBuffer(key), from.pipeline()));
          const restore = to.pipeline();
          let restored = 0;
          keys.forEach((key, index) => {
            const ttl = dumped[2 * index] as number;
            const payload = dumped[2 * index + 1] as Buffer | null;
            if (ttl === -2 || payload === null) return; // expired since the SCAN
            restore.restore(key, ttl === -1 ? 0 : ttl, payload, "REPLACE");
            restored += 1;
          });
          if (restored > 0) await replies(restore);
          progress = { cursor: next, copied: progress.copied + restored };
          await save({ ...progress });
        },
        progress.cursor,
      );

      let pruned = 0;
      await scanTenant(to, tenant, redisBatchSize, async (keys) => {
        if (keys.length === 0) return;
        const exists = await replies(keys.reduce((p, key) => p.exists(key), from.pipeline()));
        const stale = keys.filter((_, index) => exists[index] === 0);
        if (stale.length > 0) pruned += Number(await to.del(...stale));
      });
      // The copy serves after the switch: a fence of an earlier migration away from the target goes.
      await unfenceTenantUser(to, tenant);
      await to.set(markerKey(tenant), formatMarker({ id, state: "copied" }));
      log(`copyRedis: ${progress.copied} keys copied${pruned > 0 ? `, ${pruned} stale keys removed from the target` : ""}`);
      return { ...progress, pruned };
    }),
  );
}

/**
 * Undoes a copy before the switch: marks this migration's Redis copy failed (a later migration may
 * replace it; the keys stay) and lifts the source's fence, so that the tenant writes there again.
 */
export async function abandonRedisCopy(settings: MigrationSettings): Promise<void> {
  await withRedis(settings.source.redisUrl, (client) => unfenceTenantUser(client, settings.tenant));
  await withRedis(settings.target.redisUrl, async (client) => {
    const key = markerKey(settings.tenant);
    if (parseMarker(await client.get(key))?.id === settings.id) await client.set(key, formatMarker({ id: settings.id, state: "failed" }));
  });
}
