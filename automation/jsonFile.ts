/** JSON files named on the command line (`--settings`, `--data-plane`): read, parsed, and never quoted in a message. */
import { readFileSync } from "node:fs";
import { jsonErrorPosition } from "../schema/redact";
import { InputError } from "./errors";

/**
 * The JSON value in `file`, or an InputError about `field` saying why it cannot be read, or where it
 * stops being JSON (line and column only: the file may hold secrets, so its content is never shown).
 */
export function readJsonFile(file: string, field: string, subject = "options"): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new InputError(subject, [`\`${field}\` must be a readable JSON file (got "${file}": ${code})`]);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(subject, [
      `\`${field}\` must be a JSON file: "${file}" is not valid JSON at ${jsonErrorPosition(text, error)} (its content is not shown)`,
    ]);
  }
}
