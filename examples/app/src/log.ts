/**
 * Structured logs: one JSON object a line on stdout (errors on stderr). Callers pass fields, never
 * connection URLs or passwords: errors are logged by their code and message only.
 */

/** A log line's fields. */
export type Fields = Readonly<Record<string, string | number | boolean | undefined>>;

/** Where the app logs. */
export interface Logger {
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
}

/** The logger of a process: `role` on every line. */
export function consoleLogger(role: string): Logger {
  const write = (level: string, message: string, fields?: Fields) => {
    const line = `${JSON.stringify({ time: new Date().toISOString(), level, role, message, ...fields })}\n`;
    (level === "info" ? process.stdout : process.stderr).write(line);
  };
  return {
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** `text` with the credentials of any URL in it replaced by `***`. */
export function redactUrls(text: string): string {
  return text.replace(/:\/\/[^\s/@]*@/g, "://***@");
}

/** An error as log fields: its code and message (URLs' credentials redacted), nothing else. */
export function errorFields(error: unknown): Fields {
  const e = error as { code?: unknown; message?: unknown };
  const message = typeof e?.message === "string" ? e.message : String(error);
  return { errorCode: typeof e?.code === "string" ? e.code : undefined, error: redactUrls(message) };
}
