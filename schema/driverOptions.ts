/**
 * The driver's own settings as data, shared by the library (`Driver.open`, `serve`) and the CLI (which
 * builds them from its flags and parses them here): where its files and database are, how many
 * workers it runs, where the HTTP API listens.
 * Package-private: the driver imports its zod schemas, but no entry point exports it and its declarations,
 * which name zod's types, are not published (`package.json`'s `files`); the plain types the schemas parse to
 * are published in `automation/types.ts` (generated), their values in `driverValues.ts`.
 */
import { z } from "zod";
import {
  HEARTBEAT_SECONDS_MIN,
  LEASE_TTL_SECONDS_DEFAULT,
  LEASE_TTL_SECONDS_MAX,
  LEASE_TTL_SECONDS_MIN,
  POOL_SIZE_MAX,
} from "./driverValues";
import { intBetween } from "./fields";

const DATABASE_MESSAGE =
  'must be a SQLite file path (optionally "sqlite:<path>") or a postgres:// URL such as "postgres://user@db:5432/tenantstack"';
const STATE_DIR_MESSAGE = "must be a directory path (absolute, or relative to the working directory)";
const LISTEN_MESSAGE = 'must be an IP address or a host name to listen on, such as "127.0.0.1", "0.0.0.0" or "::"';
const IDENTITY_MESSAGE =
  'must be 1 to 253 letters, digits and ".", "-", "_", ":", "@" naming this driver among those sharing the database, such as "driver-1" or "host-a:4242"';
const LEASE_TTL_MESSAGE = `must be a number of seconds between ${LEASE_TTL_SECONDS_MIN} and ${LEASE_TTL_SECONDS_MAX}`;
const HEARTBEAT_MESSAGE = `must be a number of seconds of at least ${HEARTBEAT_SECONDS_MIN}`;
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$/;

/** Whether `value` is a SQLite path or a PostgreSQL URL with a host. */
function database(value: string): boolean {
  if (/^postgres(ql)?:\/\//.test(value)) {
    try {
      return new URL(value).hostname !== "";
    } catch {
      return false;
    }
  }
  const file = value.replace(/^sqlite:/, "");
  // Any other scheme is a mistake, not a file name.
  return file.trim() !== "" && !file.includes("\0") && !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(file);
}

/** Whether `value` is an IP address or a host name. */
function listenAddress(value: string): boolean {
  return z.ipv4().safeParse(value).success || z.ipv6().safeParse(value).success || HOST_NAME.test(value);
}

/**
 * The driver's settings that are data.
 */
export const DriverSettingsSchema = z
  .object({
    stateDir: z
      .string({ error: STATE_DIR_MESSAGE })
      .refine((v) => v.trim() !== "" && !v.includes("\0"), { error: STATE_DIR_MESSAGE })
      .optional()
      .describe("Directory of the driver's files."),
    database: z
      .string({ error: DATABASE_MESSAGE })
      .refine(database, { error: DATABASE_MESSAGE })
      .optional()
      .describe("The registry and journal database."),
    poolSize: intBetween(1, POOL_SIZE_MAX).optional().describe("Worker processes of the default executor."),
    identity: z
      .string({ error: IDENTITY_MESSAGE })
      .regex(/^[A-Za-z0-9._:@-]{1,253}$/, { error: IDENTITY_MESSAGE })
      .optional()
      .describe("This driver's host identity in its leases."),
    leaseTtlSeconds: z
      .number({ error: LEASE_TTL_MESSAGE })
      .min(LEASE_TTL_SECONDS_MIN, { error: LEASE_TTL_MESSAGE })
      .max(LEASE_TTL_SECONDS_MAX, { error: LEASE_TTL_MESSAGE })
      .optional()
      .describe(`Seconds a lease lives without a heartbeat (default ${LEASE_TTL_SECONDS_DEFAULT}).`),
    heartbeatSeconds: z
      .number({ error: HEARTBEAT_MESSAGE })
      .min(HEARTBEAT_SECONDS_MIN, { error: HEARTBEAT_MESSAGE })
      .optional()
      .describe("Seconds between a lease holder's heartbeats (default a third of the lease's time to live)."),
  })
  .superRefine((settings, context) => {
    const ttl = settings.leaseTtlSeconds ?? LEASE_TTL_SECONDS_DEFAULT;
    // Two beats may be missed before the lease expires: one late beat must not lose it.
    if (settings.heartbeatSeconds !== undefined && settings.heartbeatSeconds * 2 > ttl) {
      context.addIssue({
        code: "custom",
        path: ["heartbeatSeconds"],
        message: `must be at most half of the lease's time to live (${ttl} s), so that one late heartbeat does not lose a lease`,
        input: settings.heartbeatSeconds,
      });
    }
  });

/**
 * Where the HTTP API listens.
 */
export const ServeSettingsSchema = z.object({
  port: intBetween(1, 65535).describe("Port to listen on."),
  host: z.string({ error: LISTEN_MESSAGE }).refine(listenAddress, { error: LISTEN_MESSAGE }).optional().describe("Address to listen on."),
});
