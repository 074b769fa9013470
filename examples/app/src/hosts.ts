/**
 * Which tenant a request is for. The stack's Ingress routes each tenant's host to the API and
 * keeps the `Host` header, but the pod is not told the hosts (only `TENANTS`), so:
 *
 * 1. a host listed in `TENANT_HOSTS` (`host=tenant,...`, which tenantstack sets for the tenants it routes
 *    to the stack) is that tenant;
 * 2. else a host whose first label is a tenant is that tenant (`acme.app.example.com` -> `acme`);
 * 3. else the `X-Tenant` header, when it names a tenant (a client reaching the API by its Service);
 * 4. else, when this process serves exactly one tenant and was not told the tenants' hosts, that tenant.
 *    Told the hosts, it refuses any other: while a migration switches a tenant to another stack, its
 *    host may still reach this one, and its writes must never land in another tenant's database.
 *
 * An `X-Tenant` naming no tenant here is refused rather than replaced by rule 4. Both headers are
 * the client's to set, so neither authenticates the tenant: an app of one's own binds tenants to
 * credentials.
 */

/** What a tenant is chosen from. */
export interface TenantRouting {
  /** The tenants served (`TENANTS`). */
  readonly tenants: readonly string[];
  /** Exact hosts (lowercase, no port) and their tenants (`TENANT_HOSTS`). */
  readonly hosts: ReadonlyMap<string, string>;
  /** Whether `TENANT_HOSTS` was set (the hosts are known): no host outside it falls back to the only tenant. */
  readonly hostsKnown?: boolean;
}

/** The tenant, or why there is none (a message for a 404). */
export type TenantChoice = { readonly tenant: string } | { readonly problem: string };

/** The host name of a `Host` header: lowercase, without port or trailing dot. */
export function hostName(header: string | undefined): string {
  const host = (header ?? "").trim().toLowerCase();
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d*$/, "");
  return name.replace(/\.$/, "");
}

/** Chooses the tenant of a request by its `Host` and `X-Tenant` headers; see the module's comment. */
export function chooseTenant(headers: { host?: string; xTenant?: string }, routing: TenantRouting): TenantChoice {
  const host = hostName(headers.host);
  const listed = routing.hosts.get(host);
  if (listed) return { tenant: listed };
  const label = host.split(".")[0];
  if (routing.tenants.includes(label)) return { tenant: label };
  const named = headers.xTenant?.trim().toLowerCase();
  if (named) {
    if (routing.tenants.includes(named)) return { tenant: named };
    return { problem: `no tenant ${JSON.stringify(named.slice(0, 63))} is served here (X-Tenant)` };
  }
  if (routing.tenants.length === 1 && !routing.hostsKnown) return { tenant: routing.tenants[0] };
  return { problem: `no tenant is served at host ${JSON.stringify(host.slice(0, 253))}: use a tenant's host or name it in X-Tenant` };
}
