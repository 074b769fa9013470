/**
 * A registered tenant and the stacks the fleet is made of: dedicated tenants get a stack each, the
 * shared tenants of an environment share one. Checked by the program's own schema.
 */
import { defaultNamespace, parseStack, stackName, type StackInput, type StackSpec, ValidationError } from "../../schema";
import { type PropertyProblem, problemText, propertyPath } from "../../schema/errors";
import { PLANS } from "../../schema/driverValues";
import { TenantInputSchema, VersionSchema } from "../../schema/tenantInput";
import { DEFAULT_CLUSTER } from "../clusters";
import { InputError } from "../errors";
import { parseInput } from "../input";
import type { TenantFields } from "../types";
export type { TenantFields, TenantInput } from "../types";
import type { Placement } from "./migrationRecords";
import { changedPaths } from "./tenantPatch";

export { PLANS };

/** Checks a version given on its own (a fleet upgrade's target). */
export function parseVersion(version: unknown): string {
  return parseInput(VersionSchema, version, "version", { root: "version" });
}

/** A registered tenant. */
export interface Tenant extends TenantFields {
  /** When it was registered (ISO 8601). */
  readonly createdAt: string;
}

/** The images a stack runs: its settings' `api.image` and `worker.image`, their tags replaced by its version. */
export interface StackImages {
  /**
   * The API's image.
   * @default - none: the settings name no image (the stack's schema refuses them)
   */
  readonly api?: string;
  /**
   * The worker's image.
   * @default - none: the settings name no image (the stack's schema refuses them)
   */
  readonly worker?: string;
}

/**
 * A tenant as the registry lists it, with the images its stack runs: the tag of each image in its
 * settings is replaced by its `version`, so `settings` may name another tag than the one that runs.
 */
export interface RegisteredTenant extends Tenant {
  /** The images the tenant's stack runs at its `version`. */
  readonly images: StackImages;
}

/** The images stack settings name (their tags already the stack's version). */
export function imagesOf(settings: StackInput | Readonly<Record<string, unknown>>): StackImages {
  const image = (part: "api" | "worker") => (settings as Record<string, { image?: unknown } | undefined>)[part]?.image;
  const [api, worker] = [image("api"), image("worker")];
  return { ...(typeof api === "string" ? { api } : {}), ...(typeof worker === "string" ? { worker } : {}) };
}

