/** The OpenAPI document of the HTTP API, its request bodies generated from the schemas that validate them. */
import { z } from "zod";
import { TenantInputSchema } from "../../schema/tenantInput";
import { OperationRequestSchema } from "../../schema/operations";

const error = {
  description:
    "An error: `{ error: { name, code, message, retryable, args, problems? } }`, the error's wire form (`fromWire` revives it); " +
    "each code's status is in the automation README's table of errors.",
};
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });

/** The OpenAPI 3.1 document. */
export function openApiDocument(): object {
  return {
    openapi: "3.1.0",
    info: { title: "tenantstack driver API", version: "1" },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: { TenantInput: jsonSchema(TenantInputSchema), OperationRequest: jsonSchema(OperationRequestSchema) },
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
        delete: { summary: "Delete a tenant from the registry", responses: { 204: { description: "Deleted." }, 404: error } },
      },
      "/operations": {
        post: {
          summary: "Start an operation; input is validated before any stack is touched",
          requestBody: json({ $ref: "#/components/schemas/OperationRequest" }),
          responses: { 202: { description: "Started: `{ id, status, href }`; follow `Location`." }, 400: error, 404: error, 409: error },
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
