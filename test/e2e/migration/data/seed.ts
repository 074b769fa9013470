/**
 * A shared source with tenants `acme` (the one moved: several tables and schemas, bytea, large
 * objects, sequences, grants to a second role, a database setting; strings, hashes, sets, sorted
 * sets and lists with and without TTLs) and `globex` and `acme-corp` (which must stay untouched),
 * provisioned with the stack's own provisioning SQL.
 */
import { execFileSync } from "node:child_process";
import { PROVISION_TENANT_SQL } from "../../../../components/postgres";
import { libpqEnv } from "../../../../automation/migration/data/postgres/connection";
import type { PostgresServer, RedisServer } from "./servers";

/** Row counts of acme's tables. */
export const ACME_ROWS = {
  "public.customers": 3000,
  "public.documents": 3000,
  "public.events": 4010,
  "billing.invoices": 2000,
  "public.attachments": 40,
};
/** Keys of acme in Redis. */
export const ACME_KEYS = 5000;

/** Creates a tenant's role and database as the stack's provisioning Job does. */
export function provisionTenant(server: PostgresServer, role: string, password: string): void {
  execFileSync("psql", ["-q", "-v", "ON_ERROR_STOP=1", "-v", `role=${role}`, "-v", `password=${password}`], {
    input: PROVISION_TENANT_SQL,
    env: { ...process.env, ...libpqEnv(server.url, "postgres") },
    stdio: ["pipe", "ignore", "inherit"],
  });
}

const ACME_SQL = `
SET ROLE tenant_acme;
CREATE TABLE customers (id bigserial PRIMARY KEY, name text NOT NULL, email text, created_at timestamptz, balance numeric(12,2), tags text[], profile jsonb, score double precision);
INSERT INTO customers (name, email, created_at, balance, tags, profile, score)
  SELECT 'customer ' || g, 'c' || g || '@acme.example', timestamptz '2024-01-01 00:00:00+00' + g * interval '37 minutes', (g * 7.31)::numeric(12,2),
         ARRAY['t' || g % 7, 'x'], jsonb_build_object('n', g, 'vip', g % 11 = 0), g / 3.0
    FROM generate_series(1, 3000) g;
CREATE TABLE documents (id serial PRIMARY KEY, customer_id bigint REFERENCES customers, body bytea NOT NULL);
INSERT INTO documents (customer_id, body)
  SELECT g, (SELECT decode(string_agg(md5(random()::text || g || i), ''), 'hex') FROM generate_series(1, 64 + g % 64) i)
    FROM generate_series(1, 3000) g;
CREATE TABLE events (customer_id bigint, kind text, at timestamptz);
INSERT INTO events SELECT g % 3000 + 1, 'kind' || g % 5, timestamptz '2024-06-01 00:00:00+00' + g * interval '1 second' FROM generate_series(1, 4000) g;
INSERT INTO events SELECT 1, 'duplicate', timestamptz '2024-06-01 00:00:00+00' FROM generate_series(1, 10);
CREATE SCHEMA billing;
CREATE TABLE billing.invoices (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, amount numeric, issued date);
INSERT INTO billing.invoices (amount, issued) SELECT g * 1.5, date '2024-01-01' + g % 365 FROM generate_series(1, 2000) g;
CREATE SEQUENCE order_numbers START 1000;
SELECT setval('order_numbers', 4242);
CREATE TABLE attachments (id int PRIMARY KEY, content oid NOT NULL);
INSERT INTO attachments SELECT g, lo_from_bytea(0, (SELECT decode(string_agg(md5(random()::text || g || i), ''), 'hex') FROM generate_series(1, 4096) i)) FROM generate_series(1, 40) g;
RESET ROLE;
CREATE ROLE acme_readonly NOLOGIN;
GRANT SELECT ON customers, billing.invoices TO acme_readonly;
GRANT USAGE ON SCHEMA billing TO acme_readonly;
GRANT CONNECT ON DATABASE tenant_acme TO acme_readonly;
ALTER DATABASE tenant_acme SET statement_timeout = '30s';
`;

/** Seeds the shared source: Postgres tenants acme and globex, Redis keys of acme, globex and acme-corp. */
export async function seedSource(postgres: PostgresServer, redis: RedisServer): Promise<void> {
  provisionTenant(postgres, "tenant_acme", "acme-source-password");
  provisionTenant(postgres, "tenant_globex", "globex-source-password");
  await postgres.query("tenant_acme", ACME_SQL);
  await postgres.query(
    "tenant_globex",
    "SET ROLE tenant_globex; CREATE TABLE notes (id serial PRIMARY KEY, body text); INSERT INTO notes (body) SELECT 'note ' || g FROM generate_series(1, 500) g;",
  );
  await redis.with(async (client) => {
    const pipeline = client.pipeline();
    for (let i = 0; i < 2000; i++) {
      pipeline.set(`acme:session:${i}`, `token-${i}-${"x".repeat(i % 50)}`);
      if (i % 2 === 0) pipeline.pexpire(`acme:session:${i}`, 3_600_000 + i);
    }
    for (let i = 0; i < 1000; i++) {
      pipeline.hset(
        `acme:customer:${i}`,
        Object.fromEntries(Array.from({ length: 3 + (i % 200 === 0 ? 300 : i % 10) }, (_, f) => [`field${f}`, `${i}-${f}`])),
      );
      if (i % 3 === 0) pipeline.expire(`acme:customer:${i}`, 7200);
    }
    for (let i = 0; i < 1000; i++) {
      pipeline.sadd(`acme:tags:${i}`, ...Array.from({ length: 5 + (i % 300 === 0 ? 600 : i % 15) }, (_, m) => `tag${m * 7}`));
      if (i % 4 === 0) pipeline.expire(`acme:tags:${i}`, 5400);
    }
    for (let i = 0; i < 500; i++)
      pipeline.zadd(`acme:rank:${i}`, ...Array.from({ length: 8 }, (_, m) => [m * 1.25 + i, `member${m}`]).flat());
    for (let i = 0; i < 499; i++) pipeline.rpush(`acme:queue:${i}`, ...Array.from({ length: 6 }, (_, m) => `job-${i}-${m}`));
    pipeline.set(Buffer.from("acme:binary:\x00\xff"), Buffer.from([0, 1, 2, 255, 254]));
    for (let i = 0; i < 1000; i++) pipeline.set(`globex:item:${i}`, `globex-${i}`);
    for (let i = 0; i < 300; i++) pipeline.set(`acme-corp:item:${i}`, `acme-corp-${i}`);
    await pipeline.exec();
  });
}