/** A registered tenant with the images its stack runs at its version. */
export function withImages(tenant: Tenant): RegisteredTenant {
  const settings = tenant.settings as Record<string, { image?: unknown } | undefined>;
  const at = (part: "api" | "worker") => ({ [part]: { image: withVersion(settings[part]?.image, tenant.version) } });
  return { ...tenant, images: imagesOf({ ...at("api"), ...at("worker") }) };
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

/** The namespace of a stack: its settings' `namespace`, else the default of its environment (and tenant, when dedicated). */
export function namespaceOf(stack: FleetStack): string {
  const settings = stack.settings as { namespace?: string; environment: Tenant["environment"] };
  return settings.namespace ?? defaultNamespace(settings.environment, stack.plan === "dedicated" ? stack.tenants[0] : undefined);
}

/** Checks a tenant's own fields, throwing an InputError naming each bad one. */
export function parseTenantInput(input: unknown): TenantFields {
  return parseInput(TenantInputSchema, input, "tenant");
}

/** Differences named at most, then counted. */
const DIFFERENCES_SHOWN = 10;

/**
 * How tenant `given` (as it would be registered) differs from the registered `existing`, one line per
 * field: the tenant's own fields with both values, the settings by path only (maps key by key, arrays
 * whole; their values stay out of messages). A shared tenant given no settings takes its stack's, so its settings never differ.
 */
export function tenantDifferences(existing: TenantFields, given: TenantFields): string[] {
  const fields = (["host", "plan", "environment", "version", "region", "cluster"] as const)
    .filter((key) => existing[key] !== given[key])
    .map((key) => `\`${key}\` is "${existing[key]}" (given "${given[key]}")`);
  const inherits = given.plan === "shared" && Object.keys(given.settings).length === 0;
  const paths = inherits ? [] : changedPaths(existing.settings, given.settings, "settings");
  const settings = paths.slice(0, DIFFERENCES_SHOWN).map((path) => `\`${path}\` differs`);
  if (paths.length > DIFFERENCES_SHOWN) settings.push(`... and ${paths.length - DIFFERENCES_SHOWN} more settings differ`);
  return [...fields, ...settings];
}

/** An image reference with its tag replaced by `version` (digests are replaced too). */
export function withVersion(image: unknown, version: string): unknown {
  if (typeof image !== "string") return image;
  const repository = image.replace(/@sha256:[a-f0-9]{64}$/, "").replace(/:[^/:]+$/, "");
  return `${repository}:${version}`;
}

/**
 * A tenant's copy in a stack: `routed` false for a migration's copy the stack's Ingress does not
 * route, `served` true for such a copy its pods serve all the same (the source after the switch).
 */
interface Member {
  readonly tenant: Tenant;
  readonly routed: boolean;
  readonly served?: boolean;
}

/** The settings of a stack of `members` (one dedicated tenant, or the shared tenants of an environment). */
function stackSettings(members: readonly Member[]): StackInput {
  const first = members[0].tenant;
  const settings = first.settings as Record<string, Record<string, unknown> | undefined>;
  const entry = ({ tenant, routed, served }: Member) => ({
    name: tenant.name,
    host: tenant.host,
    ...(routed ? {} : { routed: false }),
    ...(!routed && served ? { served: true } : {}),
  });
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
 * `placements`) is also in the stack of its spare copy, not routed there but while the switch hands
 * its host over.
 */
export function fleetStacks(tenants: readonly Tenant[], placements: readonly Placement[] = []): FleetStack[] {
  const groups = new Map<string, Member[]>();
  const add = (member: Member) => groups.set(stackOf(member.tenant), [...(groups.get(stackOf(member.tenant)) ?? []), member]);
  for (const tenant of tenants) {
    const placement = placements.find((p) => p.tenant === tenant.name);
    // The copy of the tenant's registered plan is the one that serves, routed or not (mid-switch).
    add({ tenant, routed: placement?.homeRouted ?? true, served: true });
    if (placement)
      add({ tenant: { ...tenant, ...placement.spare }, routed: placement.spareRouted ?? false, served: placement.spareServed ?? false });
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

/**
 * App secrets a driver's stack declares but cannot be given: the driver sets a stack's settings as
 * plain config and sets no secret config, so only a secret store (`secrets.source: external`) can
 * supply their values.
 */
function unsuppliedAppSecrets(spec: StackSpec, root: string): PropertyProblem[] {
  if (spec.secrets.source === "external") return [];
  return spec.secrets.appSecretNames.map((name, index) => ({
    propertyPath: propertyPath(root, ["secrets", "appSecretNames", index]),
    reason:
      `("${name}") needs a value the driver cannot supply: it sets a stack's settings as plain config, never secret config. ` +
      `Read it from a secret store instead (\`secrets.source: external\` with \`remoteKeys.${name}\`), or remove it`,
  }));
}

/** The problems of a stack's settings (the program's schema, and what the driver can run), paths under `root`. */
function stackProblems(settings: StackInput, root: string): { spec?: StackSpec; problems: PropertyProblem[] } {
  try {
    const spec = parseStack(settings, { root });
    return { spec, problems: unsuppliedAppSecrets(spec, root) };
  } catch (error) {
    if (error instanceof ValidationError) return { problems: [...error.properties] };
    throw error;
  }
}

/** Validates a stack's settings with the program's schema, and what the driver can run, before any stack is touched. */
export function checkStack(stack: FleetStack): StackSpec {
  const { spec, problems } = stackProblems(stack.settings, "");
  if (problems.length > 0 || !spec) throw new InputError(`settings of stack "${stack.name}"`, problems.map(problemText));
  return spec;
}

/**
 * Checks the settings a tenant brings as the stack it would have on its own, before the registry
 * is opened (a shared tenant given no settings takes those of its stack, checked when it joins);
 * paths are the tenant's (`settings.api.image`), renamed by `rename` for the caller's surface.
 */
export function checkTenantSettings(tenant: TenantFields, rename: (path: string) => string = (p) => p): void {
  if (tenant.plan === "shared" && Object.keys(tenant.settings).length === 0) return;
  const [stack] = fleetStacks([{ ...tenant, createdAt: "" }]);
  const { problems } = stackProblems(stack.settings, "settings");
  if (problems.length > 0)
    throw new InputError(
      `settings of stack "${stack.name}"`,
      problems.map((p) => problemText({ ...p, propertyPath: rename(p.propertyPath) })),
    );
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
