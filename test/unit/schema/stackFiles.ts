/** Stack files as the Pulumi program sees them. */
import * as yaml from "js-yaml";

/** The config of a `Pulumi.<stack>.yaml` text as `pulumi.runtime.allConfig()` presents it: objects as JSON text. */
export function allConfigOfYaml(text: string): Record<string, string> {
  const doc = yaml.load(text) as { config: Record<string, unknown> };
  return Object.fromEntries(
    Object.entries(doc.config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
  );
}
