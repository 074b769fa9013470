/**
 * The data servers a migration needs, checked before it plans or runs: each reached and logged in to
 * as the data plane gives it, the source's Postgres holding the tenant's database. Every problem is
 * reported at once, each naming the server by its stack, its side and `host:port` (never a URL).
 */
import { tenantDatabase } from "../../../schema/naming";
import { serverAddress, withDatabase } from "./postgres/connection";
import { withRedis } from "./redis/connection";
import type { MigrationSettings } from "./settings";

/** How long each server may take to answer. */
const CONNECT_TIMEOUT_MS = 10_000;

/** Network errors that mean the server cannot be reached at that address. */
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET"]);

/** Why a connection to a server failed, as the end of a sentence saying what to do. */
export function unusableBecause(error: unknown, database: string | undefined): string {
  const { cause } = error as { cause?: unknown };
  if (cause instanceof Error) return unusableBecause(cause, database);
  const { code, message } = error as { code?: string; message?: string };
  const text = String(message ?? error);
  if ((code !== undefined && UNREACHABLE.has(code)) || /timeout|timed out/i.test(text))
    return `cannot be reached (${code ?? "timed out"}): start it, or give the data plane an address this driver reaches`;
  if (code === "3D000")
    return (
      `has no database ${database}: the data plane must name the servers that hold the tenant's data ` +
      "(those of its stack), and the tenant must have been provisioned there"
    );
  if (code === "28P01" || code === "28000" || /NOAUTH|WRONGPASS|invalid username-password/i.test(text))
    return "refused the login: the data plane's URL must carry its superuser's (Postgres) or default user's (Redis) password";
  return `failed: ${text.split("\n")[0]}`;
}

/** One server to check. */
interface Server {
  readonly side: "source" | "target";
  readonly stack: string;
  readonly kind: "Postgres" | "Redis";
  readonly url: string;
  /** The database to connect to (Postgres). */
  readonly database?: string;
}

/**
 * The problems of the servers of `settings` for a migration from `sourceStack` to `targetStack`, one
 * line each; none when all answer. The source's Postgres must hold the tenant's database; the target's
 * is reached through its maintenance database (the tenant's may not exist yet).
 */
export async function dataServerProblems(
  settings: Pick<MigrationSettings, "tenant" | "source" | "target">,
  stacks: { readonly sourceStack: string; readonly targetStack: string },
): Promise<string[]> {
  const servers: Server[] = [
    {
      side: "source",
      stack: stacks.sourceStack,
      kind: "Postgres",
      url: settings.source.postgresUrl,
      database: tenantDatabase(settings.tenant),
    },
    { side: "source", stack: stacks.sourceStack, kind: "Redis", url: settings.source.redisUrl },
    { side: "target", stack: stacks.targetStack, kind: "Postgres", url: settings.target.postgresUrl, database: "postgres" },
    { side: "target", stack: stacks.targetStack, kind: "Redis", url: settings.target.redisUrl },
  ];
  const problems = await Promise.all(
    servers.map(async (s) => {
      try {
        if (s.kind === "Postgres") await withDatabase(s.url, s.database!, (client) => client.query("SELECT 1"), CONNECT_TIMEOUT_MS);
        else await withRedis(s.url, (client) => client.ping(), CONNECT_TIMEOUT_MS);
        return undefined;
      } catch (error) {
        return `the ${s.side} ${s.kind} server of stack "${s.stack}" at ${address(s)} ${unusableBecause(error, s.database)}`;
      }
    }),
  );
  return problems.filter((p): p is string => p !== undefined);
}

/** `host:port` of a server. */
function address(s: Server): string {
  if (s.kind === "Postgres") return serverAddress(s.url);
  const url = new URL(s.url);
  return `${url.hostname}:${url.port || "6379"}`;
}
