/**
 * A tenant's update as a JSON merge patch (RFC 7396) of its fields, and what it changes: the registry
 * applies the patch, then checks the tenant it makes as it checks a new one.
 */
import type { TenantFields } from "../types";

/** A JSON value that is a map (not an array, not null). */
function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `patch` applied to `target` as RFC 7396 says: a map is merged key by key, `null` removes a key,
 * anything else (arrays included) replaces the value. Neither argument is changed. Every key stays a
 * key of its own (`__proto__` too, never a prototype), for the tenant's schema to refuse.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return patch;
  const merged: Record<string, unknown> = isMap(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else {
      const before = Object.hasOwn(merged, key) ? merged[key] : undefined;
      Object.defineProperty(merged, key, { value: mergePatch(before, value), enumerable: true, writable: true, configurable: true });
    }
  }
  return merged;
}

/**
 * The paths whose values differ between `before` and `after` (`host`, `settings.api.replicas`): maps
 * are compared key by key, anything else (arrays included) as a whole. Sorted.
 */
export function changedPaths(before: unknown, after: unknown, prefix = ""): string[] {
  if (isMap(before) && isMap(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => changedPaths(before[key], after[key], prefix === "" ? key : `${prefix}.${key}`)).sort();
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix];
}

/** A registered tenant's own fields (without its registration time), as a patch applies to them. */
export function tenantFields(tenant: TenantFields): TenantFields {
  const { name, host, plan, environment, version, region, cluster, settings } = tenant;
  return { name, host, plan, environment, version, region, cluster, settings };
}
