import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { tenantDatabase } from "../../../../schema/naming";
import { endMarked } from "../../../processes/marks";
import { markChildren } from "../../../processes/watchdog";
import { runCommand } from "../command";
import { MigrationError, TargetConflictError } from "../errors";
import { ownership, parseMarker } from "../marker";
import type { MigrationSettings } from "../settings";
import type { Checkpoint } from "../../../journal/steps";
import type { Log } from "../steps";
import { referencedRoles } from "./catalog";
import { ident, libpqEnv, literal, withDatabase } from "./connection";
import { fenceDatabase, isFenceSetting, unfenceDatabase } from "./fence";
import { ensureRoles } from "./roles";
import { databaseComment, dropDatabase, inspectTargetDatabase, markDatabase } from "./target";

/**
 * The database a copy is restored into before it takes the tenant database's name. Upper case, so
 * it can never be another tenant's database (those are lower case).
 */
export function stagingDatabase(tenant: string): string {
  return `${tenantDatabase(tenant)}_MIGRATING`;
}

/** Directory of the dump files of migration `settings.id`. */
export function workDirectory(settings: MigrationSettings): string {
  return settings.workDir ?? path.join(tmpdir(), `tenantstack-migrate-${settings.id}`);
}

/**
 * The dump file of one attempt: its number and its process's pid in the name, so that no two
 * attempts (not even two whose journals lost count) ever write one file.
 */
export function dumpFile(directory: string, database: string, attempt: number, pid = process.pid): string {
  return path.join(directory, `${database}.attempt-${attempt}.${pid}.dump`);
}

/** The task that marks the processes of attempts of a copy (`processes/marks.ts`), without its attempt number. */
function copyTask(id: string): string {
  return `migrate:${id}:copyPostgres:`;
}

/**
 * Ends what earlier attempts of this copy left on this machine before this one starts anything:
 * their `pg_dump` and `pg_restore` (found by their mark in the process table, whoever started them:
 * a killed driver leaves them running), then their dump files. Returns the pids ended.
 */
async function endEarlierAttempts(id: string, directory: string, database: string, own: string): Promise<number[]> {
  let ended: number[];
  try {
    ended = await endMarked((p) => p.task.startsWith(copyTask(id)));
  } catch (error) {
    throw new MigrationError(`An earlier attempt's processes could not be ended: ${(error as Error).message}; run the step again`, true);
  }
  const files = await readdir(directory).catch(() => [] as string[]);
  for (const file of files)
    if (file.startsWith(`${database}.`) && file.endsWith(".dump") && path.join(directory, file) !== own)
      await rm(path.join(directory, file), { force: true });
  return ended;
}

interface SourceDatabase {
  owner: string;
  encoding: string;
  collate: string;
  ctype: string;
  roles: string[];
  grants: { grantee: string; privilege: string; grantable: boolean }[] | null;
  settings: { role: string | null; setting: string }[];
}

/** The source database's attributes, database-level grants and settings, and the roles it refers to. */
async function describeSource(url: string, database: string): Promise<SourceDatabase> {
  return withDatabase(url, database, async (client) => {
    const [row] = (
      await client.query<Omit<SourceDatabase, "roles" | "settings">>(
        `SELECT pg_get_userbyid(datdba) AS owner, pg_encoding_to_char(encoding) AS encoding, datcollate AS collate, datctype AS ctype,
                CASE WHEN datacl IS NULL THEN NULL ELSE
                  (SELECT json_agg(json_build_object('grantee', coalesce(pg_get_userbyid(nullif(a.grantee, 0)), 'PUBLIC'),
                          'privilege', a.privilege_type, 'grantable', a.is_grantable)) FROM aclexplode(datacl) a) END AS grants
           FROM pg_database WHERE datname = current_database()`,
      )
    ).rows;
    const settings = (
      await client.query<{ role: string | null; setting: string }>(
        `SELECT pg_get_userbyid(nullif(s.setrole, 0)) AS role, unnest(s.setconfig) AS setting
           FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = current_database()`,
      )
    ).rows;
    // The source's fence is the migration's, not the tenant's: the copy is writable.
    return {
      ...row,
      roles: await referencedRoles(client),
      settings: settings.filter((s) => !(s.role === null && isFenceSetting(s.setting))),
    };
  });
}

/** Database-level statements the dump does not carry: grants on the database and its settings. */
function databaseStatements(database: string, source: SourceDatabase): string[] {
  const db = ident(database);
  const grants =
    source.grants === null
      ? []
      : [
          `REVOKE ALL ON DATABASE ${db} FROM PUBLIC`,
          ...source.grants.map(
            (g) =>
              `GRANT ${g.privilege} ON DATABASE ${db} TO ${g.grantee === "PUBLIC" ? "PUBLIC" : ident(g.grantee)}${g.grantable ? " WITH GRANT OPTION" : ""}`,
          ),
        ];
  const settings = source.settings.map(({ role, setting }) => {
    const split = setting.indexOf("=");
    const assignment = `SET ${ident(setting.slice(0, split))} TO ${literal(setting.slice(split + 1))}`;
    return role === null ? `ALTER DATABASE ${db} ${assignment}` : `ALTER ROLE ${ident(role)} IN DATABASE ${db} ${assignment}`;
  });
  return [...grants, ...settings];
}

/** Refuses a target database that holds data this migration may not replace. */
async function assertReplaceable(url: string, database: string, id: string): Promise<"absent" | "copied" | "replaceable"> {
  const target = await inspectTargetDatabase(url, database, id);
  if (target.kind === "occupied") throw new TargetConflictError(`target Postgres database ${database}`, target.found);
  return target.kind;
}

