/**
 * The examples of the driver's README (automation/README.md), as written: the library example and the
 * CLI walkthrough on the local cluster, extracted from their fenced blocks so that the tests run what a
 * reader copies.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";

const REPO = path.join(__dirname, "../..");

/** The driver's README. */
export const AUTOMATION_README = path.join(REPO, "automation/README.md");

/**
 * The fenced blocks of `language` in the section under `heading` (a whole line such as `## The
 * library`), up to the next heading of its level or above, in order.
 */
export function sectionBlocks(file: string, heading: string, language: string): string[] {
  const text = readFileSync(file, "utf8");
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`${file} has no section "${heading}"`);
  const level = heading.split(" ")[0];
  const rest = text.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`\\n#{1,${level.length}} `));
  const section = next < 0 ? rest : rest.slice(0, next);
  return [...section.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);
}

/** The library example: the TypeScript block of "The library". */
export function libraryExample(): string {
  const [example] = sectionBlocks(AUTOMATION_README, "## The library", "ts");
  if (example === undefined) throw new Error("no library example");
  return example;
}

/** The CLI walkthrough: its setup, the settings file it names (`acme.json`), and its commands. */
export function cliWalkthrough(): { setup: string; settingsFile: string; settings: Record<string, any>; commands: string } {
  const heading = "### A walkthrough on the local cluster";
  const [setup, commands] = sectionBlocks(AUTOMATION_README, heading, "sh");
  const [json] = sectionBlocks(AUTOMATION_README, heading, "json");
  if (setup === undefined || commands === undefined || json === undefined) throw new Error("the walkthrough lacks a block");
  const settingsFile = /--settings (\S+\.json)/.exec(commands)?.[1];
  if (settingsFile === undefined) throw new Error("the walkthrough names no settings file");
  return { setup, settingsFile, settings: JSON.parse(json), commands };
}
