/** Which tenant a request is for, by its Host and X-Tenant headers (examples/app/src/hosts.ts). */
import * as assert from "node:assert/strict";
import { chooseTenant, hostName } from "../../../examples/app/src/hosts";

describe("reference app: host -> tenant", () => {
  it("reads the host name of a Host header", () => {
    const cases: [string | undefined, string][] = [
      ["Acme.Example.COM", "acme.example.com"],
      ["acme.example.com:8443", "acme.example.com"],
      ["acme.example.com.", "acme.example.com"],
      ["[::1]:8080", "[::1]"],
      [undefined, ""],
    ];
    for (const [header, name] of cases) assert.equal(hostName(header), name, String(header));
  });

  it("chooses by listed host, then first label, then X-Tenant, then the only tenant", () => {
    const shared = { tenants: ["acme", "globex"], hosts: new Map([["portal.example.com", "globex"]]) };
    const dedicated = { tenants: ["demo"], hosts: new Map<string, string>() };
    const cases: [typeof shared, { host?: string; xTenant?: string }, object][] = [
      [shared, { host: "portal.example.com" }, { tenant: "globex" }],
      [shared, { host: "acme.app.example.com:443" }, { tenant: "acme" }],
      [shared, { host: "acme.app.example.com", xTenant: "globex" }, { tenant: "acme" }],
      [shared, { host: "api.tenantstack-dev.svc", xTenant: "Globex" }, { tenant: "globex" }],
      [shared, { host: "api", xTenant: "initech" }, { problem: 'no tenant "initech" is served here (X-Tenant)' }],
      [
        shared,
        { host: "www.example.com" },
        { problem: 'no tenant is served at host "www.example.com": use a tenant\'s host or name it in X-Tenant' },
      ],
      [dedicated, { host: "demo.tenantstack.localhost" }, { tenant: "demo" }],
      [dedicated, { host: "10.0.0.7:8080" }, { tenant: "demo" }],
      [dedicated, { host: "10.0.0.7:8080", xTenant: "acme" }, { problem: 'no tenant "acme" is served here (X-Tenant)' }],
    ];
    for (const [routing, headers, expected] of cases) assert.deepEqual(chooseTenant(headers, routing), expected, JSON.stringify(headers));
  });

  it("told the hosts (TENANT_HOSTS, as the stack sets it), never gives another tenant's host to the only tenant", () => {
    // A shared stack that no longer serves acme (a migration's switch): acme's host may still reach it.
    const rest = { tenants: ["globex"], hosts: new Map([["globex.example.com", "globex"]]), hostsKnown: true };
    assert.deepEqual(chooseTenant({ host: "globex.example.com" }, rest), { tenant: "globex" });
    assert.deepEqual(chooseTenant({ host: "acme.example.com" }, rest), {
      problem: 'no tenant is served at host "acme.example.com": use a tenant\'s host or name it in X-Tenant',
    });
    assert.deepEqual(chooseTenant({ host: "10.0.0.7", xTenant: "globex" }, rest), { tenant: "globex" });
  });
});
