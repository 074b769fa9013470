/**
 * The tenants' files and maintenance flags, re-read from directories that change the way the kubelet
 * changes a mounted Secret or ConfigMap (a swapped `..data` link).
 */
import * as assert from "node:assert/strict";
import { isReadOnlyFlag, MaintenanceFlags } from "../../../examples/app/src/maintenance";
import { silentLogger } from "../../../examples/app/src/log";
import { type TenantConnection, TenantRegistry } from "../../../examples/app/src/tenants";
import { KubeletVolume } from "./volume";

describe("reference app: watched files", () => {
  const volumes: KubeletVolume[] = [];
  const volume = () => {
    const v = new KubeletVolume();
    volumes.push(v);
    return v;
  };
  after(() => volumes.forEach((v) => v.remove()));

  it("reads a flag as read-only only when it says so", () => {
    const cases: [string | undefined, boolean][] = [
      ["read-only", true],
      ["read-only\n", true],
      ["  read-only ", true],
      ["", false],
      ["read-write", false],
      ["READ-ONLY", false],
      [undefined, false],
    ];
    for (const [content, readOnly] of cases) assert.equal(isReadOnlyFlag(content), readOnly, JSON.stringify(content));
  });

  it("sees a tenant's flag appear and go as the ConfigMap changes", async () => {
    const dir = volume();
    dir.write({});
    const flags = new MaintenanceFlags(["acme", "globex"], dir.dir, 1000, silentLogger);
    await flags.poll();
    assert.deepEqual(flags.readOnlyTenants(), []);
    dir.write({ acme: "read-only" });
    await flags.poll();
    assert.deepEqual([flags.readOnly("acme"), flags.readOnly("globex")], [true, false]);
    dir.write({ acme: "read-only", globex: "read-only" });
    await flags.poll();
    assert.deepEqual(flags.readOnlyTenants(), ["acme", "globex"]);
    dir.write({ globex: "read-only" });
    await flags.poll();
    assert.deepEqual(flags.readOnlyTenants(), ["globex"]);
    dir.remove();
    await flags.poll();
    assert.deepEqual(flags.readOnlyTenants(), [], "an absent directory (no ConfigMap) is no flag");
  });

  it("reports a tenant's changed connection once, with the default key prefix when its file is absent", async () => {
    const dir = volume();
    dir.write({ "acme.database-url": "postgresql://tenant_acme:a@postgres:5432/tenant_acme", "acme.redis-key-prefix": "acme:" });
    const registry = new TenantRegistry(["acme", "globex"], dir.dir, 1000, silentLogger);
    const changes: [string, TenantConnection][] = [];
    registry.onChange((tenant, connection) => changes.push([tenant, connection]));
    await registry.poll();
    assert.deepEqual(changes, [["acme", { databaseUrl: "postgresql://tenant_acme:a@postgres:5432/tenant_acme", keyPrefix: "acme:" }]]);
    assert.deepEqual(registry.connection("globex"), { keyPrefix: "globex:" });
    await registry.poll();
    assert.equal(changes.length, 1, "nothing changed, nothing reported");

    dir.write({
      "acme.database-url": "postgresql://tenant_acme:b@postgres:5432/tenant_acme\n",
      "acme.redis-key-prefix": "acme:",
      "acme.redis-url": "redis://tenant-acme:r@redis:6379/0",
      "globex.database-url": "postgresql://tenant_globex:g@postgres:5432/tenant_globex",
    });
    await registry.poll();
    assert.deepEqual(changes.slice(1), [
      [
        "acme",
        {
          databaseUrl: "postgresql://tenant_acme:b@postgres:5432/tenant_acme",
          redisUrl: "redis://tenant-acme:r@redis:6379/0",
          keyPrefix: "acme:",
        },
      ],
      ["globex", { databaseUrl: "postgresql://tenant_globex:g@postgres:5432/tenant_globex", keyPrefix: "globex:" }],
    ]);
    assert.throws(() => registry.connection("initech"), /tenant "initech" is not served here/);
  });
});
