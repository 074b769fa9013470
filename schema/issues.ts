/**
 * Zod's issues as the family's problems: each named by its field path, what is allowed and the value received
 * (never a secret's). Package-private, as `fields.ts` is: the layers above import it (a component's arguments,
 * the driver's input), but it is no entry point's and its declarations, which name zod's types, are not
 * published (`package.json`'s `files`).
 */
import type { z } from "zod";
import { problem, type PropertyProblem, propertyPath, SECRET_NOT_SHOWN, secretProblem } from "./errors";
import { didYouMean } from "./keys";

/**
 * Turns zod issues into problems rooted at `root` (such as `tenantstack:` or `spec`). Where `secret` says a
 * path lies in a value set as a secret, the value received is not quoted, and the names of unknown keys
 * (part of that value) are not either.
 */
export function propertyProblemsOf(
  issues: readonly z.core.$ZodIssue[],
  root: string,
  secret: (segments: readonly PropertyKey[]) => boolean = () => false,
): PropertyProblem[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      // `settings()` writes one message line per unknown key.
      const lines = issue.message.split("\n");
      if (secret(issue.path)) {
        const allowed = lines[0].slice(lines[0].lastIndexOf("allowed: "));
        const count = issue.keys.length === 1 ? "a key" : `${issue.keys.length} keys`;
        return [
          {
            propertyPath: propertyPath(root, issue.path),
            reason: `holds ${count} that is not a known setting; ${allowed} ${SECRET_NOT_SHOWN}`,
          },
        ];
      }
      return issue.keys.map((key, i) => ({ propertyPath: propertyPath(root, [...issue.path, key]), reason: lines[i] ?? lines[0] }));
    }
    let input: unknown = (issue as { input?: unknown }).input;
    const misspelt: PropertyProblem[] = [];
    if (issue.code === "invalid_union" && "discriminator" in issue && issue.discriminator) {
      const discriminator = issue.discriminator as string;
      const object = input as Record<string, unknown> | undefined;
      input = object?.[discriminator];
      // The discriminating key missing, and a key like it given instead: which key it meant (a secret's keys are not named).
      if (input === undefined && object !== null && typeof object === "object" && !secret(issue.path)) {
        // The issue's path names the discriminating key; the keys given are its neighbours.
        const at = issue.path.at(-1) === discriminator ? issue.path.slice(0, -1) : issue.path;
        for (const key of Object.keys(object)) {
          const hint = didYouMean(key, [discriminator]);
          if (hint !== "") misspelt.push({ propertyPath: propertyPath(root, [...at, key]), reason: `is not a known setting${hint}` });
        }
      }
    }
    if (secret(issue.path)) return secretProblem(root, issue.path, issue.message, input);
    return [problem(root, issue.path, issue.message, input), ...misspelt];
  });
}
