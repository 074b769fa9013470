import { Client, escapeIdentifier, escapeLiteral } from "pg";

/** Client settings that make every value's text form the same on both servers (checksums compare text). */
const CANONICAL_SESSION = [
  "SET DateStyle = ISO, YMD",
  "SET IntervalStyle = postgres",
  "SET TimeZone = 'UTC'",
  "SET extra_float_digits = 3",
  "SET bytea_output = hex",
  "SET client_encoding = 'UTF8'",
].join("; ");

/** Where a Postgres server is and how to log in, from its URL. */
interface Server {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password?: string;
  readonly sslmode?: string;
}

function server(url: string): Server {
  const parsed = new URL(url);
  return {
    host: decodeURIComponent(parsed.hostname),
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username) || "postgres",
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    sslmode: parsed.searchParams.get("sslmode") ?? undefined,
  };
}

/** The libpq environment that points `pg_dump`/`pg_restore`/`psql` at `database` on the server of `url`. */
export function libpqEnv(url: string, database: string): Record<string, string> {
  const { host, port, user, password, sslmode } = server(url);
  return {
    PGHOST: host,
    PGPORT: String(port),
    PGUSER: user,
    PGDATABASE: database,
    ...(password === undefined ? {} : { PGPASSWORD: password }),
    ...(sslmode === undefined ? {} : { PGSSLMODE: sslmode }),
  };
}

/** Where the server of `url` is, as messages may name it: `host:port`, never the credentials. */
export function serverAddress(url: string): string {
  const { host, port } = server(url);
  return `${host}:${port}`;
}

/**
 * Runs `work` with a client connected to `database` on the server of `url`, in the canonical
 * session, and closes it. A dropped connection rejects the pending query instead of crashing.
 * @param connectTimeoutMs how long the connection may take (none by default: the data steps wait)
 */
export async function withDatabase<T>(
  url: string,
  database: string,
  work: (client: Client) => Promise<T>,
  connectTimeoutMs?: number,
): Promise<T> {
  const { host, port, user, password, sslmode } = server(url);
  const ssl = sslmode === undefined || sslmode === "disable" ? undefined : { rejectUnauthorized: sslmode.startsWith("verify") };
  const client = new Client({
    host,
    port,
    user,
    password,
    database,
    ssl,
    application_name: "tenantstack-migrate",
    ...(connectTimeoutMs !== undefined ? { connectionTimeoutMillis: connectTimeoutMs } : {}),
  });
  // Without a listener, a dropped connection is an uncaught 'error' event; the query rejects anyway.
  client.on("error", () => undefined);
  await client.connect();
  try {
    await client.query(CANONICAL_SESSION);
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `name` quoted as an SQL identifier. */
export const ident = escapeIdentifier;
/** `value` quoted as an SQL string literal. */
export const literal = escapeLiteral;
