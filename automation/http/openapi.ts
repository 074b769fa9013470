/**
 * The OpenAPI document of the HTTP API: its request bodies and query generated from the schemas that
 * validate them, and its responses from the schemas below, which the server's bodies follow (the
 * unit tests parse every body the server sends with them).
 */
import { z } from "zod";
import { TenantInputSchema, TenantPatchSchema } from "../../schema/tenantInput";
import { OPERATION_STATUSES } from "../../schema/driverValues";
import { OperationListQuerySchema, OperationRequestSchema, ResumeOptionsSchema } from "../../schema/operations";

/** An error's wire form (`fromWire` revives the same class from it). */
const WireErrorSchema = z.strictObject({
  name: z.string().describe("Its class (`StackLockedError`)."),
  code: z
    .string()
    .describe("A stable code: `invalid_input`, `not_found`, `conflict`, `stack_locked`, ... (the automation README's table of errors)."),
  message: z.string().describe("What went wrong and what to do next, naming the request's fields."),
  retryable: z.boolean().describe("Whether the same request, unchanged, may succeed later."),
  args: z.array(z.unknown()).describe("Its class's constructor arguments, redacted."),
});

/**
 * Every error's body: the error's wire form, with `problems` for invalid input; each code's status is in the
 * automation README's table of errors.
 * @internal
 */
export const ErrorBodySchema = z.strictObject({
  error: WireErrorSchema.extend({
    problems: z.array(z.string()).optional().describe("With `invalid_input`: one line per problem, naming the field."),
  }),
});

/** The body of `202 Accepted`: the operation started (or resumed); follow `href` (also the `Location` header). */
export interface Accepted {
  /** The operation id. */
  readonly id: string;
  readonly status: "running";
  /** `/operations/{id}`: its status, steps, progress and result. */
  readonly href: string;
}

/**
 * The schema of {@link Accepted}.
 * @internal
 */
export const AcceptedSchema = z.strictObject({
  id: z.string().describe("The operation id."),
  status: z.literal("running"),
  href: z.string().describe("`/operations/{id}`: its status, steps, progress and result."),
}) satisfies z.ZodType<Accepted>;

/**
 * The body of a cancel's `202`.
 * @internal
 */
export const CancellingSchema = z.strictObject({ id: z.string(), status: z.literal("cancelling") });

/** The images a stack runs: the settings' `api.image` and `worker.image`, their tags replaced by the version. */
const ImagesSchema = z.strictObject({ api: z.string().optional(), worker: z.string().optional() });

/**
 * A registered tenant: its fields, every default applied, when it was registered, and the images its
 * version maps to.
 * @internal
 */
export const TenantSchema = z.strictObject({
  ...TenantInputSchema.shape,
  createdAt: z.string().describe("When it was registered (ISO 8601)."),
  images: ImagesSchema.describe("The images its stack runs: the tags of its settings' images replaced by its `version`."),
});

const when = z.string().describe("ISO 8601.");
const operationFields = {
  id: z.string(),
  kind: z
    .string()
    .describe(
      "`provision`, `preview`, `up`, `refresh`, `outputs`, `destroy`, `recover`, `fleet-upgrade`, `migrate`, `migrate-plan`, `gc`, `delete-tenant`, `update-tenant`.",
    ),
  status: z.enum(OPERATION_STATUSES),
  createdAt: when,
  updatedAt: when,
};

/**
 * An operation as `GET /operations` lists it.
 * @internal
 */
export const OperationSummarySchema = z.strictObject({ ...operationFields, href: z.string() });

/**
 * An operation as `GET /operations/{id}` shows it.
 * @internal
 */
export const OperationSchema = z.strictObject({
  ...operationFields,
  params: z.record(z.string(), z.unknown()).describe("Its parameters, as journaled at its first run."),
  result: z.unknown().optional().describe("Its result once finished: per stack (or per wave, per migration step) what happened."),
  steps: z.array(
    z.strictObject({
      step: z.string(),
      status: z.enum(["running", "done", "failed", "skipped"]),
      detail: z.unknown().optional().describe("What it produced, or its error's wire form `{ name, code, message, retryable, args }`."),
      attempts: z.number().int(),
      updatedAt: when,
    }),
  ),
  events: z
    .array(z.record(z.string(), z.unknown()))
    .describe("Its latest progress events (at most 200; not each resource's), as the replica running it recorded them in the journal."),
});

/** One stack's outcome in an operation's result: its `result` (a preview's `changes`: `ChangeSummary`) or its `error`. */
const StackOutcomeSchema = z.strictObject({
  stack: z.string(),
  status: z.enum(["succeeded", "skipped", "failed", "cancelled", "untouched"]),
  version: z.string().optional().describe("The app version a preview or up set the stack to."),
  images: ImagesSchema.optional().describe("The images that version maps to."),
  result: z.record(z.string(), z.unknown()).optional().describe("What the engine reported: `changes`, `drift`, `outputs`."),
  error: WireErrorSchema.optional().describe("Its error's wire form."),
});

