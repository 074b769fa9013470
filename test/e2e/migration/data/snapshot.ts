/**
 * What the tests read back to judge a migration, independently of the verify step's own code:
 * every row's text of every table, sequences, large objects' bytes, grants and settings; every
 * Redis key's DUMP payload and TTL.
 */
import type { PostgresServer, RedisServer } from "./servers";

/** The tenant database's contents; undefined when the database does not exist. */
export async function databaseSnapshot(server: PostgresServer, database: string): Promise<Record<string, unknown> | undefined> {
  const exists = await server.query("postgres", "SELECT 1 FROM pg_database WHERE datname = $1", [database]);
  if (exists.length === 0) return undefined;
  const snapshot: Record<string, unknown> = {};
  const tables = await server.query<{ name: string }>(
    database,
    "SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
  );
  for (const { name } of tables) {
    snapshot[`rows ${name}`] = await server.query(
      database,
      `SELECT count(*)::int AS count, md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS md5 FROM ${name} t`,
    );
  }
  snapshot.sequences = await server.query(database, "SELECT schemaname, sequencename, last_value::text FROM pg_sequences ORDER BY 1, 2");
  snapshot.largeObjects = await server.query(
    database,
    "SELECT oid::text, pg_get_userbyid(lomowner) AS owner, md5(lo_get(oid)) FROM pg_largeobject_metadata ORDER BY oid",
  );
  snapshot.owners = await server.query(
    database,
    "SELECT c.relname, pg_get_userbyid(c.relowner) AS owner, c.relacl::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'billing') ORDER BY 1",
  );
  snapshot.database = await server.query(
    database,
    // The migration's fence of a source (default_transaction_read_only) is left out: the tests check it on its own.
    "SELECT pg_get_userbyid(datdba) AS owner, datacl::text, (SELECT nullif(array(SELECT c FROM unnest(setconfig) c WHERE c NOT LIKE 'default_transaction_read_only=%'), '{}') FROM pg_db_role_setting WHERE setdatabase = d.oid AND setrole = 0) AS settings FROM pg_database d WHERE datname = current_database()",
  );
  return snapshot;
}

/** A key's type, its value in a canonical form (set members and hash fields sorted), and its expiry time (PEXPIRETIME; -1: none). */
export interface KeyValue {
  readonly value: string;
  readonly expiresAt: number;
}

/** Every key with `prefix`, read by type (DUMP payloads of equal sets may differ in member order). */
export async function keySnapshot(server: RedisServer, prefix: string): Promise<Map<string, KeyValue>> {
  return server.with(async (client) => {
    const keys: Buffer[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await client.scanBuffer(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next.toString();
      keys.push(...batch);
    } while (cursor !== "0");
    const snapshot = new Map<string, KeyValue>();
    const text = (values: Buffer[]) => values.map((v) => v.toString("base64"));
    const types = (await client.pipeline(keys.map((key) => ["type", key])).exec())!.map(([, type]) => type as string);
    const read = (type: string, key: Buffer): (string | Buffer)[] => {
      if (type === "string") return ["get", key];
      if (type === "hash") return ["hgetall", key];
      if (type === "set") return ["smembers", key];
      if (type === "zset") return ["zrange", key, "0", "-1", "WITHSCORES"];
      if (type === "list") return ["lrange", key, "0", "-1"];
      throw new Error(`unexpected type ${type} of ${key.toString()}`);
    };
    const pipeline = client.pipeline();
    keys.forEach((key, i) => pipeline.callBuffer(...(read(types[i], key) as [string, ...Buffer[]])).call("PEXPIRETIME", key));
    const replies = (await pipeline.exec())!.map(([, reply]) => reply);
    keys.forEach((key, i) => {
      const reply = replies[2 * i] as Buffer | Buffer[];
      let value = Array.isArray(reply) ? text(reply) : reply.toString("base64");
      if (types[i] === "set") value = (value as string[]).sort();
      if (types[i] === "hash") value = Array.from({ length: value.length / 2 }, (_, p) => `${value[2 * p]}=${value[2 * p + 1]}`).sort();
      snapshot.set(key.toString("latin1"), { value: `${types[i]} ${JSON.stringify(value)}`, expiresAt: replies[2 * i + 1] as number });
    });
    return snapshot;
  });
}

/** Differences of two snapshots: missing or extra keys, values, a TTL on one side only, expiry times further apart than `toleranceMs`. */
export function sameKeys(source: Map<string, KeyValue>, target: Map<string, KeyValue>, toleranceMs = 2_000): string[] {
  const problems: string[] = [];
  for (const [key, from] of source) {
    const to = target.get(key);
    if (!to) problems.push(`${key} missing`);
    else if (to.value !== from.value) problems.push(`${key} value`);
    else if ((to.expiresAt === -1) !== (from.expiresAt === -1) || Math.abs(to.expiresAt - from.expiresAt) > toleranceMs)
      problems.push(`${key} expires ${from.expiresAt} vs ${to.expiresAt}`);
  }
  for (const key of target.keys()) if (!source.has(key)) problems.push(`${key} extra`);
  return problems;
}
