import type { Client } from "pg";
import { referencedRoles, tableChecksum, tables, USER_SCHEMA } from "./catalog";
import { FENCE_SETTING } from "./fence";

/**
 * What a tenant's database holds, as `what -> observed value` lines that must be equal on both
 * sides of a migration: database attributes and privileges, roles, schemas and relations with
 * their owners and privileges, every table's row count and checksum, sequences, large objects.
 */
export type Fingerprint = Record<string, string>;

/** The fingerprint of the database `client` is connected to. */
export async function fingerprint(client: Client): Promise<Fingerprint> {
  const lines: Fingerprint = {};
  const rows = async <R extends Record<string, string>>(sql: string) => (await client.query<R>(sql)).rows;

  // The source's fence (fence.ts) is the migration's, not the tenant's: it is no difference.
  for (const row of await rows<{ owner: string; encoding: string; collate: string; ctype: string; acl: string; settings: string }>(`
      SELECT pg_get_userbyid(d.datdba) AS owner, pg_encoding_to_char(d.encoding) AS encoding, d.datcollate AS collate,
             d.datctype AS ctype, coalesce(d.datacl::text, 'default') AS acl,
             coalesce((SELECT string_agg(x.line, ' ' ORDER BY x.line) FROM (
                         SELECT coalesce(pg_get_userbyid(nullif(s.setrole, 0)), '*') || ':' || string_agg(c.setting, ',' ORDER BY c.n) AS line
                           FROM pg_db_role_setting s, unnest(s.setconfig) WITH ORDINALITY AS c(setting, n)
                          WHERE s.setdatabase = d.oid AND NOT (s.setrole = 0 AND c.setting LIKE '${FENCE_SETTING}=%')
                          GROUP BY s.setrole) x), 'none') AS settings
        FROM pg_database d WHERE d.datname = current_database()`)) {
    lines["database owner"] = row.owner;
    lines["database encoding"] = `${row.encoding} ${row.collate} ${row.ctype}`;
    lines["database privileges"] = row.acl;
    lines["database settings"] = row.settings;
  }
  const roles = await referencedRoles(client);
  for (const row of await client
    .query<{ rolname: string; attributes: string }>(
      `SELECT rolname, concat_ws(' ', CASE WHEN rolcanlogin THEN 'login' ELSE 'nologin' END, CASE WHEN rolinherit THEN 'inherit' ELSE 'noinherit' END,
            CASE WHEN rolcreatedb THEN 'createdb' END, CASE WHEN rolcreaterole THEN 'createrole' END,
            'connlimit=' || rolconnlimit, 'validuntil=' || coalesce(rolvaliduntil::text, 'never')) AS attributes
       FROM pg_roles WHERE rolname = ANY($1) ORDER BY 1`,
      [roles],
    )
    .then((result) => result.rows)) {
    lines[`role ${row.rolname}`] = row.attributes;
  }
  for (const row of await rows<{ name: string; value: string }>(`
      SELECT format('schema %I', n.nspname) AS name, pg_get_userbyid(n.nspowner) || ' ' || coalesce(n.nspacl::text, 'default') AS value
        FROM pg_namespace n WHERE ${USER_SCHEMA}
      UNION ALL
      SELECT format('relation %I.%I (%s)', n.nspname, c.relname, c.relkind), pg_get_userbyid(c.relowner) || ' ' || coalesce(c.relacl::text, 'default')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMA} AND c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f')
      UNION ALL
      SELECT format('sequence %I.%I', schemaname, sequencename), coalesce(last_value::text, 'unused') FROM pg_sequences
      UNION ALL
      SELECT format('large object %s', m.oid), pg_get_userbyid(m.lomowner) || ' ' || coalesce(m.lomacl::text, 'default') || ' md5=' || md5(lo_get(m.oid))
        FROM pg_largeobject_metadata m`)) {
    lines[row.name] = row.value;
  }
  for (const table of await tables(client)) {
    const { rows: count, md5 } = await tableChecksum(client, table);
    lines[`table ${table.schema}.${table.name} rows`] = String(count);
    lines[`table ${table.schema}.${table.name} checksum`] = md5;
  }
  return lines;
}

/** Every line that differs between `source` and `target`, as readable differences. */
export function compareFingerprints(source: Fingerprint, target: Fingerprint): string[] {
  const keys = [...new Set([...Object.keys(source), ...Object.keys(target)])].sort();
  return keys.flatMap((key) => {
    const [from, to] = [source[key], target[key]];
    if (from === to) return [];
    if (to === undefined) return [`${key}: missing in the target (source: ${from})`];
    if (from === undefined) return [`${key}: only in the target (${to})`];
    return [`${key}: ${from} in the source, ${to} in the target`];
  });
}
