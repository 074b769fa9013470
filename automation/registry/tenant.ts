/**
 * A registered tenant and the stacks the fleet is made of: dedicated tenants get a stack each, the
 * shared tenants of an environment share one. Checked by the program's own schema.
 */
import { z } from "zod";
import { ENVIRONMENTS, parseStack, stackName, type StackInput, type StackSpec, ValidationError } from "../../schema";
import { tenantName } from "../../schema/tenant";
import { problemsOf } from "../../schema/errors";
import { dnsLabel, hostName, oneOf, settings } from "../../schema/fields";
import { CLUSTER_NAME_MAX, DEFAULT_CLUSTER } from "../clusters";
import { InputError } from "../errors";
import type { TenantFields } from "../types";
export type { TenantFields, TenantInput } from "../types";
import type { Placement } from "./migrations";

const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const VERSION_MESSAGE = 'must be an image tag such as "2.4.1": letters, digits, "_", "." and "-", at most 128 characters';

/**
 * An app version: the image tag of the API and worker.
 * @internal
 */
export const VersionSchema = z.string({ error: VERSION_MESSAGE }).regex(IMAGE_TAG, { error: VERSION_MESSAGE });

/** Checks a version given on its own (a fleet upgrade's target). */
export function parseVersion(version: unknown): string {
  const result = VersionSchema.safeParse(version, { reportInput: true });
  if (!result.success) throw new InputError("version", problemsOf(result.error.issues, "version"));
  return result.data;
}

/** Plans a tenant can be on. */
export const PLANS = ["shared", "dedicated"] as const;

/**
 * What a tenant is registered with.
 * @internal
 */
export const TenantInputSchema = settings({
  name: tenantName().describe("Tenant name, a DNS-1123 label of at most 40 characters, other than `shared`."),
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
});

/** A registered tenant. */
export interface Tenant extends TenantFields {
  /** When it was registered (ISO 8601). */
  readonly createdAt: string;
}

/** One stack of the fleet and the tenants it serves. */
export interface FleetStack {
  /** The Pulumi stack name. */
  readonly name: string;
  /** Its plan. */
  readonly plan: (typeof PLANS)[number];
  /** The cluster it runs on. */
  readonly cluster: string;
  /** The tenants it serves, in registration order. */
  readonly tenants: readonly string[];
  /** The app version it runs. */
  readonly version: string;
  /** Its settings as config (`environment`, `tenancy` and images included). */
  readonly settings: StackInput;
}

/** Checks a tenant's own fields, throwing an InputError naming each bad one. */
export function parseTenantInput(input: unknown): TenantFields {
  const result = TenantInputSchema.safeParse(input, { reportInput: true });
  if (!result.success) throw new InputError("tenant", problemsOf(result.error.issues, ""));
  const reserved = ["environment", "tenancy"].filter((key) => key in result.data.settings);
  if (reserved.length > 0) {
    throw new InputError(
      "tenant",
      reserved.map(
        (key) => `\`settings.${key}\` is set by the registry from the tenant's \`${key === "tenancy" ? "plan" : key}\`; remove it`,
      ),
    );
  }
  return result.data;
}

/** An image reference with its tag replaced by `version` (digests are replaced too). */
export function withVersion(image: unknown, version: string): unknown {
  if (typeof image !== "string") return image;
  const repository = image.replace(/@sha256:[a-f0-9]{64}$/, "").replace(/:[^/:]+$/, "");
  return `${repository}:${version}`;
}

/** A tenant's copy in a stack: `routed` false for a migration's copy that does not serve it. */
interface Member {
  readonly tenant: Tenant;
  readonly routed: boolean;
}

/** The settings of a stack of `members` (one dedicated tenant, or the shared tenants of an environment). */
function stackSettings(members: readonly Member[]): StackInput {
  const first = members[0].tenant;
  const settings = first.settings as Record<string, Record<string, unknown> | undefined>;
  const entry = ({ tenant, routed }: Member) => ({ name: tenant.name, host: tenant.host, ...(routed ? {} : { routed: false }) });
  const tenancy =
    first.plan === "dedicated" ? { mode: "dedicated", tenant: entry(members[0]) } : { mode: "shared", tenants: members.map(entry) };
  return {
    ...settings,
    environment: first.environment,
    tenancy,
    api: { ...settings.api, image: withVersion(settings.api?.image, first.version) },
    worker: { ...settings.worker, image: withVersion(settings.worker?.image, first.version) },
  } as StackInput;
}

/**
 * The stack of a tenant on its plan and cluster: `<environment>-<tenant>` (dedicated) or
 * `<environment>-shared` (the shared stack of an environment on a cluster), followed by `.<cluster>`
 * on any cluster but `local`.
 */
export function stackOf(tenant: Pick<Tenant, "plan" | "environment" | "name" | "cluster">): string {
  const name = tenant.plan === "dedicated" ? stackName(tenant.environment, tenant.name) : stackName(tenant.environment);
  return tenant.cluster === DEFAULT_CLUSTER ? name : `${name}.${tenant.cluster}`;
}

/**
 * The stacks of a fleet, in the order their first tenant was registered: a stack per dedicated
 * tenant, a shared stack per environment and cluster. A migrating tenant (see
 * `placements`) is also in the stack of its spare copy, not routed there.
 */
export function fleetStacks(tenants: readonly Tenant[], placements: readonly Placement[] = []): FleetStack[] {
  const groups = new Map<string, Member[]>();
  const add = (member: Member) => groups.set(stackOf(member.tenant), [...(groups.get(stackOf(member.tenant)) ?? []), member]);
  for (const tenant of tenants) {
    const placement = placements.find((p) => p.tenant === tenant.name);
    add({ tenant, routed: placement?.homeRouted ?? true });
    if (placement) add({ tenant: { ...tenant, ...placement.spare }, routed: false });
  }
  return [...groups].map(([name, members]) => ({
    name,
    plan: members[0].tenant.plan,
    cluster: members[0].tenant.cluster,
    tenants: members.map((m) => m.tenant.name),
    version: members[0].tenant.version,
    settings: stackSettings(members),
  }));
}

/** Validates a stack's settings with the program's schema, before any stack is touched. */
export function checkStack(stack: FleetStack): StackSpec {
  try {
    return parseStack(stack.settings);
  } catch (error) {
    if (error instanceof ValidationError) throw new InputError(`settings of stack "${stack.name}"`, error.problems);
    throw error;
  }
}

/** A stack at another app version: the images of its API and worker get `version` as their tag. */
export function atVersion(stack: FleetStack, version: string): FleetStack {
  const { api, worker } = stack.settings;
  const settings = {
    ...stack.settings,
    api: { ...api, image: withVersion(api.image, version) },
    worker: { ...worker, image: withVersion(worker.image, version) },
  };
  return { ...stack, version, settings: settings as StackInput };
}
