/** A data plane given as a map from stack names to their servers' URLs (a file for the CLI, fixed servers for tests). */
import { InputError } from "../errors";
import { readJsonFile } from "../jsonFile";
import { MigrationSettingsSchema, type DataEndpoints } from "../migrate/settings";
import type { FleetStack } from "../registry/tenant";
import type { MigrationDataPlane } from "./config";

/** The data plane of fixed URLs per stack; a stack not in `servers` is refused, naming it. */
export function staticDataPlane(servers: Readonly<Record<string, DataEndpoints>>): MigrationDataPlane {
  return {
    async endpoints(stack: FleetStack): Promise<DataEndpoints> {
      const found = servers[stack.name];
      if (!found)
        throw new InputError("data plane", [
          `stack "${stack.name}" has no data servers (known: ${Object.keys(servers).join(", ") || "none"})`,
        ]);
      return found;
    },
  };
}

/**
 * Reads a data plane file: `{ "<stack>": { "postgresUrl": "postgres://...", "redisUrl": "redis://..." } }`.
 * It holds passwords: keep it readable by the driver only. Errors never repeat a URL.
 */
export function readDataPlaneFile(file: string): MigrationDataPlane {
  const parsed = readJsonFile(file, "--data-plane", "data plane");
  const entries = Object.entries((parsed ?? {}) as Record<string, unknown>);
  const servers: Record<string, DataEndpoints> = {};
  const problems: string[] = [];
  for (const [stack, value] of entries) {
    const result = MigrationSettingsSchema.shape.source.safeParse(value);
    if (result.success) servers[stack] = result.data;
    else problems.push(`\`${stack}\` must be { postgresUrl: postgres://..., redisUrl: redis://... } with valid URLs (values not shown)`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    problems.unshift(`\`--data-plane\` must hold an object of stack names (in "${file}")`);
  if (problems.length > 0) throw new InputError("data plane", problems);
  return staticDataPlane(servers);
}
