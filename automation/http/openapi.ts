/** The OpenAPI document of the HTTP API, its request bodies generated from the schemas that validate them. */
import { z } from "zod";
import { TenantInputSchema, TenantPatchSchema } from "../../schema/tenantInput";
import { OperationRequestSchema } from "../../schema/operations";

const error = { description: "An error: `{ error: { code, message, problems? } }`." };
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
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
const started = { description: "Started: `{ id, status, href }`; follow `Location` (`GET /operations/{id}`)." };

/** The OpenAPI 3.1 document. */
export function openApiDocument(): object {
  return {
    openapi: "3.1.0",
    info: { title: "tenantstack driver API", version: "1" },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        TenantInput: jsonSchema(TenantInputSchema),
        TenantPatch: jsonSchema(TenantPatchSchema),
        OperationRequest: jsonSchema(OperationRequestSchema),
        ...changeSchemas,
      },
    },
    security: [{ bearer: [] }],
    paths: {
      "/tenants": {
        get: { summary: "List tenants", responses: { 200: { description: "The tenants." }, 401: error } },
        post: {
          summary: "Register a tenant (validated by the stack schema)",
          requestBody: json({ $ref: "#/components/schemas/TenantInput" }),
          responses: { 201: { description: "The tenant." }, 400: error, 409: error },
        },
      },
      "/tenants/{name}": {
        parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
        get: { summary: "Show a tenant", responses: { 200: { description: "The tenant." }, 404: error } },
        patch: {
          summary: "Update a tenant by a JSON merge patch of its fields, checked as at registration; its stack follows at its next up",
          parameters: [
            flagQuery("dryRun", "Store nothing: preview the tenant's stack with the change, as an operation (202)."),
            operationIdQuery,
          ],
          requestBody: {
            content: {
              "application/merge-patch+json": { schema: { $ref: "#/components/schemas/TenantPatch" } },
              "application/json": { schema: { $ref: "#/components/schemas/TenantPatch" } },
            },
          },
          responses: {
            200: { description: "Updated: `{ operationId, kind, status, tenant, changed, stack, ... }`." },
            202: started,
            400: error,
            404: error,
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
          responses: { 202: started, 204: { description: "Deleted (its stack was not live)." }, 400: error, 404: error, 409: error },
        },
      },
      "/operations": {
        post: {
          summary: "Start an operation; input is validated before any stack is touched",
          requestBody: json({ $ref: "#/components/schemas/OperationRequest" }),
          responses: { 202: started, 400: error, 404: error, 409: error },
        },
      },
      "/operations/{id}": {
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        get: {
          summary: "An operation's status, steps, recent progress events and result",
          responses: {
            200: {
              description: "The operation; a preview's, up's or destroy's result lists each stack's changes.",
              ...json({
                type: "object",
                properties: {
                  result: {
                    type: "object",
                    properties: {
                      stacks: {
                        type: "array",
                        items: {
                          type: "object",
                          properties: { result: { type: "object", properties: { changes: ref("ChangeSummary") } } },
                        },
                      },
                    },
                  },
                },
              }),
            },
            404: error,
          },
        },
      },
      "/operations/{id}/cancel": {
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        post: {
          summary: "Cancel a running operation (running stacks stop cleanly)",
          responses: { 202: { description: "Cancelling." }, 409: error },
        },
      },
      "/openapi.json": { get: { summary: "This document", security: [], responses: { 200: { description: "OpenAPI 3.1." } } } },
    },
  };
}
