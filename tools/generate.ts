/**
 * Writes what derives from the schemas: the published JSON Schema (`tenantstack.schema.json`), the README's
 * config reference, and the plain TypeScript types of the settings (`schema/types.ts`, `automation/types.ts`)
 * that the published declarations use instead of zod's. `--check` fails instead of writing when any is out
 * of date.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as prettier from "prettier";
import { z } from "zod";
import { MigrationSettingsSchema } from "../automation/migration/data/settings";
import { OperationListQuerySchema, OperationRequestSchema } from "../schema/operations";
import { RunnerSettingsSchema } from "../schema/runnerSettings";
import { TenantInputSchema, TenantPatchSchema } from "../schema/tenantInput";
import { StackSchema, TenancySchema, TenantSchema } from "../schema";
import { AwsSchema, AzureSchema, GcpSchema } from "../schema/cloudSettings";
import { BackupDestinationSchema, OllamaSchema, PostgresSchema, RedisSchema } from "../schema/data";
import { IngressSchema } from "../schema/ingress";
import { SchedulingSchema, TolerationSchema } from "../schema/scheduling";
import { SecretsSchema } from "../schema/secretSettings";
import { ApiSchema, WorkerSchema } from "../schema/workloads";
import { type JsonSchema, namedTypes, type NamedType } from "./schemaTypes";

/** The named types of the stack's settings, as written (`...Input`) and as validated (`...Spec`). */
const SCHEMA_TYPES: NamedType[] = [
  {
    schema: StackSchema,
    input: "StackInputFields",
    output: "StackSpecFields",
    omit: ["cloud", "aws", "gcp", "azure"],
    doc: {
      input: "A stack's settings as written, but for `cloud` and its block (see `StackInput`).",
      output: "A validated stack's settings, but for `cloud` and its block (see `StackSpec`).",
    },
  },
  { schema: TenantSchema, output: "Tenant", doc: { output: "A validated tenant." } },
  { schema: TenancySchema, input: "TenancyInput", output: "Tenancy" },
  { schema: SchedulingSchema, input: "SchedulingInput", output: "SchedulingSpec" },
  { schema: TolerationSchema, input: "TolerationInput", output: "TolerationSpec", doc: { input: "A pod toleration." } },
  { schema: ApiSchema, input: "ApiInput", output: "ApiSpec" },
  { schema: WorkerSchema, input: "WorkerInput", output: "WorkerSpec" },
  { schema: PostgresSchema, input: "PostgresInput", output: "PostgresSpec" },
  { schema: BackupDestinationSchema, input: "BackupDestinationInput", output: "BackupDestinationSpec" },
  { schema: RedisSchema, input: "RedisInput", output: "RedisSpec" },
  { schema: OllamaSchema, input: "OllamaInput", output: "OllamaSpec" },
  { schema: IngressSchema, input: "IngressInput", output: "IngressSpec" },
  { schema: SecretsSchema, input: "SecretsInput", output: "SecretsSpec" },
  { schema: AwsSchema, input: "AwsInput", output: "AwsSpec" },
  { schema: GcpSchema, input: "GcpInput", output: "GcpSpec" },
  { schema: AzureSchema, input: "AzureInput", output: "AzureSpec" },
];

/** The named types of the driver's inputs. */
const AUTOMATION_TYPES: NamedType[] = [
  {
    schema: TenantInputSchema,
    input: "TenantInput",
    output: "TenantFields",
    doc: { input: "A tenant as given to the registry.", output: "A registered tenant's own fields, validated." },
  },
  {
    schema: TenantPatchSchema,
    output: "TenantPatch",
    doc: { output: "A tenant's update: a JSON merge patch of its fields, `null` resetting one (see `Driver.updateTenant`)." },
  },
  {
    schema: RunnerSettingsSchema,
    input: "RunnerSettings",
    output: "ResolvedRunnerSettings",
    doc: {
      input: "The Kubernetes executor's settings: stack jobs as Kubernetes Jobs in runner pods.",
      output: "The Kubernetes executor's settings, validated, with their defaults.",
    },
  },
  { schema: MigrationSettingsSchema, output: "MigrationSettings", doc: { output: "Validated settings of a migration." } },
  { schema: OperationRequestSchema, output: "OperationRequest", doc: { output: "A validated body of `POST /operations`." } },
  {
    schema: OperationListQuerySchema,
    output: "OperationListQuery",
    doc: { output: "Which operations a listing shows (`GET /operations`, `tenantstack operation list`)." },
  },
];

