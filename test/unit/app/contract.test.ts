/**
 * The reference app repeats the app contract's names (its image holds only pg and ioredis, not the
 * package): they must be the package's own (`components/contract.ts`) and the stack schema's
 * defaults of the API's and worker's ports and probe paths.
 */
import * as assert from "node:assert/strict";
import {
  CREDENTIAL_KEYS,
  MAINTENANCE_MOUNT_PATH,
  MAINTENANCE_READ_ONLY,
  TENANTS_MOUNT_PATH,
  tenantKeys,
} from "../../../components/contract";
import { ApiSchema, WorkerSchema } from "../../../schema/workloads";
import { tenantKeyPrefix } from "../../../schema/naming";
import * as app from "../../../examples/app/src/contract";
import { HEALTH_PATHS } from "../../../examples/app/src/health";
import { loadConfig } from "../../../examples/app/src/config";

describe("reference app: the app contract", () => {
  it("mounts, maintenance flag and tenant files are the package's", () => {
    assert.equal(app.DEFAULT_TENANTS_DIR, TENANTS_MOUNT_PATH);
    assert.equal(app.DEFAULT_MAINTENANCE_DIR, MAINTENANCE_MOUNT_PATH);
    assert.equal(app.READ_ONLY, MAINTENANCE_READ_ONLY);
    for (const tenant of ["acme", "acme-corp"]) {
      const { databaseUrl, redisUrl, redisKeyPrefix } = tenantKeys(tenant);
      assert.deepEqual(app.tenantFiles(tenant), { databaseUrl, redisUrl, redisKeyPrefix });
      assert.equal(app.defaultKeyPrefix(tenant), tenantKeyPrefix(tenant));
    }
  });

  it("ports and probe paths are the stack's defaults, and REDIS_PASSWORD the credential's key", () => {
    const api = ApiSchema.parse({ image: "localhost/tenantstack/app:1.0.0-bookworm" });
    const worker = WorkerSchema.parse({ image: "localhost/tenantstack/app:1.0.0-bookworm" });
    assert.equal(app.DEFAULT_API_PORT, api.port);
    assert.deepEqual(HEALTH_PATHS, { health: api.healthPath, ready: api.readyPath, metrics: api.metricsPath });
    assert.equal(worker.health.type, "http");
    assert.deepEqual(
      [app.DEFAULT_WORKER_HEALTH_PORT, HEALTH_PATHS.health],
      worker.health.type === "http" ? [worker.health.port, worker.health.path] : [],
    );
    assert.equal(CREDENTIAL_KEYS.redisPassword, "REDIS_PASSWORD");
    const config = loadConfig("api", { TENANTS: "acme", REDIS_PASSWORD: "pw" });
    assert.equal(config.redis.password, "pw");
    assert.deepEqual([config.tenantsDir, config.maintenanceDir, config.port], [TENANTS_MOUNT_PATH, MAINTENANCE_MOUNT_PATH, api.port]);
  });
});
