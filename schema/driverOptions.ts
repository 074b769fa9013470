/**
 * The driver's own settings as data, shared by the library (`Driver.open`, `serve`) and the CLI (which
 * builds them from its flags and parses them here): where its files and database are, how many
 * workers it runs, where the HTTP API listens.
 * Package-private: the driver imports its zod schemas, but no entry point exports it and its declarations,
 * which name zod's types, are not published (`package.json`'s `files`); the plain types the schemas parse to
 * are published in `automation/types.ts` (generated), their values in `driverValues.ts`.
 */
import { z } from "zod";
import { POOL_SIZE_MAX } from "./driverValues";
import { intBetween } from "./fields";

const DATABASE_MESSAGE =
  'must be a SQLite file path (optionally "sqlite:<path>") or a postgres:// URL such as "postgres://user@db:5432/tenantstack"';
const STATE_DIR_MESSAGE = "must be a directory path (absolute, or relative to the working directory)";
const LISTEN_MESSAGE = 'must be an IP address or a host name to listen on, such as "127.0.0.1", "0.0.0.0" or "::"';
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
export const DriverSettingsSchema = z.object({
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
});

/**
 * Where the HTTP API listens.
 */
export const ServeSettingsSchema = z.object({
  port: intBetween(1, 65535).describe("Port to listen on."),
  host: z.string({ error: LISTEN_MESSAGE }).refine(listenAddress, { error: LISTEN_MESSAGE }).optional().describe("Address to listen on."),
});
