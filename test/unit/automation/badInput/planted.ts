/** Secrets planted in the bad-input suites: none may ever appear in any output, body, log or message. */
import * as assert from "node:assert/strict";

/** The passphrase of the driver's environment. */
export const PASSPHRASE = "planted-passphrase-7f3a";
/** The HTTP API's bearer token. */
export const TOKEN = "planted-api-token-0123456789";
/** A password inside a database or backend URL. */
export const URL_PASSWORD = "planted-url-password-91c";
/** A line of a file that is not JSON (a settings or data-plane file holding credentials). */
export const FILE_SECRET = "planted-file-secret-5d2e";
/** A value given as the secrets provider (a passphrase pasted into the wrong flag). */
export const PROVIDER_VALUE = "planted-provider-value-42";

/** Every planted secret. */
export const PLANTED = [PASSPHRASE, TOKEN, URL_PASSWORD, FILE_SECRET, PROVIDER_VALUE] as const;

/** Fails naming the planted secret `text` shows, if any. */
export function assertNoSecret(text: string, where: string): void {
  for (const secret of PLANTED) assert.ok(!text.includes(secret), `${where} shows the planted secret ${secret}:\n${text}`);
}

/** Fails when `text` holds a stack trace. */
export function assertNoStackTrace(text: string, where: string): void {
  assert.doesNotMatch(text, /\n\s+at .+[:(]/, `${where} holds a stack trace:\n${text}`);
}

/** A file's text that is not JSON and holds a planted secret on its second line. */
export const NOT_JSON = `{\n  "postgresUrl": postgres://admin:${FILE_SECRET}@db/x\n}\n`;
