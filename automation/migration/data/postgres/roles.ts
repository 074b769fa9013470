import type { Client } from "pg";
import { ident, literal } from "./connection";

interface RoleRow {
  rolname: string;
  rolcanlogin: boolean;
  rolinherit: boolean;
  rolcreatedb: boolean;
  rolcreaterole: boolean;
  rolconnlimit: number;
  rolvaliduntil: string | null;
  rolpassword: string | null;
}

/**
 * Creates in the target every role of `roles` it lacks, with the source's attributes and password
 * verifier (a SCRAM or md5 hash, never a plaintext password), so that the tenant's credentials keep
 * working. A role the target already has (its stack provisioned it) is left as it is. Superuser,
 * replication and RLS-bypass attributes are never copied. Returns the roles created.
 */
export async function ensureRoles(source: Client, target: Client, roles: readonly string[]): Promise<string[]> {
  const present = new Set(
    (await target.query<{ rolname: string }>("SELECT rolname FROM pg_roles WHERE rolname = ANY($1)", [roles])).rows.map((r) => r.rolname),
  );
  const missing = roles.filter((role) => !present.has(role));
  if (missing.length === 0) return [];
  const rows = (
    await source.query<RoleRow>(
      `SELECT rolname, rolcanlogin, rolinherit, rolcreatedb, rolcreaterole, rolconnlimit, rolvaliduntil::text AS rolvaliduntil, rolpassword
         FROM pg_authid WHERE rolname = ANY($1) ORDER BY rolname`,
      [missing],
    )
  ).rows;
  for (const role of rows) {
    const attributes = [
      role.rolcanlogin ? "LOGIN" : "NOLOGIN",
      role.rolinherit ? "INHERIT" : "NOINHERIT",
      role.rolcreatedb ? "CREATEDB" : "NOCREATEDB",
      role.rolcreaterole ? "CREATEROLE" : "NOCREATEROLE",
      `CONNECTION LIMIT ${Number(role.rolconnlimit)}`,
      ...(role.rolvaliduntil === null ? [] : [`VALID UNTIL ${literal(role.rolvaliduntil)}`]),
      ...(role.rolpassword === null ? [] : [`PASSWORD ${literal(role.rolpassword)}`]),
    ];
    await target.query(`CREATE ROLE ${ident(role.rolname)} WITH ${attributes.join(" ")}`);
  }
  return rows.map((role) => role.rolname);
}
