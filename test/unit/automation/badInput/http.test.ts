/**
 * Bad input to the HTTP API, served in-process on 127.0.0.1 (port 0) by a driver whose parts refuse
 * every call: each request is refused with its status (400, 413, 415) and the one error body
 * `{ error: { name, code, message, retryable, args, problems? } }` naming the field, before the driver is reached; no
 * planted secret is in a body or a log line, and no stack trace.
 */
import * as assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { Driver } from "../../../../automation/driver";
import { buildServer } from "../../../../automation/http/server";
import { tenantSettings } from "../fixtures";
import { fakeDriver, type FakeDriver } from "./fakeDriver";
import { assertNoSecret, assertNoStackTrace, FILE_SECRET, NOT_JSON, TOKEN, URL_PASSWORD } from "./planted";

/** One refused request: the route, the body (a value sent as JSON, or raw text with its content type), the status, the code and a problem or message. */
interface Case {
  readonly title: string;
  /** @default "POST" */
  readonly method?: "POST" | "PATCH" | "DELETE";
  readonly url?: string;
  readonly body?: unknown;
  readonly raw?: { readonly text: string; readonly type: string };
  readonly status: number;
  readonly code: string;
  readonly says: RegExp;
}

const fleet = { kind: "fleet-upgrade", version: "2.0.0" };
const tenant = { name: "acme", host: "acme.example.com", plan: "dedicated", version: "1.0.0", settings: tenantSettings() };
const bad = (title: string, body: unknown, says: RegExp, url = "/operations"): Case => ({
  title,
  url,
  body,
  status: 400,
  code: "invalid_input",
  says,
});

const RESERVED = 'is not allowed: no key may be named "__proto__", "constructor" or "prototype"';

/** The tenant's JSON with `entry` (raw JSON, such as a `__proto__` key) first in its `settings` or its settings' `api`. */
function withKey(where: "settings" | "api", entry: string): string {
  const text = JSON.stringify(tenant);
  const at = where === "settings" ? '"settings":{' : '"api":{';
  return text.replace(at, `${at}${entry},`);
}

