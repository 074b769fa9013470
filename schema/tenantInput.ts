/**
 * The driver's input model of a tenant: what a tenant is registered with (the CLI's `tenant create`
 * and `provision`, `POST /tenants`, the library's `registry.create`), checked by this one schema on
 * every surface; and what an update of a tenant may change (`tenant update`, `PATCH /tenants/{name}`,
 * `driver.updateTenant`): a JSON merge patch of those fields, whose result is checked by the same schema.
 * Package-private: the driver imports its zod schemas, but no entry point exports it and its declarations,
 * which name zod's types, are not published (`package.json`'s `files`); the plain types the schemas parse to
 * are published in `automation/types.ts` (generated), their values in `driverValues.ts`.
 */
import { z } from "zod";
import { CLUSTER_NAME_MAX, DEFAULT_CLUSTER, PLANS } from "./driverValues";
import { dnsLabel, hostName, oneOf, settings, tenantName } from "./fields";
import { ENVIRONMENTS } from "./naming";

const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const VERSION_MESSAGE = 'must be an image tag such as "2.4.1": letters, digits, "_", "." and "-", at most 128 characters';

/**
 * An app version: the image tag of the API and worker.
 */
export const VersionSchema = z.string({ error: VERSION_MESSAGE }).regex(IMAGE_TAG, { error: VERSION_MESSAGE });

/**
 * The name of a registered tenant, as operations name it.
 */
export const TenantNameSchema = tenantName();

/**
 * What a tenant is registered with.
 */
export const TenantInputSchema = settings({
  name: TenantNameSchema.describe("Tenant name, a DNS-1123 label of at most 40 characters, other than `shared`."),
  host: hostName().describe("Public host name of the tenant."),
  plan: oneOf(PLANS).describe("`dedicated`: a stack of its own; `shared`: a database and host in the environment's shared stack."),
  environment: oneOf(ENVIRONMENTS).default("dev").describe("Environment of the tenant's stack."),
  version: VersionSchema.describe("App version: the image tag of the API and worker."),
  region: dnsLabel().default("local").describe("Region of the cluster."),
  cluster: dnsLabel(CLUSTER_NAME_MAX)
    .default(DEFAULT_CLUSTER)
    .describe("Cluster the stack runs on, one of the driver's clusters; a stack on any cluster but `local` has its name in the stack's."),
  settings: z
    .record(z.string(), z.unknown(), { error: "must be a map of stack settings" })
    .default({})
    .describe("Stack settings (`tenantstack:*` keys without `environment` and `tenancy`); the images' tags become `version`."),
}).superRefine((tenant, ctx) => {
  // The registry sets these from the tenant's own fields.
  for (const [key, from] of [
    ["environment", "environment"],
    ["tenancy", "plan"],
  ] as const) {
    if (Object.hasOwn(tenant.settings, key))
      ctx.addIssue({
        code: "custom",
        path: ["settings", key],
        input: tenant.settings[key],
        message: `is set by the registry from the tenant's \`${from}\`; remove it`,
      });
  }
});

/** A field a tenant's update may not change: refused with why, whatever its value. */
function fixed(why: string) {
  return z.never({ error: `cannot be changed by an update: ${why}` }).optional();
}

const tenantField = TenantInputSchema.shape;

/**
 * What an update of a tenant may change: a JSON merge patch (RFC 7396) of its fields. Each value is
 * checked by the field's own schema of {@link TenantInputSchema}; the tenant it makes is then checked
 * by that schema as a whole, as at registration. `null` resets a field with a default, and removes a
 * key of `settings`.
 */
export const TenantPatchSchema = settings({
  name: fixed("it is the tenant's identity; register a new tenant instead"),
  host: tenantField.host.optional().describe("New public host name of the tenant."),
  plan: fixed("move the tenant to the other plan with `migrate` (`to`)"),
  environment: fixed("it names the tenant's stack; register a tenant in the other environment instead"),
  version: tenantField.version.optional().describe("New app version: the image tag of the API and worker."),
  region: tenantField.region.unwrap().nullable().optional().describe("New region of the cluster; `null` resets it to `local`."),
  cluster: fixed("move the tenant to another cluster with `migrate` (`cluster`)"),
  settings: z
    .record(z.string(), z.unknown(), { error: "must be a JSON merge patch of the stack settings: a map" })
    .nullable()
    .optional()
    .describe("Merged into the tenant's stack settings (JSON merge patch: a map is merged key by key, `null` removes a key)."),
});
