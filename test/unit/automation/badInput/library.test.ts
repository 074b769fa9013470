/**
 * Bad options to the library: each operation of a Driver (of the real class, its parts recording and
 * refusing every call), `Driver.open`, the executor and the registry refuse with a typed InputError
 * naming the field, its value (unless secret) and what is allowed, before anything is read, opened
 * or registered; the schema's ValidationError counts as invalid input on every surface.
 */
import * as assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ValidationError } from "../../../../schema/errors";
import { EXIT, exitCodeOf, exitCodeOfErrors } from "../../../../automation/cli/exitCodes";
import { openSqlite } from "../../../../automation/db/sqlite";
import { SCHEMA } from "../../../../automation/db/sqlDatabase";
import { Driver } from "../../../../automation/driver";
import { errorCode, InputError, toWire } from "../../../../automation/errors";
import { LocalProcessExecutor } from "../../../../automation/fleet/localProcessExecutor";
import { planWaves } from "../../../../automation/fleet/waves";
import { serve } from "../../../../automation/http/server";
import { TenantRegistry } from "../../../../automation/registry/registry";
import { tenantSettings } from "../fixtures";
import { fakeDriver } from "./fakeDriver";
import { assertNoSecret, PASSPHRASE, PROVIDER_VALUE, URL_PASSWORD } from "./planted";

const RESERVED = 'is not allowed: no key may be named "__proto__", "constructor" or "prototype"';

/** One refused call on a driver: what it calls and a problem it must name. */
type Case = [title: string, call: (driver: Driver) => Promise<unknown>, problem: RegExp];

const tenant = { name: "acme", host: "acme.example.com", plan: "dedicated" as const, version: "1.0.0", settings: tenantSettings() };

