import { z } from "zod";
import { ValidationError } from "../../../schema";
import { propertyProblemsOf } from "../../../schema/issues";
import { dnsLabel, intBetween, settings, text } from "../../../schema/fields";
import { TENANT_NAME_MAX } from "../../../schema/naming";
import type { MigrationSettings } from "../../types";

const POSTGRES_SCHEMES = ["postgres:", "postgresql:"];
const REDIS_SCHEMES = ["redis:", "rediss:"];

/** A URL with one of `schemes` and a host; the message never repeats the value (it holds a password). */
function serverUrl(schemes: readonly string[], example: string) {
  const message = `must be a URL with a host and scheme ${schemes.map((s) => `${s}//`).join(" or ")}, such as "${example}"`;
  return z.string({ error: message }).refine((value) => {
    try {
      const url = new URL(value);
      return schemes.includes(url.protocol) && url.hostname !== "";
    } catch {
      return false;
    }
  }, message);
}

/** The data servers of one side of a migration. */
const EndpointsSchema = settings({
  postgresUrl: serverUrl(POSTGRES_SCHEMES, "postgres://postgres:PASSWORD@postgres.ns.svc:5432/postgres").describe(
    "URL of the Postgres server as its superuser (roles and databases are created with it). The database in the path is only used to connect.",
  ),
  redisUrl: serverUrl(REDIS_SCHEMES, "redis://:PASSWORD@redis.ns.svc:6379").describe(
    "URL of the Redis server as its default (admin) user: the copy reads and writes every key under the tenant's prefix.",
  ),
});

/**
 * Settings of one tenant migration's data layer.
 * @internal
 */
export const MigrationSettingsSchema = settings({
  id: dnsLabel(63).describe("Identifier of the migration, unique per attempt; marks the target's copy as this migration's."),
  tenant: dnsLabel(TENANT_NAME_MAX).describe("The tenant moved: its database is `tenant_<name>`, its keys start with `<name>:`."),
  source: EndpointsSchema.describe("Where the tenant's data is now."),
  target: EndpointsSchema.describe("Where the tenant's data goes."),
  workDir: text(1024).optional().describe("Directory of the dump file. Defaults to `<tmpdir>/tenantstack-migrate-<id>`."),
  redisBatchSize: intBetween(1, 10_000)
    .default(500)
    .describe("Keys copied per round trip; the journal's checkpoint advances once per batch."),
  ttlToleranceMs: intBetween(0, 60_000)
    .default(2_000)
    .describe(
      "How far a key's remaining TTL may differ between source and target, and how close to expiry a key missing on one side may be.",
    ),
});

export type { MigrationSettings };
/** Data servers of one side. */
export type DataEndpoints = MigrationSettings["source"];

/** How a bad URL is shown in an error: its scheme at most, never its credentials. */
function described(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  const field = issue.path[issue.path.length - 1];
  const input = (issue as { input?: unknown }).input;
  if ((field !== "postgresUrl" && field !== "redisUrl") || typeof input !== "string") return issue;
  const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(input)?.[1];
  return {
    ...issue,
    input: scheme ? `a ${scheme}// URL (value not shown)` : "a string that is not a URL (value not shown)",
  } as z.core.$ZodIssue;
}

/** Validates a migration's settings, reporting every problem at once (URLs are never echoed). */
export function parseMigrationSettings(input: unknown): MigrationSettings {
  const result = MigrationSettingsSchema.safeParse(input, { reportInput: true });
  if (!result.success) throw new ValidationError("migration settings", propertyProblemsOf(result.error.issues.map(described), ""));
  return result.data;
}