/**
 * Copies the tenant's database with its roles and grants: `pg_dump` of the source, `pg_restore` in
 * one transaction into a fresh staging database, the database's grants and settings, then a
 * rename to the tenant's database name. Idempotent: a complete copy of this migration is kept; a
 * partial one, an empty database or an abandoned copy is replaced; anything else is refused
 * before the target is touched ({@link TargetConflictError}). Attempt `attempt` first ends the
 * processes and files earlier attempts left, and dumps to a file of its own.
 */
export async function copyPostgres(settings: MigrationSettings, log: Log, attempt: number): Promise<Checkpoint> {
  const { id, tenant, source, target } = settings;
  const database = tenantDatabase(tenant);
  const staging = stagingDatabase(tenant);
  const directory = workDirectory(settings);
  const dump = dumpFile(directory, database, attempt);
  const endedProcesses = await endEarlierAttempts(id, directory, database, dump);
  if (endedProcesses.length > 0) log(`copyPostgres: ended processes ${endedProcesses.join(", ")} of an earlier attempt`);
  if ((await databaseComment(source.postgresUrl, database)) === undefined) {
    throw new MigrationError(
      `The source Postgres server has no database ${database} for tenant "${tenant}": check the tenant and the source.`,
      false,
    );
  }
  if ((await assertReplaceable(target.postgresUrl, database, id)) === "copied") {
    log(`copyPostgres: the target already holds this migration's complete copy of ${database}`);
    return { database, alreadyCopied: true };
  }
  const stagingComment = await databaseComment(target.postgresUrl, staging);
  if (stagingComment !== undefined && ownership(parseMarker(stagingComment), id) === "foreign") {
    throw new TargetConflictError(`target Postgres database ${staging}`, [
      `a database this migration did not create (comment: ${stagingComment ?? "none"})`,
    ]);
  }

  // Nothing writes to the source from here on (see fence.ts): what is dumped is all there is.
  const ended = await fenceDatabase(source.postgresUrl, database);
  log(`copyPostgres: ${database} fenced read-only on the source${ended ? ` (${ended} open sessions ended)` : ""}`);
  const described = await describeSource(source.postgresUrl, database);
  const rolesCreated = await withDatabase(source.postgresUrl, database, (sourceClient) =>
    withDatabase(target.postgresUrl, "postgres", (targetClient) => ensureRoles(sourceClient, targetClient, described.roles)),
  );
  if (rolesCreated.length > 0) log(`copyPostgres: created roles ${rolesCreated.join(", ")} in the target`);

  await dropDatabase(target.postgresUrl, staging, true);
  await withDatabase(target.postgresUrl, "postgres", (client) =>
    client.query(
      `CREATE DATABASE ${ident(staging)} WITH OWNER ${ident(described.owner)} TEMPLATE template0 ENCODING ${literal(described.encoding)} ` +
        `LC_COLLATE ${literal(described.collate)} LC_CTYPE ${literal(described.ctype)}`,
    ),
  );
  await markDatabase(target.postgresUrl, staging, { id, state: "copying" });

  await mkdir(directory, { recursive: true, mode: 0o700 });
  // Marked as this attempt's: a later attempt ends them, and so does this process's watchdog when it is killed.
  const mark = markChildren(`${copyTask(id)}${attempt}`);
  log(`copyPostgres: dumping ${database} from the source`);
  await runCommand("pg_dump", ["--format=custom", "--compress=6", `--file=${dump}`], {
    ...libpqEnv(source.postgresUrl, database),
    ...mark,
  });
  const dumpBytes = (await stat(dump)).size;
  log(`copyPostgres: restoring ${dumpBytes} bytes into ${staging}`);
  await runCommand("pg_restore", ["--exit-on-error", "--single-transaction", `--dbname=${staging}`, dump], {
    ...libpqEnv(target.postgresUrl, staging),
    ...mark,
  });
  await withDatabase(target.postgresUrl, "postgres", async (client) => {
    for (const statement of databaseStatements(staging, described)) await client.query(statement);
  });
  await markDatabase(target.postgresUrl, staging, { id, state: "copied" });

  // The target may have changed while the copy ran: check it again before replacing it.
  let replaced: Awaited<ReturnType<typeof assertReplaceable>>;
  try {
    replaced = await assertReplaceable(target.postgresUrl, database, id);
  } catch (error) {
    await dropDatabase(target.postgresUrl, staging, true);
    throw error;
  }
  // Replaceable: empty, partial or abandoned, no one's data; the target stack's app may hold sessions on it (WITH FORCE ends them).
  if (replaced !== "absent") await dropDatabase(target.postgresUrl, database, true);
  await withDatabase(target.postgresUrl, "postgres", (client) =>
    client.query(`ALTER DATABASE ${ident(staging)} RENAME TO ${ident(database)}`),
  );
  await rm(dump, { force: true });
  log(`copyPostgres: ${database} copied`);
  return { database, rolesCreated, dumpBytes, dump: path.basename(dump) };
}

/**
 * Undoes a copy before the switch: drops this migration's staging database, marks its copy failed and
 * lifts the source's fence, so that the tenant writes there again.
 */
export async function abandonPostgresCopy(settings: MigrationSettings): Promise<void> {
  const { id, tenant, target } = settings;
  await unfenceDatabase(settings.source.postgresUrl, tenantDatabase(tenant));
  const staging = stagingDatabase(tenant);
  if (parseMarker(await databaseComment(target.postgresUrl, staging))?.id === id) await dropDatabase(target.postgresUrl, staging, true);
  const database = tenantDatabase(tenant);
  if (parseMarker(await databaseComment(target.postgresUrl, database))?.id === id)
    await markDatabase(target.postgresUrl, database, { id, state: "failed" });
}