const CASES: Case[] = [
  [
    "preview with concurrency NaN",
    (d) => d.preview({ concurrency: NaN }),
    /^`concurrency` must be an integer between 1 and 16 \(got NaN\)$/,
  ],
  ["preview with concurrency 0", (d) => d.preview({ concurrency: 0 }), /^`concurrency` must be an integer between 1 and 16 \(got 0\)$/],
  ["up with concurrency 1.5", (d) => d.up({ concurrency: 1.5 }), /^`concurrency` must be an integer between 1 and 16 \(got 1.5\)$/],
  ["refresh with concurrency 17", (d) => d.refresh({ concurrency: 17 }), /^`concurrency` must be an integer between 1 and 16 \(got 17\)$/],
  [
    "outputs with concurrency Infinity",
    (d) => d.outputs({ concurrency: Infinity }),
    /^`concurrency` must be an integer between 1 and 16 \(got Infinity\)$/,
  ],
  [
    "outputs of a tenant that is no name",
    (d) => d.outputs({ tenants: ["Acme Corp"] }),
    /^`tenants\[0\]` must be a DNS-1123 label.*\(got "Acme Corp"\)$/,
  ],
  ["destroy of no tenant", (d) => d.destroy({ tenants: [] }), /^`tenants` must list at least one tenant/],
  [
    "recover with a bad operation id",
    (d) => d.recover("dev-acme", { operationId: "my op" }),
    /^`operationId` must be 1-100 letters.*\(got "my op"\)$/,
  ],
  [
    "provision with concurrency -1",
    (d) => d.provision(tenant, { concurrency: -1 }),
    /^`concurrency` must be an integer between 1 and 16 \(got -1\)$/,
  ],
  [
    "a fleet upgrade with canary -1",
    (d) => d.fleetUpgrade({ version: "2.0.0", canary: -1 }),
    /^`canary` must be an integer between 0 and 1000 \(got -1\)$/,
  ],
  [
    "a fleet upgrade with waveSize 0",
    (d) => d.fleetUpgrade({ version: "2.0.0", waveSize: 0 }),
    /^`waveSize` must be an integer between 1 and 1000 \(got 0\)$/,
  ],
  [
    "a fleet upgrade with concurrency NaN",
    (d) => d.fleetUpgrade({ version: "2.0.0", concurrency: NaN }),
    /^`concurrency` must be an integer between 1 and 16 \(got NaN\)$/,
  ],
  [
    "a fleet upgrade checking file:///etc/passwd",
    (d) => d.fleetUpgrade({ version: "2.0.0", health: { httpCheckUrl: "file:///etc/passwd" } }),
    /^`health.httpCheckUrl` must be an http:\/\/ or https:\/\/ URL .*\(got "file:\/\/\/etc\/passwd"\)$/,
  ],
  [
    "a fleet upgrade with a 0 ms health timeout",
    (d) => d.fleetUpgrade({ version: "2.0.0", health: { timeoutMs: 0 } }),
    /^`health.timeoutMs` must be an integer between 1000 and 3600000 \(got 0\)$/,
  ],
  [
    "a fleet upgrade to a bad version",
    (d) => d.fleetUpgrade({ version: "1.0 final" }),
    /^`version` must be an image tag such as "2.4.1".*\(got "1.0 final"\)$/,
  ],
  [
    "a migration of no tenant name",
    (d) => d.migrate({ tenant: "Acme!", to: "shared" }),
    /^`tenant` must be a DNS-1123 label.*\(got "Acme!"\)$/,
  ],
  [
    "a migration to no plan",
    (d) => d.migrate({ tenant: "acme", to: "solo" }),
    /^`to` must be one of "shared", "dedicated" \(got "solo"\)$/,
  ],
  [
    "a migration with concurrency 0",
    (d) => d.migrate({ tenant: "acme", to: "shared", concurrency: 0 }),
    /^`concurrency` must be an integer between 1 and 16 \(got 0\)$/,
  ],
  ["gc at an invalid Date", (d) => d.gc({ now: new Date("yesterday") }), /^`now` must be a valid Date/],
  ["a deletion of no tenant name", (d) => d.deleteTenant("Acme!"), /^`tenant` must be a DNS-1123 label.*\(got "Acme!"\)$/],
  [
    "a deletion forcing data it does not destroy",
    (d) => d.deleteTenant("acme", { forceDestroyData: true }),
    /^`forceDestroyData` needs `destroy`: only a stack being destroyed loses its data \(got true\)$/,
  ],
  [
    "an update naming an unknown field",
    (d) => d.updateTenant("acme", { hots: "acme.example.org" } as never),
    /^`patch.hots` is not a known setting \(did you mean "host"\?\)/,
  ],
  [
    "an update moving the tenant to another plan",
    (d) => d.updateTenant("acme", { plan: "shared" } as never),
    /^`patch.plan` cannot be changed by an update: move the tenant to the other plan with `migrate` \(`to`\) \(got "shared"\)$/,
  ],
  [
    "an update naming a field in another case",
    (d) => d.updateTenant("acme", { Version: "2.0.0" } as never),
    /^`patch.Version` is not a known setting \(did you mean "version"\?\)/,
  ],
  [
    "an update whose settings hold a __proto__ key",
    (d) => d.updateTenant("acme", JSON.parse('{"settings": {"api": {"__proto__": {"replicas": 5}}}}')),
    new RegExp(`^\`patch.settings.api.__proto__\` ${RESERVED}$`),
  ],
  [
    "an update whose settings are a __proto__ key",
    (d) => d.updateTenant("acme", JSON.parse('{"settings": {"__proto__": {"api": {"replicas": 5}}}}')),
    new RegExp(`^\`patch.settings.__proto__\` ${RESERVED}$`),
  ],
  [
    "an update whose settings hold a constructor key",
    (d) => d.updateTenant("acme", { settings: { worker: { env: { constructor: "x" } } } }),
    new RegExp(`^\`patch.settings.worker.env.constructor\` ${RESERVED}$`),
  ],
  [
    "a provision of a dedicated tenant named shared",
    (d) => d.provision({ ...tenant, name: "shared" }),
    /^`name` must not be "shared": a dedicated tenant's stack is "<environment>-<tenant>"/,
  ],
  [
    "a provision of a tenant name with ACL text",
    (d) => d.provision({ ...tenant, name: "acme ~* &* +@all" }),
    /^`name` must be a DNS-1123 label.*\(got "acme ~\* &\* \+@all"\)$/,
  ],
  [
    "a provision of an IP address host",
    (d) => d.provision({ ...tenant, host: "192.168.0.1" }),
    /^`host` must be a DNS-1123 host name.*\(got "192.168.0.1"\)$/,
  ],
  [
    "a provision of a wildcard host",
    (d) => d.provision({ ...tenant, host: "*.example.com" }),
    /^`host` must be a DNS-1123 host name.*\(got "\*.example.com"\)$/,
  ],
  [
    "an update to a URL host",
    (d) => d.updateTenant("acme", { host: "https://acme.example.org" }),
    /^`patch.host` must be a DNS-1123 host name.*\(got "https:\/\/acme.example.org"\)$/,
  ],
  [
    "a provision whose settings hold a __proto__ key",
    (d) => d.provision({ ...tenant, settings: JSON.parse(`{"__proto__": {"ollama": {"enabled": true}}}`) }),
    new RegExp(`^\`settings.__proto__\` ${RESERVED}$`),
  ],
  [
    "a provision whose settings hold a prototype key",
    (d) => d.provision({ ...tenant, settings: { ...tenantSettings(), redis: { prototype: {} } } }),
    new RegExp(`^\`settings.redis.prototype\` ${RESERVED}$`),
  ],
  [
    "a provision with a misspelt tenant field",
    (d) => d.provision({ ...tenant, regoin: "eu" } as never),
    /^`regoin` is not a known setting \(did you mean "region"\?\)/,
  ],
  [
    "a migration whose target settings hold a __proto__ key",
    (d) => d.migrate({ tenant: "acme", to: "dedicated", settings: JSON.parse('{"__proto__": {"api": {"replicas": 5}}}') }),
    new RegExp(`^\`settings.__proto__\` ${RESERVED}$`),
  ],
  [
    "an update whose dry run is not a flag",
    (d) => d.updateTenant("acme", {}, { dryRun: "yes" as never }),
    /^`dryRun` must be true or false \(got "yes"\)$/,
  ],
];

