/** The OpenAPI document of the HTTP API, its request bodies generated from the schemas that validate them. */
import { z } from "zod";
import { TenantInputSchema, TenantPatchSchema } from "../../schema/tenantInput";
import { OperationRequestSchema } from "../../schema/operations";

const error = { description: "An error: `{ error: { code, message, problems? } }`." };
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
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
          responses: { 200: { description: "The operation." }, 404: error },
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
