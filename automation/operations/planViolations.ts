/**
 * What the engine reports when an update leaves its saved plan, without the values it prints.
 *
 * The engine's message names each resource and renders the changed properties with their values
 * (`+-stringData[{…}], =+data[{&{{map[POSTGRES_PASSWORD:{…}]}}}]`): generated passwords and keys among
 * them, unmasked. Only the resource and the changed property names are kept.
 */

const VIOLATION = /resource (urn:pulumi:\S+) violates plan: (.*)$/;
/** A changed property in the engine's rendering: its diff markers, its name, then `[` and its value. */
const CHANGED_PROPERTY = /(?:^|[\s,])[-+=~]{1,3}([A-Za-z_$][\w$.-]*)\[/g;

/**
 * One line per resource that left the plan: its name and what changed, no values; a deviation said twice
 * (the engine's diagnostic and the failed command's stderr both carry it) is listed once.
 */
export function planViolations(diagnostics: readonly string[]): string[] {
  const lines: string[] = [];
  for (const line of diagnostics.flatMap((d) => d.split("\n"))) {
    const match = VIOLATION.exec(line);
    if (!match) continue;
    const name = match[1].split("::").pop() ?? match[1];
    const reason = match[2];
    if (reason.startsWith("properties changed:")) {
      const names = [...reason.matchAll(CHANGED_PROPERTY)].map((m) => m[1]);
      lines.push(`${name}: properties changed: ${[...new Set(names)].join(", ") || "(not named by the engine)"}`);
    } else {
      // Other reasons ("resource unexpectedly not created", an unplanned step) carry no values; cut at
      // the first rendering of one all the same.
      lines.push(`${name}: ${reason.split(/[[{]/)[0].trim()}`);
    }
  }
  return [...new Set(lines)];
}
