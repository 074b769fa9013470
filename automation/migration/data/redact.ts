/** Keeping credentials out of messages and logs. */

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]*)(:[^@\s/]*)?@/gi;
const PASSWORD_SETTING = /(password\s*=\s*)(\S+)/gi;

/**
 * `text` with the password of every URL (`scheme://user:password@`) and every `password=...`
 * setting replaced by `***`.
 */
export function redact(text: string): string {
  return text
    .replace(URL_CREDENTIALS, (_match, scheme: string, user: string, password?: string) => `${scheme}${user}${password ? ":***" : ""}@`)
    .replace(PASSWORD_SETTING, "$1***");
}