describe("bad options to the library", () => {
  describe("the driver's operations", () => {
    for (const [title, call, problem] of CASES) {
      it(`refuses ${title} with an InputError, nothing read`, async () => {
        const { driver, calls } = fakeDriver();
        await assert.rejects(call(driver), (error: unknown) => {
          assert.ok(error instanceof InputError, String(error));
          assert.equal(error.code, "invalid_input");
          assert.equal(error.problems.length, 1, error.message);
          assert.match(error.problems[0], problem);
          assert.match(error.message, /^Invalid (.+ options|tenant) \(1 problem\):/);
          assert.equal(exitCodeOf(error), EXIT.invalidInput);
          return true;
        });
        assert.deepEqual(calls, [], "nothing of the driver was reached");
      });
    }
  });

  describe("opening a driver", () => {
    let dir: string;
    let stateDir: string;
    const saved = { ...process.env };
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), "tenantstack-badlib-"));
      stateDir = path.join(dir, "state");
      process.env.TENANTSTACK_PASSPHRASE = PASSPHRASE;
    });
    afterEach(() => {
      process.env = { ...saved };
      rmSync(dir, { recursive: true, force: true });
    });

    /** Driver.open must refuse `options` naming `problem`, creating nothing. */
    async function refused(options: Partial<Parameters<typeof Driver.open>[0]>, problem: RegExp): Promise<void> {
      await assert.rejects(Driver.open({ workspace: { stateDir }, ...options }), (error: unknown) => {
        assert.ok(error instanceof InputError, String(error));
        assert.match(error.message, problem);
        assertNoSecret(error.message, "the error");
        assertNoSecret(JSON.stringify(toWire(error)), "the error's wire form");
        return true;
      });
      assert.equal(existsSync(stateDir), false, "no state directory was created");
    }

    it("refuses poolSize 0 (a preview would wait forever)", () =>
      refused({ poolSize: 0 }, /`poolSize` must be an integer between 1 and 64 \(got 0\)/));
    it("refuses poolSize 1.5", () => refused({ poolSize: 1.5 }, /`poolSize` must be an integer between 1 and 64 \(got 1.5\)/));
    it("refuses poolSize NaN", () => refused({ poolSize: NaN }, /`poolSize` must be an integer between 1 and 64 \(got NaN\)/));
    it("refuses an identity with a space", () =>
      refused({ identity: "host a" }, /`identity` must be 1 to 253 letters, digits and .* \(got "host a"\)/));
    it("refuses a lease time to live of 0", () =>
      refused({ leaseTtlSeconds: 0 }, /`leaseTtlSeconds` must be a number of seconds between 1 and 3600 \(got 0\)/));
    it("refuses a heartbeat longer than half the lease's time to live", () =>
      refused(
        { leaseTtlSeconds: 10, heartbeatSeconds: 6 },
        /`heartbeatSeconds` must be at most half of the lease's time to live \(10 s\), so that one late heartbeat does not lose a lease \(got 6\)/,
      ));
    it("refuses a heartbeat longer than half the default time to live", () =>
      refused({ heartbeatSeconds: 31 }, /`heartbeatSeconds` must be at most half of the lease's time to live \(60 s\)/));
    it("refuses a database of another scheme without its password", () =>
      refused(
        { database: `mysql://root:${URL_PASSWORD}@db/x` },
        /`database` must be a SQLite file path .*\(got "mysql:\/\/root:\*\*\*@db\/x"\)/,
      ));
    it("refuses a state directory that is a file", () => {
      writeFileSync(path.join(dir, "file"), "x");
      return refused({ workspace: { stateDir: path.join(dir, "file", "state") } }, /`stateDir` cannot be created: .*file is a file/);
    });
    it("refuses a secrets provider without showing it", () =>
      refused(
        { workspace: { stateDir, secretsProvider: PROVIDER_VALUE } },
        /`secretsProvider` must be "passphrase" or a URL .*\(the value given is not shown\)/,
      ));
    it("refuses a backend URL without showing its password or the passphrase", () =>
      refused(
        { workspace: { stateDir, passphrase: PASSPHRASE, backendUrl: `https://ops:${URL_PASSWORD}@state.example.com/${PASSPHRASE}` } },
        /`backendUrl` must start with .*\(got "https:\/\/ops:\*\*\*@state.example.com\/\*\*\*"\)/,
      ));
    it("lists every problem at once", () =>
      refused(
        { poolSize: 0, database: "", workspace: { stateDir, backendUrl: "ftp://x" } },
        /\(3 problems\)[\s\S]*`database`[\s\S]*`poolSize`[\s\S]*`backendUrl`/,
      ));
    it("refuses an option it does not know (a typo), and a workspace option, naming the one meant", () =>
      refused(
        { poolSise: 2, workspace: { stateDir, stateDirr: "/x" } } as never,
        /\(2 problems\)[\s\S]*`poolSise` is not a known setting \(did you mean "poolSize"\?\); allowed: workspace, database, poolSize,[\s\S]*`workspace.stateDirr` is not a known setting \(did you mean "stateDir"\?\)/,
      ));
  });

  describe("the other public parts", () => {
    it("refuses waves of canary -1 with an InputError, not a RangeError", () =>
      assert.throws(
        () => planWaves([1, 2], { canary: -1 }),
        (error: unknown) => error instanceof InputError && /`canary` must be an integer between 0 and 1000 \(got -1\)/.test(error.message),
      ));

    it("refuses to serve on port 0 or an address that is none, before building the server", async () => {
      const { driver, calls } = fakeDriver();
      await assert.rejects(serve(driver, { port: 0, host: "not a host", token: "x".repeat(16) }), (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.deepEqual(error.problems, [
          "`port` must be an integer between 1 and 65535 (got 0)",
          '`host` must be an IP address or a host name to listen on, such as "127.0.0.1", "0.0.0.0" or "::" (got "not a host")',
        ]);
        return true;
      });
      assert.deepEqual(calls, []);
    });

    it("refuses an executor of poolSize 0", () =>
      assert.throws(
        () => new LocalProcessExecutor({ workspace: {}, poolSize: 0 }),
        /`poolSize` must be an integer between 1 and 64 \(got 0\)/,
      ));

    it("refuses to register a tenant declaring app secrets the driver cannot supply, explaining what to do", async () => {
      const db = openSqlite(":memory:");
      for (const statement of SCHEMA) await db.run(statement);
      const registry = new TenantRegistry(db, ["local"]);
      const settings = {
        ...tenantSettings(),
        secrets: { source: "generated", passwordProvider: "builtin", appSecretNames: ["STRIPE_KEY"] },
      };
      await assert.rejects(registry.create({ ...tenant, settings }), (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.deepEqual(error.problems, [
          '`settings.secrets.appSecretNames[0]` ("STRIPE_KEY") needs a value the driver cannot supply: it sets a stack\'s settings as plain config, never secret config. ' +
            "Read it from a secret store instead (`secrets.source: external` with `remoteKeys.STRIPE_KEY`), or remove it",
        ]);
        return true;
      });
      assert.deepEqual(await registry.list(), [], "nothing was registered");
      await db.close();
    });
  });

  describe("settings through the registry", () => {
    let db: ReturnType<typeof openSqlite>;
    let registry: TenantRegistry;
    beforeEach(async () => {
      db = openSqlite(":memory:");
      for (const statement of SCHEMA) await db.run(statement);
      registry = new TenantRegistry(db, ["local"]);
    });
    afterEach(() => db.close());

    /** `call` must be refused with an InputError naming exactly `problems`, the registry as it was. */
    async function refused(call: () => Promise<unknown>, problems: readonly RegExp[]): Promise<void> {
      const before = await registry.list();
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof InputError, String(error));
        assert.equal(error.problems.length, problems.length, error.message);
        problems.forEach((problem, i) => assert.match(error.problems[i], problem));
        assert.equal(exitCodeOf(error), EXIT.invalidInput);
        assertNoSecret(error.message, "the error");
        return true;
      });
      assert.deepEqual(await registry.list(), before, "nothing registered or changed");
    }
    const settings = (json: string) => ({ ...tenant, settings: JSON.parse(json) as Record<string, unknown> });
    const reserved = (path: string) => new RegExp(`^\`${path.replace(/[.[\]]/g, "\\$&")}\` ${RESERVED}$`);

    const CREATE: [title: string, input: () => unknown, problems: RegExp[]][] = [
      [
        "settings that are a __proto__ key",
        () => settings('{"__proto__": {"ollama": {"enabled": true}}}'),
        [reserved("settings.__proto__")],
      ],
      [
        "api settings holding a __proto__ key",
        () => ({ ...tenant, settings: { ...tenantSettings(), api: JSON.parse('{"__proto__": {"replicas": 5}}') } }),
        [reserved("settings.api.__proto__")],
      ],
      [
        "a setting named constructor",
        () => ({ ...tenant, settings: { ...tenantSettings(), constructor: {} } }),
        [reserved("settings.constructor")],
      ],
      [
        "env variables named constructor and prototype",
        () => ({
          ...tenant,
          settings: { ...tenantSettings(), worker: { ...tenantSettings().worker, env: { constructor: "x", prototype: "y" } } },
        }),
        [reserved("settings.worker.env.constructor"), reserved("settings.worker.env.prototype")],
      ],
      [
        "a plaintext credential, its value not shown",
        () => ({
          ...tenant,
          settings: { ...tenantSettings(), worker: { ...tenantSettings().worker, env: { REDIS_PASSWORD: URL_PASSWORD } } },
        }),
        [/^`settings.worker.env.REDIS_PASSWORD` must not name a credential of the stack.*\(got "REDIS_PASSWORD"\)$/],
      ],
      [
        "an app secret replacing the Redis password",
        () => ({ ...tenant, settings: { ...tenantSettings(), secrets: { source: "generated", appSecretNames: ["REDIS_PASSWORD"] } } }),
        [/^`settings.secrets.appSecretNames\[0\]` must not name a credential the stack generates itself/],
      ],
      [
        "a memory request above its limit and an uppercase image repository",
        () => ({
          ...tenant,
          settings: {
            ...tenantSettings(),
            api: { ...tenantSettings().api, image: "Hashicorp/http-echo:1.0.0", resources: { memoryRequest: "2Gi", memoryLimit: "1Gi" } },
          },
        }),
        [
          /^`settings.api.image` must be a container image reference.*\(got "Hashicorp\/http-echo:1.0.0"\)$/,
          /^`settings.api.resources.memoryRequest` must not exceed `memoryLimit` \(1Gi\) \(got "2Gi"\)$/,
        ],
      ],
      [
        "a misspelt setting, the one meant named",
        () => ({ ...tenant, settings: { ...tenantSettings(), redis: { ...tenantSettings().redis, maxmemroyMb: 32 } } }),
        [/^`settings.redis.maxmemroyMb` is not a known setting \(did you mean "maxmemoryMb"\?\)/],
      ],
    ];
    for (const [title, input, problems] of CREATE) {
      it(`refuses to register a tenant with ${title}`, () => refused(() => registry.create(input() as never), problems));
    }

    const UPDATE: [title: string, patch: () => unknown, problems: RegExp[]][] = [
      [
        "settings that are a __proto__ key",
        () => JSON.parse('{"settings": {"__proto__": {"api": {"replicas": 5}}}}'),
        [reserved("settings.__proto__")],
      ],
      [
        "api settings holding a __proto__ key",
        () => JSON.parse('{"settings": {"api": {"__proto__": {"maxUnavailable": 0}}}}'),
        [reserved("settings.api.__proto__")],
      ],
      [
        "a patch that is a __proto__ key",
        () => JSON.parse('{"__proto__": {"host": "evil.example.com"}}'),
        [/^`__proto__` is not a known setting; allowed: /],
      ],
      ["a setting named prototype", () => ({ settings: { prototype: { api: {} } } }), [reserved("settings.prototype")]],
      [
        "a misspelt setting, the one meant named",
        () => ({ settings: { api: { replcias: 2 } } }),
        [/^`settings.api.replcias` is not a known setting \(did you mean "replicas"\?\)/],
      ],
    ];
    for (const [title, patch, problems] of UPDATE) {
      it(`refuses to update a tenant with ${title}, changing nothing`, async () => {
        await registry.create(tenant);
        await refused(() => registry.update("acme", patch() as never), problems);
        assert.deepEqual(Object.getPrototypeOf((await registry.show("acme")).settings), Object.prototype);
      });
    }
  });

  describe("errors as every surface reports them", () => {
    const validation = new ValidationError("tenantstack stack settings", [
      { propertyPath: "api.replicas", reason: "must be an integer (got 0)" },
    ]);

    it("maps the schema's ValidationError to invalid input: exit 2, code invalid_input, a ValidationError on the wire", () => {
      assert.equal(exitCodeOf(validation), EXIT.invalidInput);
      assert.equal(errorCode(validation), "invalid_input");
      const wire = toWire(validation);
      assert.equal(exitCodeOfErrors([wire]), EXIT.invalidInput);
      assert.equal(wire.name, "ValidationError");
      assert.equal(wire.code, "invalid_input");
      assert.deepEqual(wire.args, ["tenantstack stack settings", [{ propertyPath: "api.replicas", reason: "must be an integer (got 0)" }]]);
    });

    it("keeps anything else internal (exit 70)", () => {
      assert.equal(exitCodeOf(new RangeError("x")), EXIT.internal);
      assert.equal(errorCode(new Error("x")), "internal");
    });

    it("redacts every thrown message and problem: URL passwords and known secrets", () => {
      process.env.TENANTSTACK_PASSPHRASE = PASSPHRASE;
      try {
        const error = new InputError("x", [`\`url\` is postgres://u:${URL_PASSWORD}@db/x, passphrase ${PASSPHRASE}`]);
        assert.deepEqual(error.problems, ["`url` is postgres://u:***@db/x, passphrase ***"]);
        assertNoSecret(error.message, "the message");
      } finally {
        delete process.env.TENANTSTACK_PASSPHRASE;
      }
    });
  });
});
