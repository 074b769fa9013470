/** The reference app's settings from its environment: defaults, and every problem at once with its message. */
import * as assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../../examples/app/src/config";

function problems(env: Record<string, string>, role: "api" | "worker" = "api"): readonly string[] {
  try {
    loadConfig(role, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail("the settings were accepted");
}

describe("reference app: settings", () => {
  it("takes the stack's wiring and defaults the rest", () => {
    const config = loadConfig("worker", { TENANTS: " acme, globex ", REDIS_HOST: "redis", REDIS_PORT: "6380", HOSTNAME: "worker-7d9-abc" });
    assert.deepEqual(
      {
        tenants: config.tenants,
        port: config.port,
        redis: config.redis,
        instance: config.instance,
        shutdown: [config.shutdownDelayMs, config.shutdownTimeoutMs],
        retryAfter: config.retryAfterSeconds,
        maxBody: config.maxBodyBytes,
        version: config.version,
      },
      {
        tenants: ["acme", "globex"],
        port: 8081,
        redis: { host: "redis", port: 6380 },
        instance: "worker-7d9-abc",
        shutdown: [2000, 25_000],
        retryAfter: 5,
        maxBody: 65_536,
        version: "dev",
      },
    );
  });

  it("maps TENANT_HOSTS hosts to tenants, lowercased", () => {
    const config = loadConfig("api", { TENANTS: "acme,globex", TENANT_HOSTS: "WWW.Acme.example=acme, portal.globex.example=globex" });
    assert.deepEqual(
      [...config.tenantHosts],
      [
        ["www.acme.example", "acme"],
        ["portal.globex.example", "globex"],
      ],
    );
  });

  it("reports every bad variable at once", () => {
    assert.deepEqual(
      problems({
        TENANTS: "acme,Globex,acme",
        PORT: "80a",
        REDIS_PORT: "0",
        TENANT_HOSTS: "a.example=initech,broken",
        SHUTDOWN_DELAY_MS: "30000",
        SHUTDOWN_TIMEOUT_MS: "20000",
      }),
      [
        '`TENANTS` entry 1 must be a DNS label of lowercase letters, digits and "-" (got "Globex")',
        '`TENANTS` names "acme" twice',
        '`TENANT_HOSTS` maps "a.example" to "initech", which is not one of `TENANTS`',
        '`TENANT_HOSTS` entries must be host=tenant with a DNS host name (got "broken")',
        '`PORT` must be an integer between 0 and 65535 (got "80a")',
        '`REDIS_PORT` must be an integer between 1 and 65535 (got "0")',
        "`SHUTDOWN_DELAY_MS` (30000) must be less than `SHUTDOWN_TIMEOUT_MS` (20000): in-flight requests need time to finish",
      ],
    );
    assert.deepEqual(problems({}), ["`TENANTS` must be set (comma-separated tenant names, as the stack sets it)"]);
    // A stack holding only a migration's copy serves no tenant yet.
    assert.deepEqual(loadConfig("api", { TENANTS: "" }).tenants, []);
    assert.deepEqual(problems({ TENANTS: "acme", HEALTH_PORT: "-1" }, "worker"), [
      '`HEALTH_PORT` must be an integer between 0 and 65535 (got "-1")',
    ]);
  });
});
