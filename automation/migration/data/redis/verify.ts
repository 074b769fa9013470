import { createHash } from "node:crypto";
import type Redis from "ioredis";
import type { MigrationSettings } from "../settings";
import { scanTenant, withRedis } from "./connection";
import { replies } from "./copy";

/** A key's value digest and when it expires (local clock, ms since the epoch; -1: never). */
interface KeyState {
  readonly digest: string;
  readonly expiresAt: number;
}

/**
 * The command that reads a value of each type in a canonical form: strings, lists and sorted sets in
 * their order, hashes and sets sorted afterwards. Other types (streams, modules) compare by DUMP.
 */
const READ: Record<string, (key: Buffer) => [string, ...(string | Buffer)[]]> = {
  string: (key) => ["GET", key],
  list: (key) => ["LRANGE", key, "0", "-1"],
  hash: (key) => ["HGETALL", key],
  set: (key) => ["SMEMBERS", key],
  zset: (key) => ["ZRANGE", key, "0", "-1", "WITHSCORES"],
};

/** A digest of a typed value: type, then each part length-prefixed (hash pairs and set members sorted). */
function digest(type: string, value: Buffer | Buffer[] | null): string {
  const hash = createHash("sha256").update(type);
  let parts = Array.isArray(value) ? value : [value ?? Buffer.alloc(0)];
  if (type === "set") parts = [...parts].sort(Buffer.compare);
  if (type === "hash") {
    const pairs = Array.from({ length: parts.length / 2 }, (_, i) => Buffer.concat([parts[2 * i], Buffer.from([0]), parts[2 * i + 1]]));
    parts = pairs.sort(Buffer.compare);
  }
  for (const part of parts) hash.update(`${part.length}:`).update(part);
  return hash.digest("hex");
}

/** The state of every key of the tenant on the server of `client`, by key (binary-safe `latin1` text). */
async function keyStates(client: Redis, tenant: string, batch: number): Promise<Map<string, KeyState>> {
  const states = new Map<string, KeyState>();
  await scanTenant(client, tenant, batch, async (keys) => {
    if (keys.length === 0) return;
    const types = (await replies(keys.reduce((p, key) => p.type(key), client.pipeline()))) as string[];
    const reads = await replies(
      keys.reduce((p, key, i) => {
        const [command, ...args] = READ[types[i]]?.(key) ?? ["DUMP", key];
        return p.pttl(key).callBuffer(command, ...args);
      }, client.pipeline()),
    );
    // Remaining TTLs become expiry times right away: the two sides are read seconds apart.
    const readAt = Date.now();
    keys.forEach((key, i) => {
      const ttl = reads[2 * i] as number;
      if (types[i] === "none" || ttl === -2) return; // expired since the SCAN
      states.set(key.toString("latin1"), {
        digest: digest(types[i], reads[2 * i + 1] as Buffer | Buffer[] | null),
        expiresAt: ttl === -1 ? -1 : readAt + ttl,
      });
    });
  });
  return states;
}

/** Key counts of both sides and every difference of keys, values and TTLs. */
export interface RedisComparison {
  readonly sourceKeys: number;
  readonly targetKeys: number;
  readonly differences: string[];
}

/**
 * Compares the tenant's keys in source and target: the same keys, equal values, a TTL on both or
 * neither, and expiry times within `ttlToleranceMs`. A key on one side only is forgiven when it
 * expires within the tolerance there (it is on its way out on the other side too). Differences
 * are sorted.
 */
export async function compareRedis(settings: MigrationSettings): Promise<RedisComparison> {
  const { tenant, redisBatchSize: batch, ttlToleranceMs: tolerance } = settings;
  const source = await withRedis(settings.source.redisUrl, (client) => keyStates(client, tenant, batch));
  const target = await withRedis(settings.target.redisUrl, (client) => keyStates(client, tenant, batch));
  const now = Date.now();
  const expiring = (state: KeyState) => state.expiresAt >= 0 && state.expiresAt <= now + tolerance;
  const ttl = (state: KeyState) => (state.expiresAt === -1 ? "none" : "set");
  const differences: string[] = [];
  for (const [key, from] of source) {
    const shown = JSON.stringify(Buffer.from(key, "latin1").toString());
    const to = target.get(key);
    if (!to) {
      if (!expiring(from)) differences.push(`key ${shown}: missing in the target`);
    } else if (from.digest !== to.digest) {
      differences.push(`key ${shown}: value differs`);
    } else if (ttl(from) !== ttl(to)) {
      differences.push(`key ${shown}: TTL ${ttl(from)} in the source, ${ttl(to)} in the target`);
    } else if (Math.abs(from.expiresAt - to.expiresAt) > tolerance) {
      differences.push(`key ${shown}: expires ${to.expiresAt - from.expiresAt} ms later in the target than in the source`);
    }
  }
  for (const [key, to] of target) {
    if (!source.has(key) && !expiring(to))
      differences.push(`key ${JSON.stringify(Buffer.from(key, "latin1").toString())}: only in the target`);
  }
  return { sourceKeys: source.size, targetKeys: target.size, differences: differences.sort() };
}
