/** The settings of Pulumi.dev.yaml, as the e2e tests start from them. */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { REPO } from "./engine";

/** The `tenantstack:*` settings of Pulumi.dev.yaml, keyed without the namespace. */
export function devSettings(): Record<string, any> {
  const doc = yaml.load(readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
  return Object.fromEntries(Object.entries(doc.config).map(([key, value]) => [key.replace(/^tenantstack:/, ""), value]));
}
