import { formatMarker, type Marker, ownership, parseMarker } from "../marker";
import { userObjects } from "./catalog";
import { ident, literal, withDatabase } from "./connection";

/**
 * What the target holds under a database name, for migration `id`: nothing, this migration's
 * complete copy, something it may replace (an empty database, its own or an abandoned partial
 * copy), or someone else's data.
 */
export type TargetDatabase =
  | { readonly kind: "absent" }
  | { readonly kind: "copied" }
  | { readonly kind: "replaceable"; readonly why: string }
  | { readonly kind: "occupied"; readonly found: readonly string[] };

/** The marker comment of `database` on the server of `url`, or null when the database does not exist. */
export async function databaseComment(url: string, database: string): Promise<string | null | undefined> {
  return withDatabase(url, "postgres", async (client) => {
    const result = await client.query<{ comment: string | null }>(
      "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
      [database],
    );
    return result.rows.length === 0 ? undefined : result.rows[0].comment;
  });
}

/** What `database` on the target server of `url` is to migration `id`. */
export async function inspectTargetDatabase(url: string, database: string, id: string): Promise<TargetDatabase> {
  const comment = await databaseComment(url, database);
  if (comment === undefined) return { kind: "absent" };
  const marker = parseMarker(comment);
  const owner = ownership(marker, id);
  if (owner === "mine" && marker?.state === "copied") return { kind: "copied" };
  if (owner !== "foreign") return { kind: "replaceable", why: `it holds ${comment}` };
  const found = await withDatabase(url, database, userObjects);
  return found.length === 0 ? { kind: "replaceable", why: "it is empty" } : { kind: "occupied", found: found.slice(0, 20) };
}

/** Sets the marker comment of `database`. */
export async function markDatabase(url: string, database: string, marker: Marker): Promise<void> {
  await withDatabase(url, "postgres", (client) =>
    client.query(`COMMENT ON DATABASE ${ident(database)} IS ${literal(formatMarker(marker))}`),
  );
}

/** Drops `database` when it exists, disconnecting its sessions first when `force` is set. */
export async function dropDatabase(url: string, database: string, force: boolean): Promise<void> {
  await withDatabase(url, "postgres", (client) =>
    client.query(`DROP DATABASE IF EXISTS ${ident(database)}${force ? " WITH (FORCE)" : ""}`),
  );
}