const CASES: Case[] = [
  bad("concurrency 0", { kind: "preview", concurrency: 0 }, /`concurrency` must be an integer between 1 and 16 \(got 0\)/),
  bad("concurrency 17", { kind: "up", concurrency: 17 }, /`concurrency` must be an integer between 1 and 16 \(got 17\)/),
  bad("concurrency 1.5", { kind: "refresh", concurrency: 1.5 }, /`concurrency` must be an integer between 1 and 16 \(got 1.5\)/),
  bad("concurrency as a string", { kind: "outputs", concurrency: "2" }, /`concurrency` must be an integer between 1 and 16 \(got "2"\)/),
  bad(
    "httpCheckUrl file:///etc/passwd",
    { ...fleet, httpCheckUrl: "file:///etc/passwd" },
    /`httpCheckUrl` must be an http:\/\/ or https:\/\/ URL .*\(got "file:\/\/\/etc\/passwd"\)/,
  ),
  bad(
    "httpCheckUrl not a URL",
    { ...fleet, httpCheckUrl: "not a url" },
    /`httpCheckUrl` must be an http:\/\/ or https:\/\/ URL .*\(got "not a url"\)/,
  ),
  bad(
    "httpCheckUrl ftp:// with a password",
    { ...fleet, httpCheckUrl: `ftp://ops:${URL_PASSWORD}@h.example.com/` },
    /`httpCheckUrl` .*\(got "ftp:\/\/ops:\*\*\*@h.example.com\/"\)/,
  ),
  bad(
    "httpCheckUrl javascript:",
    { ...fleet, httpCheckUrl: "javascript:alert(1)" },
    /`httpCheckUrl` must be an http:\/\/ or https:\/\/ URL/,
  ),
  bad("canary -1", { ...fleet, canary: -1 }, /`canary` must be an integer between 0 and 1000 \(got -1\)/),
  bad("waveSize 0", { ...fleet, waveSize: 0 }, /`waveSize` must be an integer between 1 and 1000 \(got 0\)/),
  bad(
    "a version with a space",
    { kind: "fleet-upgrade", version: "1.0 final" },
    /`version` must be an image tag such as "2.4.1".*\(got "1.0 final"\)/,
  ),
  bad("a fleet upgrade without a version", { kind: "fleet-upgrade" }, /`version` is required/),
  bad(
    "an unknown field, its likely name suggested",
    { kind: "preview", concurency: 2 },
    /`concurency` is not a known setting \(did you mean "concurrency"\?\)/,
  ),
  bad(
    "an unknown field in another case, its likely name suggested",
    { kind: "preview", Tenants: ["acme"] },
    /`Tenants` is not a known setting \(did you mean "tenants"\?\)/,
  ),
  bad("a misspelt savedPlan", { kind: "up", saved_plan: true }, /`saved_plan` is not a known setting \(did you mean "savedPlan"\?\)/),
  bad(
    "a misspelt field far from any, nothing suggested",
    { kind: "up", force: true },
    /`force` is not a known setting; allowed: kind, tenants, savedPlan, operationId, concurrency/,
  ),
  bad(
    "a misspelt discriminating kind key",
    { knid: "up" },
    /`kind` is required: it must be one of "provision"[\s\S]*`knid` is not a known setting \(did you mean "kind"\?\)/,
  ),
  bad(
    "an unknown fleet field, its likely name suggested",
    { ...fleet, wavesize: 2 },
    /`wavesize` is not a known setting \(did you mean "waveSize"\?\)/,
  ),
  bad("an unknown kind", { kind: "launch" }, /`kind` must be one of "provision", "preview"/),
  bad("a body that is a list", [{ kind: "up" }], /must be one of "provision"|must be a map of settings/),
  bad(
    "tenants that are not tenant names",
    { kind: "preview", tenants: ["Acme Corp"] },
    /`tenants\[0\]` must be a DNS-1123 label.*\(got "Acme Corp"\)/,
  ),
  bad("tenants that are not a list", { kind: "preview", tenants: "acme" }, /`tenants` must be a list of tenant names \(got "acme"\)/),
  bad("a destroy of no tenant", { kind: "destroy", tenants: [] }, /`tenants` must list at least one tenant/),
  bad(
    "an operationId with spaces",
    { kind: "up", operationId: "my op" },
    /`operationId` must be 1-100 letters, digits, '.', '_' or '-' \(got "my op"\)/,
  ),
  bad("gc now that is no time", { kind: "gc", now: "yesterday" }, /`now` must be an ISO 8601 time .*\(got "yesterday"\)/),
  bad(
    "a migration to no plan",
    { kind: "migrate", tenant: "acme", to: "solo" },
    /`to` must be one of "shared", "dedicated" \(got "solo"\)/,
  ),
  bad(
    "a migration of no tenant name",
    { kind: "migrate", tenant: "Acme!", to: "shared" },
    /`tenant` must be a DNS-1123 label.*\(got "Acme!"\)/,
  ),
  bad(
    "a recover of an empty stack",
    { kind: "recover", stack: "" },
    /`stack` must be a non-empty string of at most 100 characters \(got ""\)/,
  ),
  bad("savePlan that is not a boolean", { kind: "preview", savePlan: "yes" }, /`savePlan` must be true or false \(got "yes"\)/),
  bad(
    "a provision of a bad host",
    { kind: "provision", tenant: { ...tenant, host: "not a host" } },
    /`tenant.host` must be a DNS-1123 host name.*\(got "not a host"\)/,
  ),
  bad(
    "a provision with a misspelt tenant field",
    { kind: "provision", tenant: { ...tenant, hots: "x" } },
    /`tenant.hots` is not a known setting \(did you mean "host"\?\)/,
  ),
  bad(
    "a provision with app secrets the driver cannot supply",
    {
      kind: "provision",
      tenant: { ...tenant, settings: { ...tenantSettings(), secrets: { source: "generated", appSecretNames: ["STRIPE_KEY"] } } },
    },
    /`settings.secrets.appSecretNames\[0\]` \("STRIPE_KEY"\) needs a value the driver cannot supply/,
  ),
  bad(
    "a tenant of a bad name and plan",
    { ...tenant, name: "Bad", plan: "solo" },
    /`name` must be a DNS-1123 label[\s\S]*`plan` must be one of "shared", "dedicated" \(got "solo"\)/,
    "/tenants",
  ),
  bad(
    "a tenant with a misspelt field",
    { ...tenant, hots: "acme.example.com" },
    /`hots` is not a known setting \(did you mean "host"\?\)/,
    "/tenants",
  ),
  bad(
    "a tenant whose settings are a list",
    { ...tenant, settings: [1] },
    /`settings` must be a map of stack settings \(got a list of 1\)/,
    "/tenants",
  ),
  bad(
    "a tenant with a misspelt setting",
    { ...tenant, settings: { ...tenantSettings(), apii: {} } },
    /`settings.apii` is not a known setting \(did you mean "api"\?\)/,
    "/tenants",
  ),
  bad(
    "a tenant with a misspelt nested setting",
    { ...tenant, settings: { ...tenantSettings(), api: { ...tenantSettings().api, replcias: 2 } } },
    /`settings.api.replcias` is not a known setting \(did you mean "replicas"\?\)/,
    "/tenants",
  ),
  bad(
    "a tenant with a misspelt resource",
    { ...tenant, settings: { ...tenantSettings(), api: { ...tenantSettings().api, resources: { cpu_limit: "1" } } } },
    /`settings.api.resources.cpu_limit` is not a known setting \(did you mean "cpuLimit"\?\)/,
    "/tenants",
  ),
  bad(
    "a tenant with a misspelt environment field",
    { ...tenant, enviroment: "dev" },
    /`enviroment` is not a known setting \(did you mean "environment"\?\)/,
    "/tenants",
  ),
  bad(
    "a tenant setting reserved for the registry",
    { ...tenant, settings: { ...tenantSettings(), environment: "prod" } },
    /`settings.environment` is set by the registry from the tenant's `environment`; remove it \(got "prod"\)/,
    "/tenants",
  ),
  bad(
    "a tenant declaring app secrets the driver cannot supply",
    { ...tenant, settings: { ...tenantSettings(), secrets: { source: "generated", appSecretNames: ["STRIPE_KEY"] } } },
    /`settings.secrets.appSecretNames\[0\]` \("STRIPE_KEY"\) needs a value the driver cannot supply.*`secrets.source: external`/,
    "/tenants",
  ),
  // Issue 17's classes, through a tenant's fields and settings.
  bad(
    "a dedicated tenant named shared",
    { ...tenant, name: "shared" },
    /`name` must not be "shared": a dedicated tenant's stack/,
    "/tenants",
  ),
  bad(
    "a provision of a tenant named shared",
    { kind: "provision", tenant: { ...tenant, name: "shared" } },
    /`tenant.name` must not be "shared"/,
  ),
  bad(
    "a tenant name with shell and ACL text",
    { ...tenant, name: "acme ~* &* +@all" },
    /`name` must be a DNS-1123 label.*\(got "acme ~\* &\* \+@all"\)/,
    "/tenants",
  ),
  bad(
    "a tenant host that is an IP address",
    { ...tenant, host: "10.0.0.1" },
    /`host` must be a DNS-1123 host name.*\(got "10.0.0.1"\)/,
    "/tenants",
  ),
  bad(
    "a wildcard tenant host",
    { ...tenant, host: "*.example.com" },
    /`host` must be a DNS-1123 host name.*\(got "\*.example.com"\)/,
    "/tenants",
  ),
  bad(
    "a tenant host that is a URL",
    { ...tenant, host: "https://acme.example.com" },
    /`host` must be a DNS-1123 host name.*\(got "https:\/\/acme.example.com"\)/,
    "/tenants",
  ),
  bad(
    "settings whose backup bucket holds a ;",
    {
      ...tenant,
      settings: { ...tenantSettings(), postgres: { backup: { destination: { type: "s3", bucket: "b;id", region: "eu-west-1" } } } },
    },
    /`settings.postgres.backup.destination.bucket` must be an S3 bucket name.*\(got "b;id"\)/,
    "/tenants",
  ),
  bad(
    "settings with the backup schedule 99 99 99 99 99",
    { ...tenant, settings: { ...tenantSettings(), postgres: { backup: { schedule: "99 99 99 99 99" } } } },
    /`settings.postgres.backup.schedule` must be a five-field cron schedule.*\(got "99 99 99 99 99"\)/,
    "/tenants",
  ),
  bad(
    "settings whose app secret replaces the Postgres password",
    { ...tenant, settings: { ...tenantSettings(), secrets: { source: "generated", appSecretNames: ["POSTGRES_PASSWORD"] } } },
    /`settings.secrets.appSecretNames\[0\]` must not name a credential the stack generates itself.*\(got "POSTGRES_PASSWORD"\)/,
    "/tenants",
  ),
  bad(
    "settings with a plaintext credential, its value not shown",
    { ...tenant, settings: { ...tenantSettings(), api: { ...tenantSettings().api, env: { POSTGRES_PASSWORD: FILE_SECRET } } } },
    /`settings.api.env.POSTGRES_PASSWORD` must not name a credential of the stack.*\(got "POSTGRES_PASSWORD"\)/,
    "/tenants",
  ),
  bad(
    "settings with an uppercase image repository",
    { ...tenant, settings: { ...tenantSettings(), worker: { ...tenantSettings().worker, image: "ghcr.io/Acme/worker:1.0.0" } } },
    /`settings.worker.image` must be a container image reference.*\(got "ghcr.io\/Acme\/worker:1.0.0"\)/,
    "/tenants",
  ),
  bad(
    "settings with a CPU request above its limit",
    { ...tenant, settings: { ...tenantSettings(), api: { ...tenantSettings().api, resources: { cpuRequest: "2", cpuLimit: "1" } } } },
    /`settings.api.resources.cpuRequest` must not exceed `cpuLimit` \(1\) \(got "2"\)/,
    "/tenants",
  ),
  bad(
    "settings with a CPU limit of 0",
    { ...tenant, settings: { ...tenantSettings(), api: { ...tenantSettings().api, resources: { cpuRequest: "0", cpuLimit: "0" } } } },
    /`settings.api.resources.cpuLimit` must be a CPU quantity above 0.*\(got "0"\)/,
    "/tenants",
  ),
  bad(
    "settings with Redis maxmemory above its memory limit",
    { ...tenant, settings: { ...tenantSettings(), redis: { ...tenantSettings().redis, maxmemoryMb: 128 } } },
    /`settings.redis.maxmemoryMb` must be below `resources.memoryLimit` \(64Mi\).*\(got 128\)/,
    "/tenants",
  ),
  {
    title: "a body that is not JSON, its content not shown",
    raw: { text: NOT_JSON, type: "application/json" },
    status: 400,
    code: "invalid_input",
    says: /the body must be valid JSON: it is not, at line 2, column 18/,
  },
  { title: "an empty JSON body", raw: { text: "", type: "application/json" }, status: 400, code: "invalid_input", says: /./ },
  {
    title: "a __proto__ key",
    raw: { text: '{"kind":"up","__proto__":{"admin":true}}', type: "application/json" },
    status: 400,
    code: "invalid_input",
    says: new RegExp(`\`__proto__\` ${RESERVED}`),
  },
  {
    title: "a constructor key",
    raw: { text: '{"kind":"up","constructor":{"name":"x"}}', type: "application/json" },
    status: 400,
    code: "invalid_input",
    says: new RegExp(`\`constructor\` ${RESERVED}`),
  },
  {
    title: "a tenant whose settings hold a __proto__ key",
    url: "/tenants",
    raw: { text: withKey("settings", '"__proto__": {"ollama": {"enabled": true}}'), type: "application/json" },
    status: 400,
    code: "invalid_input",
    says: new RegExp(`\`settings.__proto__\` ${RESERVED}`),
  },
  {
    title: "a tenant whose api settings hold a __proto__ key",
    url: "/tenants",
    raw: { text: withKey("api", '"__proto__": {"replicas": 5}'), type: "application/json" },
    status: 400,
    code: "invalid_input",
    says: new RegExp(`\`settings.api.__proto__\` ${RESERVED}`),
  },
  {
    title: "a provision whose tenant's env holds a prototype key",
    raw: {
      text: JSON.stringify({
        kind: "provision",
        tenant: { ...tenant, settings: { ...tenantSettings(), api: { env: { prototype: "x" } } } },
      }),
      type: "application/json",
    },
    status: 400,
    code: "invalid_input",
    says: new RegExp(`\`tenant.settings.api.env.prototype\` ${RESERVED}`),
  },
  {
    title: "a migration whose target settings hold a constructor key",
    raw: {
      text: JSON.stringify({ kind: "migrate", tenant: "acme", to: "dedicated", settings: { constructor: {} } }),
      type: "application/json",
    },
    status: 400,
    code: "invalid_input",
    says: new RegExp(`\`settings.constructor\` ${RESERVED}`),
  },
  {
    title: "a tenant's update whose settings hold a __proto__ key",
    method: "PATCH",
    url: "/tenants/acme",
    raw: { text: '{"settings": {"api": {"__proto__": {"replicas": 5}}}}', type: "application/merge-patch+json" },
    status: 400,
    code: "invalid_input",
    says: new RegExp(`\`settings.api.__proto__\` ${RESERVED}`),
  },
  {
    title: "a tenant's update whose settings hold a constructor key",
    method: "PATCH",
    url: "/tenants/acme",
    raw: { text: '{"settings": {"constructor": {"prototype": {}}}}', type: "application/json" },
    status: 400,
    code: "invalid_input",
    says: new RegExp(`\`settings.constructor\` ${RESERVED}[\\s\\S]*\`settings.constructor.prototype\` ${RESERVED}`),
  },
  {
    title: "a tenant's update with a misspelt field",
    method: "PATCH",
    url: "/tenants/acme",
    body: { hots: "acme.example.org" },
    status: 400,
    code: "invalid_input",
    says: /`hots` is not a known setting \(did you mean "host"\?\)/,
  },
  {
    title: "a tenant's deletion with a misspelt query parameter",
    method: "DELETE",
    url: "/tenants/acme?destory=true",
    status: 400,
    code: "invalid_input",
    says: /`destory` is not a known setting \(did you mean "destroy"\?\)/,
  },
  {
    title: "a form-encoded body (415)",
    raw: { text: "kind=up&concurrency=2", type: "application/x-www-form-urlencoded" },
    status: 415,
    code: "unsupported_media_type",
    says: /must be JSON sent as `Content-Type: application\/json` \(got "application\/x-www-form-urlencoded"\)/,
  },
  {
    title: "a text body (415)",
    raw: { text: '{"kind":"up"}', type: "text/plain" },
    status: 415,
    code: "unsupported_media_type",
    says: /\(got "text\/plain"\)/,
  },
  {
    title: "a tenant sent as a form (415)",
    url: "/tenants",
    raw: { text: "name=acme", type: "application/x-www-form-urlencoded" },
    status: 415,
    code: "unsupported_media_type",
    says: /application\/json/,
  },
  {
    title: "a 2 MiB body (413)",
    raw: { text: JSON.stringify({ kind: "up", pad: "x".repeat(2 * 1024 * 1024) }), type: "application/json" },
    status: 413,
    code: "payload_too_large",
    says: /must be at most 1048576 bytes/,
  },
  {
    title: "a 2 MiB tenant (413)",
    url: "/tenants",
    raw: { text: JSON.stringify({ ...tenant, pad: FILE_SECRET.repeat(100_000) }), type: "application/json" },
    status: 413,
    code: "payload_too_large",
    says: /must be at most 1048576 bytes/,
  },
];

