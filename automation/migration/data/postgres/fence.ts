/**
 * The fence of the source database: before the copy, the tenant's database is made read-only for
 * every new session (`default_transaction_read_only`) and the open sessions of its (non-superuser) roles are ended, so that no
 * write can land on the source after the dump began, whether or not the app has seen the maintenance
 * flag yet (the kubelet projects a changed ConfigMap into pods a minute or more later). The app's
 * writes then fail with SQLSTATE 25006, which it answers as read-only (503, `Retry-After`). The fence
 * stays on the source's copy after the switch (nothing may write there any more) and is lifted when a
 * migration is rolled back before its switch.
 */
import { ident, withDatabase } from "./connection";

/** The database setting the fence sets. */
export const FENCE_SETTING = "default_transaction_read_only";

/** Fences `database` on the server of the superuser `url`; returns how many of its sessions were ended. Idempotent. */
export async function fenceDatabase(url: string, database: string): Promise<number> {
  return withDatabase(url, "postgres", async (client) => {
    await client.query(`ALTER DATABASE ${ident(database)} SET ${FENCE_SETTING} TO on`);
    const ended = await client.query<{ n: string }>(
      // The app's sessions (its roles are never superusers); an operator's superuser sessions are left alone.
      "SELECT count(pg_terminate_backend(a.pid)) AS n FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid WHERE a.datname = $1 AND a.pid <> pg_backend_pid() AND NOT r.rolsuper",
      [database],
    );
    return Number(ended.rows[0].n);
  });
}

/** Lifts the fence of `database` (a no-op when there is none or no such database). */
export async function unfenceDatabase(url: string, database: string): Promise<void> {
  await withDatabase(url, "postgres", async (client) => {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (exists.rowCount) await client.query(`ALTER DATABASE ${ident(database)} RESET ${FENCE_SETTING}`);
  });
}

/** Whether a database setting (`name=value` of pg_db_role_setting) is the fence, which a copy never carries. */
export function isFenceSetting(setting: string): boolean {
  return setting.slice(0, setting.indexOf("=")) === FENCE_SETTING;
}