/**
 * The body of `PATCH /tenants/{name}`'s `200`: the update stored, and the stack that follows at its
 * next up (`tenants/updateTenant.ts`'s `TenantUpdate`).
 * @internal
 */
export const TenantUpdateSchema = z.strictObject({
  operationId: z.string(),
  kind: z.literal("update-tenant"),
  status: z.enum(["succeeded", "failed", "cancelled"]),
  resumed: z.boolean().describe("Whether this run resumed an earlier one."),
  dryRun: z.boolean(),
  tenant: TenantSchema.describe("The tenant as updated."),
  changed: z.array(z.string()).describe("The paths of its fields that change (`host`, `settings.api.replicas`)."),
  stack: z.string().describe("The stack the change reaches at its next up."),
  stacks: z.array(StackOutcomeSchema).describe("A dry run's preview of that stack (empty otherwise)."),
});

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A stack's changes (`operations/changes.ts`): paths of changed properties only, never their values. */
const changeSchemas = {
  PropertyChange: {
    type: "object",
    description: "One changed property of a resource: where it is, never what it holds.",
    required: ["path", "kind", "replaces", "secret"],
    properties: {
      path: { type: "string", description: "Its path (`spec.replicas`); for a secret, the secret's own path (a Secret's `data`)." },
      kind: { enum: ["add", "update", "delete"] },
      replaces: { type: "boolean", description: "Whether this change makes the engine replace the resource." },
      secret: { type: "boolean", description: "Whether it is a secret: nothing beneath its path is shown." },
    },
  },
  ResourceChange: {
    type: "object",
    required: ["urn", "type", "name", "kind", "diffs", "properties", "stateful"],
    properties: {
      urn: { type: "string" },
      type: { type: "string" },
      name: { type: "string" },
      kind: { enum: ["create", "update", "replace", "delete"] },
      diffs: {
        type: "array",
        items: { type: "string" },
        description: "The changed properties' paths, sorted; none for creates and deletes.",
      },
      properties: { type: "array", items: ref("PropertyChange") },
      stateful: { type: "boolean", description: "Whether it holds data (a StatefulSet, its VolumeGuard, a volume claim)." },
    },
  },
  ChangeSummary: {
    type: "object",
    description: "The changes of one stack (the `result.changes` of a preview, up or destroy).",
    required: ["creates", "updates", "replaces", "deletes", "same", "resources", "statefulReplacements"],
    properties: {
      ...Object.fromEntries(["creates", "updates", "replaces", "deletes", "same"].map((count) => [count, { type: "integer" }])),
      resources: { type: "array", items: ref("ResourceChange") },
      statefulReplacements: { type: "array", items: ref("ResourceChange") },
    },
  },
};
const flagQuery = (name: string, description: string) => ({ name, in: "query", required: false, schema: { type: "boolean" }, description });
const operationIdQuery = {
  name: "operationId",
  in: "query",
  required: false,
  schema: { type: "string", pattern: "^[A-Za-z0-9._-]{1,100}$" },
  description: "The operation's id: a re-run of an id resumes it.",
};
const jsonSchema = (schema: z.ZodType, io: "input" | "output") => z.toJSONSchema(schema, { io, unrepresentable: "any" });
const json = (name: string) => ({ content: { "application/json": { schema: ref(name) } } });
const respond = (description: string, ref?: string) => ({ description, ...(ref ? json(ref) : {}) });
const error = { $ref: "#/components/responses/Error" };
const pathId = (name: string) => [{ name, in: "path", required: true, schema: { type: "string" } }];

/** The query parameters of a listing, one per field of its schema. */
function queryParameters(schema: z.ZodType): object[] {
  const properties = (jsonSchema(schema, "input") as { properties?: Record<string, object & { description?: string }> }).properties ?? {};
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: "query",
    required: false,
    ...(property.description ? { description: property.description } : {}),
    schema: property,
  }));
}

/** A 202 of an operation started by a tenant's route. */
const started = respond("Started; follow `href` (or `Location`): `GET /operations/{id}`.", "Accepted");

/**
 * The JSON schema of an operation with its result's stacks' changes described: a preview's, up's or
 * destroy's result lists each stack's `changes` (a `ChangeSummary`).
 */
function withChanges(operation: object): object {
  const { properties } = operation as { properties: Record<string, object> };
  const changes = { type: "object", properties: { changes: ref("ChangeSummary") } };
  const stacks = { type: "array", items: { type: "object", properties: { result: changes } } };
  return {
    ...operation,
    properties: {
      ...properties,
      result: { ...properties.result, type: "object", properties: { stacks } },
    },
  };
}