/** A generated TypeScript file of the named types, formatted as Prettier formats the repository. */
async function typesFile(types: readonly NamedType[]): Promise<string> {
  const header = [
    "/**",
    " * Plain TypeScript types of the settings, generated from their schemas by `npm run generate` (tools/generate.ts):",
    " * do not edit. `...Input` is what a caller writes (a field with a default may be omitted), `...Spec` what",
    " * validation returns (every default applied). `test/unit/schema/types.check.ts` proves each equal to the",
    " * schema's own type; the published declarations use these, so they need no zod.",
    " */",
  ].join("\n");
  const config = await prettier.resolveConfig(path.join(ROOT, "package.json"));
  return prettier.format(`${header}\n${namedTypes(types)}\n`, { ...config, parser: "typescript" });
}

const ROOT = path.join(__dirname, "..");
const BEGIN = "<!-- config-reference:begin (generated by `npm run generate`) -->";
const END = "<!-- config-reference:end -->";

/** A short rendering of a schema's type and allowed values. */
function typeOf(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((v) => `\`${JSON.stringify(v)}\``).join(" \\| ");
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.type === "integer" && schema.minimum !== undefined) return `integer ${schema.minimum}–${schema.maximum}`;
  if (schema.type === "array") return `list of ${schema.items ? typeOf(schema.items) : "values"}`;
  if (schema.type === "object" && schema.additionalProperties && typeof schema.additionalProperties === "object") return "map of strings";
  if (schema.oneOf) return "one of the variants below";
  return String(schema.type ?? "value");
}

/** One table row per leaf setting, recursing into objects and the variants of unions. */
function rows(schema: JsonSchema, key: string, required: boolean, context: string): string[] {
  const description = (schema.description ?? "").replace(/\n/g, " ");
  const omitted = schema["x-omitted"];
  const fallback =
    schema.default !== undefined
      ? `\`${JSON.stringify(schema.default)}\``
      : required
        ? "required"
        : omitted !== undefined
          ? `optional: ${omitted}`
          : "optional";
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) {
    const own = description ? [`| \`${key}\` | ${typeOf(schema)} | ${fallback} | ${description}${context} |`] : [];
    return [
      ...own,
      ...variants.flatMap((variant) => {
        const tag = Object.entries(variant.properties ?? {}).find(([, p]) => p.const !== undefined);
        const when = tag ? ` (with \`${tag[0]}: ${String(tag[1].const)}\`)` : "";
        return rows({ ...variant, description: undefined }, key, required, when || context);
      }),
    ];
  }
  if (schema.type === "object" && schema.properties) {
    return Object.entries(schema.properties).flatMap(([name, child]) =>
      rows(child, `${key}${key.endsWith(":") ? "" : "."}${name}`, (schema.required ?? []).includes(name), context),
    );
  }
  return [`| \`${key}\` | ${typeOf(schema)} | ${fallback} | ${description}${context} |`];
}

function configReference(schema: JsonSchema): string {
  return [
    BEGIN,
    "| key | type | default | description |",
    "| --- | --- | --- | --- |",
    ...rows(schema, "tenantstack:", true, ""),
    END,
  ].join("\n");
}

async function main(check: boolean): Promise<void> {
  const schema = z.toJSONSchema(StackSchema, { io: "input" }) as JsonSchema & Record<string, unknown>;
  const published =
    JSON.stringify({ $id: "https://tenantstack.dev/schema/stack.json", title: "tenantstack stack", ...schema }, null, 2) + "\n";
  const readmePath = path.join(ROOT, "README.md");
  const readme = readFileSync(readmePath, "utf8");
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < 0) throw new Error(`README.md lacks the config reference markers ${BEGIN} ... ${END}`);
  const updated = readme.slice(0, start) + configReference(schema) + readme.slice(end + END.length);

  const outputs: [string, string][] = [
    [path.join(ROOT, "tenantstack.schema.json"), published],
    [readmePath, updated],
    [path.join(ROOT, "schema/types.ts"), await typesFile(SCHEMA_TYPES)],
    [path.join(ROOT, "automation/types.ts"), await typesFile(AUTOMATION_TYPES)],
  ];
  const stale = outputs.filter(([file, text]) => {
    try {
      return readFileSync(file, "utf8") !== text;
    } catch {
      return true;
    }
  });
  if (check) {
    if (stale.length > 0) {
      console.error(`Out of date with the schema: ${stale.map(([f]) => path.relative(ROOT, f)).join(", ")}. Run \`npm run generate\`.`);
      process.exit(1);
    }
    return;
  }
  for (const [file, text] of stale) writeFileSync(file, text);
}

main(process.argv.includes("--check")).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
