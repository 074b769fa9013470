import { z } from "zod";
import { flag, hostName, omitted, oneOf, settings, tenantName } from "./fields";
import type { Tenancy, Tenant } from "./types";

/**
 * One tenant of the application.
 * @internal
 */
export const TenantSchema = settings({
  name: tenantName().describe(
    "Tenant name, a DNS-1123 label of at most 40 characters, other than `shared` (the name of the environment's shared stack). Names the tenant's database, role, Redis user and stack.",
  ),
  host: hostName().describe("Public host name the tenant is served on, such as `acme.example.com`."),
  routed: flag()
    .default(true)
    .describe(
      "Whether this stack's Ingress routes the tenant's host. `false` while a migration keeps a copy of the tenant here that does not serve it (the target before the switch, the source after it).",
    ),
  served: flag()
    .optional()
    .meta(omitted("as `routed`"))
    .describe(
      "Whether this stack's pods serve the tenant (`TENANTS`). `true` with `routed: false` for a migration's source copy after the switch: fenced read-only, it answers the requests an ingress controller still sends it until the host leaves this stack's Ingress.",
    ),
}).describe("A tenant of the application.");

/**
 * How tenants share an instance.
 * @internal
 */
export const TenancySchema = z
  .discriminatedUnion(
    "mode",
    [
      settings({
        mode: z.literal("shared").describe("One AppStack serves many tenants."),
        tenants: z
          .array(TenantSchema, { error: "must be a list of tenants" })
          .min(1, { error: "must list at least one tenant" })
          .max(500, { error: "must list at most 500 tenants" })
          .describe("The tenants served by this instance; each gets its own database, role, Redis user and host."),
        redisIsolation: oneOf(["acl", "prefix"])
          .default("acl")
          .describe(
            "`acl`: one Redis ACL user per tenant restricted to its key prefix; `prefix`: tenants share the default user and keep to their key prefix by contract.",
          ),
      }),
      settings({
        mode: z.literal("dedicated").describe("This stack serves a single tenant in its own namespace."),
        tenant: TenantSchema,
      }),
    ],
    { error: 'must be one of "shared", "dedicated"' },
  )
  .describe("Tenancy of the stack: `shared` (many tenants, one instance) or `dedicated` (one tenant).");

/** The tenants a stack serves, whatever its mode. */
export function tenantsOf(tenancy: Tenancy): readonly Tenant[] {
  return tenancy.mode === "shared" ? tenancy.tenants : [tenancy.tenant];
}
