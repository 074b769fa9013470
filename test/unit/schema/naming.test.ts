import * as assert from "node:assert/strict";
import { defaultNamespace, stackName, tenantDatabase, tenantKeyPrefix, tenantRedisUser, tlsSecretName } from "../../../schema";

describe("naming", () => {
  const cases: [string, string, string][] = [
    ["stack of a dedicated tenant", stackName("prod", "acme-eu"), "prod-acme-eu"],
    ["stack of a shared instance", stackName("dev"), "dev-shared"],
    ["namespace of a dedicated tenant", defaultNamespace("staging", "acme"), "tenantstack-staging-acme"],
    ["namespace of a shared instance", defaultNamespace("prod"), "tenantstack-prod"],
    ["database and role of a tenant", tenantDatabase("acme-eu"), "tenant_acme_eu"],
    ["Redis user of a tenant", tenantRedisUser("acme-eu"), "tenant-acme-eu"],
    ["Redis key prefix of a tenant", tenantKeyPrefix("acme-eu"), "acme-eu:"],
    ["TLS secret of a host", tlsSecretName("acme.example.com"), "tls-acme-example-com"],
  ];
  for (const [title, actual, expected] of cases) it(title, () => assert.equal(actual, expected));

  it("keeps the longest tenant's namespace within a DNS-1123 label", () => {
    assert.ok(defaultNamespace("staging", "a".repeat(40)).length <= 63);
  });
});
