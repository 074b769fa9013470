/**
 * A tenant's data on real servers for the orchestration suites: seeding (tables with a sequence and
 * bytea, Redis strings with and without TTLs and hashes), digests to compare two copies, and the
 * hosts an Ingress routes, read from the API server (`test/support/kube.ts`).
 */
import { randomBytes } from "node:crypto";
import { tenantDatabase } from "../../../schema/naming";
import { provisionTenant } from "./data/seed";
import type { PostgresServer, RedisServer } from "./data/servers";

/** Rows of a seeded tenant's `orders` table. */
export const ROWS = 2500;
/** Redis keys of a seeded tenant. */
export const KEYS = 2000;

/** Creates a tenant's database as its stack would, and fills it and the tenant's Redis keys. */
export async function seedTenant(postgres: PostgresServer, redis: RedisServer, tenant: string): Promise<void> {
  const role = tenantDatabase(tenant);
  provisionTenant(postgres, role, randomBytes(8).toString("hex"));
  await postgres.query(
    role,
    `SET ROLE ${role};
     CREATE TABLE orders (id bigserial PRIMARY KEY, customer text NOT NULL, amount numeric(10,2), placed timestamptz);
     INSERT INTO orders (customer, amount, placed)
       SELECT 'c' || g, g * 1.25, timestamptz '2025-01-01 00:00:00+00' + g * interval '1 minute' FROM generate_series(1, ${ROWS}) g;
     CREATE TABLE blobs (id int PRIMARY KEY, body bytea);
     INSERT INTO blobs SELECT g, decode(md5(g::text) || md5((g * 7)::text), 'hex') FROM generate_series(1, 500) g;
     CREATE SEQUENCE order_numbers START 100; SELECT setval('order_numbers', 777);`,
  );
  await redis.with(async (client) => {
    const pipeline = client.pipeline();
    for (let i = 0; i < KEYS / 2; i++) {
      pipeline.set(`${tenant}:session:${i}`, `token-${i}`);
      if (i % 2 === 0) pipeline.pexpire(`${tenant}:session:${i}`, 3_600_000);
      pipeline.hset(`${tenant}:cart:${i}`, { item: `sku-${i}`, count: String(i % 9) });
    }
    await pipeline.exec();
  });
}

export { ingressHosts } from "../../support/kube";

/** Every table's row count and content digest in a tenant's database. */
export async function tableDigests(server: PostgresServer, database: string): Promise<Record<string, string>> {
  const rows = await server.query(
    database,
    `SELECT 'orders' AS t, count(*) || ':' || md5(string_agg(o::text, ',' ORDER BY id)) AS d FROM orders o
     UNION ALL SELECT 'blobs', count(*) || ':' || md5(string_agg(b::text, ',' ORDER BY id)) FROM blobs b
     UNION ALL SELECT 'seq', last_value::text FROM order_numbers`,
  );
  return Object.fromEntries(rows.map((r) => [r.t, r.d]));
}

/** Every key of a tenant with its value and whether it expires. */
export async function keyDump(server: RedisServer, tenant: string): Promise<Record<string, string>> {
  return server.with(async (client) => {
    const keys = (await client.keys(`${tenant}:*`)).sort();
    const dump: Record<string, string> = {};
    for (const key of keys) {
      const value = (await client.type(key)) === "hash" ? JSON.stringify(await client.hgetall(key)) : await client.get(key);
      dump[key] = `${value} ttl:${(await client.pttl(key)) > 0}`;
    }
    return dump;
  });
}
