/**
 * Plain TypeScript types of zod schemas, through their JSON Schema: one interface (or union type) per named
 * schema, as written (`io: "input"`, defaults optional) or as validated (`io: "output"`), with each field's
 * description, default and range as TSDoc. The published declarations use these instead of zod's types.
 */
import { z } from "zod";

/** What the emitter reads of a JSON Schema. */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
  minimum?: number;
  maximum?: number;
  /** A schema no value satisfies (`{ not: {} }`, zod's `never`). */
  not?: JsonSchema;
  /** The named type a schema is emitted as (set while converting; see {@link NamedType}). */
  "x-type"?: string;
  /** What an optional field without a default means when it is left out (see `omittable` in schema/fields.ts). */
  "x-omitted"?: string;
}

/** A schema given a name, as written, as validated, or both. */
export interface NamedType {
  readonly schema: z.ZodType;
  /** Name of the type of the settings as written. */
  readonly input?: string;
  /** Name of the type of the validated settings, with every default applied. */
  readonly output?: string;
  /** What the type is (its TSDoc); the schema's own description follows. */
  readonly doc?: { readonly input?: string; readonly output?: string };
  /** Top-level fields left out of both types (another type adds them). */
  readonly omit?: readonly string[];
}

type Io = "input" | "output";

/** The JSON Schema of `schema` in which every named schema is marked with its name. */
function jsonSchemaOf(schema: z.ZodType, io: Io, names: ReadonlyMap<unknown, string>): JsonSchema {
  return z.toJSONSchema(schema, {
    io,
    override: (ctx) => {
      const name = names.get(ctx.zodSchema);
      if (name !== undefined) (ctx.jsonSchema as JsonSchema)["x-type"] = name;
    },
  }) as JsonSchema;
}

/** TSDoc of `lines`, or nothing when there are none. */
function tsdoc(lines: readonly string[]): string {
  const text = lines.flatMap((line) => line.split("\n")).map((line) => line.replace(/\*\//g, "*\\/"));
  if (text.length === 0) return "";
  return `/**\n${text.map((line) => ` * ${line}`.trimEnd()).join("\n")}\n */\n`;
}

/**
 * The documentation of a field: its description, range and what happens when it is left out: (as written) its
 * default, or what an optional field without one means when omitted.
 */
function fieldDoc(schema: JsonSchema, io: Io, optional: boolean): string[] {
  const lines: string[] = [];
  const range = schema.minimum !== undefined && schema.maximum !== undefined;
  if (schema.description) lines.push(schema.description);
  if (range) lines.push(`${schema.type === "integer" ? "An integer" : "A number"} from ${schema.minimum} to ${schema.maximum}.`);
  if (io === "input" && schema.default !== undefined) {
    const fieldsAtDefault = schema.properties !== undefined && JSON.stringify(schema.default) === "{}";
    lines.push(fieldsAtDefault ? "@default - each field at its default" : `@default ${JSON.stringify(schema.default)}`);
  } else if (optional && schema["x-omitted"] !== undefined) {
    lines.push(`@default - ${schema["x-omitted"]}`);
  }
  return lines;
}

/** Emits the types of one io. */
class Emitter {
  constructor(
    private readonly io: Io,
    /** The named type being emitted, whose own root is spelled out. */
    private readonly self: string,
  ) {}

  type(schema: JsonSchema, root = false): string {
    const named = schema["x-type"];
    if (named !== undefined && !(root && named === this.self)) return named;
    const variants = schema.oneOf ?? schema.anyOf;
    if (variants) return variants.map((variant) => this.type(variant)).join(" | ");
    if (schema.const !== undefined) return JSON.stringify(schema.const);
    if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(" | ");
    if (schema.not !== undefined && Object.keys(schema.not).length === 0) return "never";
    switch (schema.type) {
      case "string":
        return "string";
      case "integer":
      case "number":
        return "number";
      case "boolean":
        return "boolean";
      case "null":
        return "null";
      case "array": {
        const item = schema.items ? this.type(schema.items) : "unknown";
        // Callers may pass readonly lists; validated lists are plain, as Kubernetes inputs take them.
        return `${this.io === "input" ? "readonly " : ""}${/[|&]/.test(item) ? `(${item})` : item}[]`;
      }
      case "object":
        return this.object(schema);
      case undefined:
        return "unknown";
      default:
        throw new Error(`no TypeScript type for JSON Schema type ${JSON.stringify(schema.type)}`);
    }
  }

  object(schema: JsonSchema, omit: readonly string[] = []): string {
    if (schema.properties) {
      const required = new Set(schema.required ?? []);
      const fields = Object.entries(schema.properties)
        .filter(([key]) => !omit.includes(key))
        .map(
          ([key, field]) =>
            `${tsdoc(fieldDoc(field, this.io, !required.has(key)))}readonly ${key}${required.has(key) ? "" : "?"}: ${this.type(field)};`,
        );
      return `{\n${fields.join("\n")}\n}`;
    }
    const values = typeof schema.additionalProperties === "object" ? this.type(schema.additionalProperties) : "unknown";
    return `Readonly<Record<string, ${values}>>`;
  }
}

/** The declarations of every named type, in order: interfaces for objects, type aliases for the rest. */
export function namedTypes(types: readonly NamedType[]): string {
  const declarations: string[] = [];
  for (const io of ["input", "output"] as const) {
    const names = new Map(types.filter((t) => t[io] !== undefined).map((t) => [t.schema as unknown, t[io]!]));
    for (const named of types) {
      const name = named[io];
      if (name === undefined) continue;
      const schema = jsonSchemaOf(named.schema, io, names);
      const emitter = new Emitter(io, name);
      const doc = tsdoc([named.doc?.[io], schema.description].filter((line): line is string => line !== undefined));
      const isObject = schema.type === "object" && schema.properties !== undefined && !schema.oneOf && !schema.anyOf;
      declarations.push(
        isObject
          ? `${doc}export interface ${name} ${emitter.object(schema, named.omit)}`
          : `${doc}export type ${name} = ${emitter.type(schema, true)};`,
      );
    }
  }
  return declarations.join("\n\n");
}
