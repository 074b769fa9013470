import type { Client } from "pg";
import { ident } from "./connection";

/** SQL condition on `n` (pg_namespace): the schema is the tenant's, not the server's. */
export const USER_SCHEMA =
  "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

/** A table of the tenant and the columns of its primary key (empty without one). */
export interface TableRef {
  readonly schema: string;
  readonly name: string;
  readonly primaryKey: readonly string[];
}

/** The tenant's tables (including partitions, excluding partitioned parents that hold no rows), by name. */
export async function tables(client: Client): Promise<TableRef[]> {
  const result = await client.query<{ schema: string; name: string; pk: string[] | null }>(`
    SELECT n.nspname AS schema, c.relname AS name,
      (SELECT array_agg(a.attname::text ORDER BY k.ord)
         FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = c.oid AND i.indisprimary) AS pk
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND ${USER_SCHEMA}
    ORDER BY 1, 2`);
  return result.rows.map((row) => ({ schema: row.schema, name: row.name, primaryKey: row.pk ?? [] }));
}

/** `schema.name` quoted. */
export function qualified(table: { schema: string; name: string }): string {
  return `${ident(table.schema)}.${ident(table.name)}`;
}

/** Row count and checksum of a table: md5 of its rows' md5s in primary key order (row text order without one). */
export async function tableChecksum(client: Client, table: TableRef): Promise<{ rows: number; md5: string }> {
  const order = table.primaryKey.length > 0 ? table.primaryKey.map((column) => `t.${ident(column)}`).join(", ") : "t::text";
  const result = await client.query<{ rows: string; md5: string | null }>(
    `SELECT count(*) AS rows, md5(string_agg(md5(t::text), '' ORDER BY ${order})) AS md5 FROM ONLY ${qualified(table)} t`,
  );
  return { rows: Number(result.rows[0].rows), md5: result.rows[0].md5 ?? "empty" };
}

/** Every relation, schema and large object of the tenant, one line each, for conflict reports. */
export async function userObjects(client: Client): Promise<string[]> {
  const result = await client.query<{ object: string }>(`
    SELECT format('%s %I.%I', CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'S' THEN 'sequence'
                  WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'foreign table' END, n.nspname, c.relname) AS object
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f') AND ${USER_SCHEMA}
    UNION ALL
    SELECT format('schema %I', n.nspname) FROM pg_namespace n WHERE ${USER_SCHEMA} AND n.nspname <> 'public'
    UNION ALL
    SELECT format('%s large objects', count(*)) FROM pg_largeobject_metadata HAVING count(*) > 0
    ORDER BY 1`);
  return result.rows.map((row) => row.object);
}

/** The roles the tenant's database refers to: owners and grantees, but not the bootstrap superuser or built-in roles. */
export async function referencedRoles(client: Client): Promise<string[]> {
  const result = await client.query<{ rolname: string }>(`
    WITH refs(role) AS (
      SELECT datdba FROM pg_database WHERE datname = current_database()
      UNION SELECT (aclexplode(datacl)).grantee FROM pg_database WHERE datname = current_database()
      UNION SELECT n.nspowner FROM pg_namespace n WHERE ${USER_SCHEMA}
      UNION SELECT (aclexplode(n.nspacl)).grantee FROM pg_namespace n WHERE ${USER_SCHEMA}
      UNION SELECT c.relowner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMA}
      UNION SELECT (aclexplode(c.relacl)).grantee FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMA}
      UNION SELECT p.proowner FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${USER_SCHEMA}
      UNION SELECT t.typowner FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE ${USER_SCHEMA}
      UNION SELECT lomowner FROM pg_largeobject_metadata
      UNION SELECT (aclexplode(lomacl)).grantee FROM pg_largeobject_metadata
      UNION SELECT defaclrole FROM pg_default_acl
      UNION SELECT (aclexplode(defaclacl)).grantee FROM pg_default_acl
      UNION SELECT setrole FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = current_database()
    )
    SELECT r.rolname FROM pg_roles r JOIN refs ON refs.role = r.oid
     WHERE r.oid <> 10 AND r.rolname NOT LIKE 'pg\\_%'
     ORDER BY 1`);
  return result.rows.map((row) => row.rolname);
}