describe("bad input to the HTTP API", () => {
  let app: FastifyInstance;
  let base: string;
  let fake: FakeDriver;
  const logs: string[] = [];

  before(async () => {
    fake = fakeDriver();
    app = buildServer(fake.driver, { token: TOKEN, log: (line) => logs.push(line) });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  after(() => app.close());
  beforeEach(() => (fake.calls.length = 0));

  for (const c of CASES) {
    it(`refuses ${c.title}: ${c.status} ${c.code}, named, nothing reached`, async () => {
      const hasBody = c.raw !== undefined || c.body !== undefined;
      const response = await fetch(`${base}${c.url ?? "/operations"}`, {
        method: c.method ?? "POST",
        headers: { authorization: `Bearer ${TOKEN}`, ...(hasBody ? { "content-type": c.raw?.type ?? "application/json" } : {}) },
        ...(hasBody ? { body: c.raw ? c.raw.text : JSON.stringify(c.body) } : {}),
      });
      const text = await response.text();
      assert.equal(response.status, c.status, text);
      const { error } = JSON.parse(text) as { error: { code: string; message: string; problems?: string[] } };
      assert.equal(error.code, c.code, text);
      assert.equal(typeof error.message, "string");
      if (c.status === 400) assert.ok(Array.isArray(error.problems) && error.problems.length > 0, text);
      assert.match(text.replace(/\\"/g, '"').replace(/\\n/g, "\n"), c.says);
      assertNoSecret(text, "the response");
      assertNoSecret(logs.join("\n"), "the server's log");
      assertNoStackTrace(text, "the response");
      assert.ok(!text.includes("postgres://admin"), "a body's content is never shown");
      assert.deepEqual(fake.calls, [], "the driver was not reached");
    });
  }

  it("refuses a request without the token (401) in the same error shape", async () => {
    const response = await fetch(`${base}/operations`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get("www-authenticate"), "Bearer");
    assert.deepEqual(await response.json(), {
      error: { name: "UnauthorizedError", code: "unauthorized", message: "a valid bearer token is required", retryable: false, args: [] },
    });
  });

  it("redacts what an operation's steps recorded when it is shown", async () => {
    const driver = Object.create(Driver.prototype) as Driver;
    Object.assign(driver, {
      journal: {
        get: async (id: string) => ({ id, kind: "migrate", status: "failed", result: { error: `postgres://admin:${URL_PASSWORD}@db/x` } }),
        steps: async () => [{ step: "copyPostgres", status: "failed", detail: `connect failed: password=${URL_PASSWORD}` }],
        events: async () => [{ type: "stack", stack: "dev-acme", status: "failed", detail: `connect failed: password=${URL_PASSWORD}` }],
      },
    });
    const shown = buildServer(driver, { token: TOKEN });
    try {
      const response = await shown.inject({ method: "GET", url: "/operations/op-1", headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(response.statusCode, 200);
      const body = response.json();
      assert.equal(body.result.error, "postgres://admin:***@db/x");
      assert.equal(body.steps[0].detail, "connect failed: password=***");
      assert.equal(
        body.events[0].detail,
        "connect failed: password=***",
        "events recorded before a secret was known are redacted when shown",
      );
      assertNoSecret(response.body, "the operation shown");
    } finally {
      await shown.close();
    }
  });

  it("covers at least 40 requests", () => assert.ok(CASES.length >= 40, `${CASES.length} cases`));
});