/** The OpenAPI 3.1 document. */
export function openApiDocument(): object {
  return {
    openapi: "3.1.0",
    info: { title: "tenantstack driver API", version: "1" },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        TenantInput: jsonSchema(TenantInputSchema, "input"),
        TenantPatch: jsonSchema(TenantPatchSchema, "input"),
        OperationRequest: jsonSchema(OperationRequestSchema, "input"),
        ResumeOptions: jsonSchema(ResumeOptionsSchema, "input"),
        Tenant: jsonSchema(TenantSchema, "output"),
        TenantList: jsonSchema(z.strictObject({ tenants: z.array(TenantSchema) }), "output"),
        TenantUpdate: jsonSchema(TenantUpdateSchema, "output"),
        Accepted: jsonSchema(AcceptedSchema, "output"),
        Cancelling: jsonSchema(CancellingSchema, "output"),
        Operation: withChanges(jsonSchema(OperationSchema, "output")),
        OperationList: jsonSchema(z.strictObject({ operations: z.array(OperationSummarySchema) }), "output"),
        Error: jsonSchema(ErrorBodySchema, "output"),
        ...changeSchemas,
      },
      responses: {
        Error: respond(
          "An error: `{ error: { name, code, message, retryable, args, problems? } }`, the error's wire form (`fromWire` revives it); " +
            "each code's status is in the automation README's table of errors.",
          "Error",
        ),
      },
    },
    security: [{ bearer: [] }],
    paths: {
      "/tenants": {
        get: { summary: "List tenants", responses: { 200: respond("The tenants, in registration order.", "TenantList"), 401: error } },
        post: {
          summary: "Register a tenant (validated by the stack schema)",
          requestBody: json("TenantInput"),
          responses: { 201: respond("The tenant.", "Tenant"), 400: error, 401: error, 409: error, 413: error, 415: error },
        },
      },
      "/tenants/{name}": {
        parameters: pathId("name"),
        get: { summary: "Show a tenant", responses: { 200: respond("The tenant.", "Tenant"), 401: error, 404: error } },
        patch: {
          summary: "Update a tenant by a JSON merge patch of its fields, checked as at registration; its stack follows at its next up",
          parameters: [
            flagQuery("dryRun", "Store nothing: preview the tenant's stack with the change, as an operation (202)."),
            operationIdQuery,
          ],
          requestBody: {
            content: {
              "application/merge-patch+json": { schema: ref("TenantPatch") },
              "application/json": { schema: ref("TenantPatch") },
            },
          },
          responses: {
            200: respond("Updated: the tenant as stored, the fields that changed and the stack that follows.", "TenantUpdate"),
            202: started,
            400: error,
            401: error,
            404: error,
            409: error,
            413: error,
            415: error,
          },
        },
        delete: {
          summary: "Delete a tenant; refused (409, `stack_live`) while its stack is live unless `destroy`",
          parameters: [
            flagQuery(
              "destroy",
              "Destroy its dedicated stack (or update its shared stack without it) first, then delete it: one journaled operation (202).",
            ),
            flagQuery("forceDestroyData", "With `destroy`: destroy protected data (Postgres, Redis) too."),
            operationIdQuery,
          ],
          responses: { 202: started, 204: respond("Deleted (its stack was not live)."), 400: error, 401: error, 404: error, 409: error },
        },
      },
      "/operations": {
        get: {
          summary: "List the journal's operations, newest first",
          parameters: queryParameters(OperationListQuerySchema),
          responses: { 200: respond("The operations.", "OperationList"), 400: error, 401: error },
        },
        post: {
          summary: "Start an operation; input is validated before any stack is touched",
          requestBody: json("OperationRequest"),
          responses: {
            202: respond("Started; follow `href` (or `Location`).", "Accepted"),
            400: error,
            401: error,
            404: error,
            409: error,
            413: error,
            415: error,
          },
        },
      },
      "/operations/{id}": {
        parameters: pathId("id"),
        get: {
          summary: "An operation's status, steps, recent progress events and result",
          responses: { 200: respond("The operation.", "Operation"), 401: error, 404: error },
        },
      },
      "/operations/{id}/cancel": {
        parameters: pathId("id"),
        post: {
          summary: "Cancel a running operation, on whichever replica sharing the journal runs it (running stacks stop cleanly)",
          responses: { 202: respond("Cancelling.", "Cancelling"), 401: error, 404: error, 409: error },
        },
      },
      "/operations/{id}/resume": {
        parameters: pathId("id"),
        post: {
          summary: "Resume a failed, cancelled or interrupted operation with its journaled parameters (finished steps are skipped)",
          requestBody: { required: false, ...json("ResumeOptions") },
          responses: {
            202: respond("Resumed; follow `href` (or `Location`).", "Accepted"),
            400: error,
            401: error,
            404: error,
            409: error,
          },
        },
      },
      "/openapi.json": {
        get: {
          summary: "This document",
          security: [],
          responses: { 200: { description: "OpenAPI 3.1.", content: { "application/json": {} } } },
        },
      },
    },
  };
}
