/**
 * Bad inputs of the public parts used directly, and of the program under mocks (issue 17), table-driven: each
 * part validates its own arguments with the stack's schema before it registers anything, names every
 * problem's field, and never quotes a secret; no script of a part holds a value in its shell source.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Api, AppStack, Ingress, InvalidArgsError, Ollama, Postgres, PostgresBackup, Redis, Secrets, Worker } from "../../../components";
import { assertProblems, type Expected, got, plain, PLANTED_SECRET, secret } from "../badInput";
import { dedicatedStack } from "../fixtures";
import { capture, podSpecs, resolve } from "./capture";
import { mockedResources } from "./mocks";

const TENANT_NAME = "must be a DNS-1123 label: lowercase letters, digits and '-'";
const RESERVED_TENANT = 'must not be "shared"';
const HOST = "must be a DNS-1123 host name of two or more dot-separated labels of 1-63";
const CRON = "must be a five-field cron schedule";
const IMAGE = "must be a container image reference (lowercase repository, one tag and/or a digest)";
const CPU_LIMIT = "must be a CPU quantity above 0";
const PLAINTEXT_CREDENTIAL = "must not name a credential of the stack";
const RESERVED = 'is not allowed: no key may be named "__proto__", "constructor" or "prototype"';
const RESERVED_NAME = 'other than "__proto__", "constructor" or "prototype"';
const WIRING = {
  credentialKeys: ["POSTGRES_PASSWORD", "REDIS_PASSWORD", "APP_SECRET_KEY"],
  tenancyMode: "shared" as const,
  tenants: ["acme"],
  ollama: false,
};
const BACKUP = {
  enabled: true,
  schedule: "0 3 * * *",
  retentionDays: 14,
  startingDeadlineSeconds: 3600,
  destination: { type: "volume" as const, storageGi: 20 },
};

/** Builds a part and asserts it throws an InvalidArgsError of `component` before it registers anything. */
function refusal(component: string, build: (opts: pulumi.ComponentResourceOptions) => unknown): InvalidArgsError {
  const { resources, opts } = capture();
  let thrown: unknown;
  try {
    build(opts);
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof InvalidArgsError, `an InvalidArgsError, got ${String(thrown)}`);
  assert.ok(thrown.message.startsWith(`Invalid arguments of ${component} (`), thrown.message);
  assert.deepEqual(
    resources.map((r) => r.name),
    [],
    "nothing registered",
  );
  return thrown;
}

type Case = readonly [
  component: string,
  title: string,
  build: (opts: pulumi.ComponentResourceOptions) => unknown,
  expected: readonly Expected[],
];

const CREDENTIALS = { credentialsSecretName: "credentials", tenantCredentialsSecretName: "tenant-credentials" };

const BAD_TENANTS = ["acme;rm -rf /", "acme corp ~* &* +@all", "$(id)", "acme\nuser evil on", "`id`", "Acme", "__proto__", "a".repeat(41)];

const postgres = (args: Partial<ConstructorParameters<typeof Postgres>[1]>) => (opts: pulumi.ComponentResourceOptions) =>
  new Postgres("db", { namespace: "apps", credentials: CREDENTIALS, spec: {}, ...args }, opts);
const backup =
  (destination: unknown, more: Record<string, unknown> = {}) =>
  (opts: pulumi.ComponentResourceOptions) =>
    new PostgresBackup(
      "backup",
      {
        namespace: "apps",
        instance: "app",
        credentials: CREDENTIALS,
        image: "postgres:16.6",
        backup: { ...BACKUP, destination, ...more } as never,
      },
      opts,
    );
const secrets = (args: Partial<ConstructorParameters<typeof Secrets>[1]>) => (opts: pulumi.ComponentResourceOptions) =>
  new Secrets("secrets", { namespace: "apps", spec: { source: "generated" }, tenants: ["acme"], ...args }, opts);
const redis = (spec: Record<string, unknown>) => (opts: pulumi.ComponentResourceOptions) =>
  new Redis("cache", { namespace: "apps", credentials: CREDENTIALS, spec }, opts);
const ingress = (hosts: string[]) => (opts: pulumi.ComponentResourceOptions) =>
  new Ingress("ingress", { namespace: "apps", spec: { tls: { issuer: "none" } }, hosts }, opts);
const ollama = (spec: Record<string, unknown>) => (opts: pulumi.ComponentResourceOptions) =>
  new Ollama("llm", { namespace: "apps", spec }, opts);
const api =
  (spec: Record<string, unknown>, wiring: Partial<typeof WIRING> = {}) =>
  (opts: pulumi.ComponentResourceOptions) =>
    new Api(
      "api",
      {
        namespace: "apps",
        credentials: CREDENTIALS,
        spec: { image: "ghcr.io/example/api:1.0.0", ...spec },
        wiring: { ...WIRING, ...wiring },
      },
      opts,
    );
const worker =
  (spec: Record<string, unknown>, wiring: Partial<typeof WIRING> = {}) =>
  (opts: pulumi.ComponentResourceOptions) =>
    new Worker(
      "worker",
      {
        namespace: "apps",
        credentials: CREDENTIALS,
        spec: { image: "ghcr.io/example/worker:1.0.0", ...spec },
        wiring: { ...WIRING, ...wiring },
      },
      opts,
    );

const cases: Case[] = [
  // Tenant names reach the provisioning Job and the Redis ACL lines only once checked.
  ...BAD_TENANTS.map((tenant): Case => [
    'Postgres "db"',
    `the tenant ${JSON.stringify(tenant)}`,
    postgres({ tenants: [tenant] }),
    [got("tenants[0]", TENANT_NAME, tenant)],
  ]),
  ...BAD_TENANTS.map((tenant): Case => [
    'Secrets "secrets"',
    `the tenant ${JSON.stringify(tenant)}`,
    secrets({ tenants: [tenant] }),
    [got("tenants[0]", TENANT_NAME, tenant)],
  ]),
  ['Postgres "db"', "the tenant shared", postgres({ tenants: ["shared"] }), [got("tenants[0]", RESERVED_TENANT, "shared")]],
  ['Secrets "secrets"', "the tenant shared", secrets({ tenants: ["shared"] }), [got("tenants[0]", RESERVED_TENANT, "shared")]],
  [
    'Api "api"',
    "a wiring tenant with an ACL rule",
    api({}, { tenants: ["a ~* &* +@all"] }),
    [got("wiring.tenants[0]", TENANT_NAME, "a ~* &* +@all")],
  ],
  ['Postgres "db"', "a namespace with a ;", postgres({ namespace: "apps;x" }), [got("namespace", "must be a DNS-1123 label", "apps;x")]],

  // Backup destinations reach the CronJob's environment only once checked.
  [
    'PostgresBackup "backup"',
    "an S3 bucket with a ;",
    backup({ type: "s3", bucket: "b;rm -rf /", region: "eu-west-1" }),
    [got("backup.destination.bucket", "must be an S3 bucket name", "b;rm -rf /")],
  ],
  [
    'PostgresBackup "backup"',
    "an S3 bucket with $()",
    backup({ type: "s3", bucket: "$(id)", region: "eu-west-1" }),
    [got("backup.destination.bucket", "must be an S3 bucket name", "$(id)")],
  ],
  [
    'PostgresBackup "backup"',
    "an S3 region with a ;",
    backup({ type: "s3", bucket: "acme-backups", region: "eu-west-1;id" }),
    [got("backup.destination.region", "must be an AWS region", "eu-west-1;id")],
  ],
  [
    'PostgresBackup "backup"',
    "an S3 prefix with a space",
    backup({ type: "s3", bucket: "acme-backups", region: "eu-west-1", prefix: "a b" }),
    [got("backup.destination.prefix", "must be an object key prefix", "a b")],
  ],
  [
    'PostgresBackup "backup"',
    "an S3 prefix with a wildcard",
    backup({ type: "s3", bucket: "acme-backups", region: "eu-west-1", prefix: "*" }),
    [got("backup.destination.prefix", "must be an object key prefix", "*")],
  ],
  [
    'PostgresBackup "backup"',
    "a GCS bucket with a ;",
    backup({ type: "gcs", bucket: "b;id" }),
    [got("backup.destination.bucket", "must be a GCS bucket name", "b;id")],
  ],
  [
    'PostgresBackup "backup"',
    "an Azure account with a ;",
    backup({ type: "azureBlob", storageAccount: "acct;id", container: "dumps" }),
    [got("backup.destination.storageAccount", "must be an Azure storage account name", "acct;id")],
  ],
  [
    'PostgresBackup "backup"',
    "an Azure container with a quote",
    backup({ type: "azureBlob", storageAccount: "acct", container: "d'umps" }),
    [got("backup.destination.container", "must be an Azure blob container name", "d'umps")],
  ],
  [
    'PostgresBackup "backup"',
    "a retention as text",
    backup({ type: "volume", storageGi: 20 }, { retentionDays: "14;id" }),
    [got("backup.retentionDays", "must be an integer between 1 and 3650", "14;id")],
  ],
  [
    'PostgresBackup "backup"',
    "the schedule 99 99 99 99 99",
    backup({ type: "volume", storageGi: 20 }, { schedule: "99 99 99 99 99" }),
    [got("backup.schedule", CRON, "99 99 99 99 99")],
  ],
  [
    'PostgresBackup "backup"',
    "an uppercase image",
    (opts) =>
      new PostgresBackup(
        "backup",
        { namespace: "apps", instance: "app", credentials: CREDENTIALS, image: "Postgres:16", backup: BACKUP },
        opts,
      ),
    [got("image", IMAGE, "Postgres:16")],
  ],
  [
    'Postgres "db"',
    "the backup schedule * * * * 7",
    postgres({ spec: { backup: { schedule: "* * * * 7" } } }),
    [got("spec.backup.schedule", CRON, "* * * * 7")],
  ],

  // Redis used alone: maxmemory below the memory limit.
  [
    'Redis "cache"',
    "maxmemory above the memory limit",
    redis({ maxmemoryMb: 2048 }),
    [got("spec.maxmemoryMb", "must be below `resources.memoryLimit` (1Gi)", 2048)],
  ],
  [
    'Redis "cache"',
    "maxmemory equal to a smaller limit",
    redis({ maxmemoryMb: 512, resources: { memoryRequest: "256Mi", memoryLimit: "512Mi" } }),
    [got("spec.maxmemoryMb", "must be below `resources.memoryLimit` (512Mi)", 512)],
  ],
  ['Redis "cache"', "an image with two colons", redis({ image: "redis:7.4:2" }), [got("spec.image", IMAGE, "redis:7.4:2")]],
  [
    'Redis "cache"',
    "a CPU limit of 0",
    redis({ resources: { cpuRequest: "0", cpuLimit: "0" } }),
    [got("spec.resources.cpuLimit", CPU_LIMIT, "0")],
  ],

  // Ingress hosts.
  ...[
    "10.0.0.1",
    "*.example.com",
    "https://acme.example.com",
    `${"a".repeat(64)}.example.com`,
    "acme.example.com:443",
    "acme.example.com;id",
  ].map((host): Case => ['Ingress "ingress"', `the host ${JSON.stringify(host)}`, ingress([host]), [got("hosts[0]", HOST, host)]]),

  // Ollama models reach the pull Job as arguments only once checked.
  [
    'Ollama "llm"',
    "a model with a quote",
    ollama({ models: ["llama3'; id; '"] }),
    [got("spec.models[0]", "must be an Ollama model name", "llama3'; id; '")],
  ],
  ['Ollama "llm"', "a model with $()", ollama({ models: ["$(id)"] }), [got("spec.models[0]", "must be an Ollama model name", "$(id)")]],
  [
    'Ollama "llm"',
    "an uppercase image repository",
    ollama({ image: "Ollama/ollama:0.6.5" }),
    [got("spec.image", IMAGE, "Ollama/ollama:0.6.5")],
  ],
  [
    'Ollama "llm"',
    "a memory request above its limit",
    ollama({ resources: { memoryRequest: "32Gi" } }),
    [got("spec.resources.memoryRequest", "must not exceed `memoryLimit` (16Gi)", "32Gi")],
  ],

  // Credentials: generated names, plaintext variables, prototype names.
  [
    'Secrets "secrets"',
    "an app secret named POSTGRES_PASSWORD",
    secrets({
      spec: { source: "generated", appSecretNames: ["POSTGRES_PASSWORD"] },
      appSecretValues: { POSTGRES_PASSWORD: pulumi.secret(PLANTED_SECRET) },
    }),
    [got("spec.appSecretNames[0]", "must not name a credential the stack generates itself", "POSTGRES_PASSWORD")],
  ],
  [
    'Secrets "secrets"',
    "an app secret value keyed by a bad name",
    secrets({ appSecretValues: { "NOT A NAME": PLANTED_SECRET } }),
    [got("appSecretValues.NOT A NAME", "must be an environment variable name", "NOT A NAME")],
  ],
  [
    'Secrets "secrets"',
    "an app secret without its value",
    secrets({ spec: { source: "generated", appSecretNames: ["OPENAI_API_KEY"] }, appSecretValues: { OPENAI_KEY: PLANTED_SECRET } }),
    [plain("appSecretValues.OPENAI_API_KEY", "is required by `spec.appSecretNames`")],
  ],
  [
    'Secrets "secrets"',
    "an app secret value keyed by constructor",
    secrets({ spec: { source: "generated", appSecretNames: ["OPENAI_API_KEY"] }, appSecretValues: { constructor: PLANTED_SECRET } }),
    [got("appSecretValues.constructor", `must be an environment variable name ${RESERVED_NAME}`, "constructor")],
  ],
  [
    'Secrets "secrets"',
    "an app secret value keyed by __proto__",
    secrets({ appSecretValues: JSON.parse(`{"__proto__": "${PLANTED_SECRET}"}`) }),
    [plain("appSecretValues.__proto__", RESERVED)],
  ],
  [
    'Secrets "secrets"',
    "a remote key for constructor",
    secrets({
      spec: {
        source: "external",
        store: { name: "vault" },
        remoteKeys: { postgresPassword: "a", redisPassword: "b", appSecretKey: "c", constructor: "d" },
      },
    }),
    [got("spec.remoteKeys.constructor", `must be a credential name ${RESERVED_NAME}`, "constructor")],
  ],
  [
    'Secrets "secrets"',
    "a remote key for toString",
    secrets({
      spec: {
        source: "external",
        store: { name: "vault" },
        remoteKeys: { postgresPassword: "a", redisPassword: "b", appSecretKey: "c", toString: "d" },
      },
    }),
    [got("spec.remoteKeys.toString", "must be keyed by a credential name", "toString")],
  ],
  [
    'Api "api"',
    "an env variable named constructor",
    api({ env: { constructor: PLANTED_SECRET } }),
    [got("spec.env.constructor", `must be an environment variable name ${RESERVED_NAME}`, "constructor")],
  ],
  [
    'Worker "worker"',
    "a spec holding a __proto__ key",
    worker(JSON.parse('{"__proto__": {"replicas": 5}}')),
    [plain("spec.__proto__", "is not a known setting")],
  ],
  [
    'Postgres "db"',
    "a parameter named prototype",
    postgres({ spec: { parameters: { prototype: "x" } } }),
    [plain("spec.parameters.prototype", RESERVED)],
  ],
  [
    'Postgres "db"',
    "a misspelt setting, the one meant named",
    postgres({ spec: { storagGi: 10 } as never }),
    [plain("spec.storagGi", 'is not a known setting (did you mean "storageGi"?); allowed: ')],
  ],
  [
    'Redis "cache"',
    "a misspelt setting, the one meant named",
    redis({ maxmemory_mb: 64 }),
    [plain("spec.maxmemory_mb", 'is not a known setting (did you mean "maxmemoryMb"?); allowed: ')],
  ],
  [
    'Api "api"',
    "a misspelt resource, the one meant named",
    api({ resources: { memLimit: "1Gi", cpulimit: "1" } }),
    [
      plain("spec.resources.memLimit", "is not a known setting; allowed: "),
      plain("spec.resources.cpulimit", 'is not a known setting (did you mean "cpuLimit"?); allowed: '),
    ],
  ],
  [
    'Api "api"',
    "env.POSTGRES_PASSWORD in plaintext",
    api({ env: { POSTGRES_PASSWORD: PLANTED_SECRET } }),
    [got("spec.env.POSTGRES_PASSWORD", PLAINTEXT_CREDENTIAL, "POSTGRES_PASSWORD")],
  ],
  [
    'Worker "worker"',
    "env.REDIS_PASSWORD in plaintext",
    worker({ env: { REDIS_PASSWORD: PLANTED_SECRET } }),
    [got("spec.env.REDIS_PASSWORD", PLAINTEXT_CREDENTIAL, "REDIS_PASSWORD")],
  ],
  [
    'Worker "worker"',
    "env naming an app secret of the wiring",
    worker({ env: { OPENAI_API_KEY: PLANTED_SECRET } }, { credentialKeys: [...WIRING.credentialKeys, "OPENAI_API_KEY"] }),
    [got("spec.env.OPENAI_API_KEY", PLAINTEXT_CREDENTIAL, "OPENAI_API_KEY")],
  ],
  [
    'Api "api"',
    "an env variable named __proto__",
    api({ env: JSON.parse(`{"__proto__": "${PLANTED_SECRET}"}`) }),
    [plain("spec.env.__proto__", RESERVED)],
  ],
  [
    'Api "api"',
    "an image with an uppercase repository",
    api({ image: "ghcr.io/Acme/api:1.0.0" }),
    [got("spec.image", IMAGE, "ghcr.io/Acme/api:1.0.0")],
  ],
  [
    'Api "api"',
    "a CPU request above its limit",
    api({ resources: { cpuRequest: "2", cpuLimit: "1" } }),
    [got("spec.resources.cpuRequest", "must not exceed `cpuLimit` (1)", "2")],
  ],
  [
    'Worker "worker"',
    "a CPU limit of 0",
    worker({ resources: { cpuRequest: "0", cpuLimit: "0.0" } }),
    [got("spec.resources.cpuLimit", CPU_LIMIT, "0.0")],
  ],

  // The whole stack as a part.
  [
    'AppStack "app"',
    "a dedicated tenant named shared",
    (opts) =>
      new AppStack(
        "app",
        { ...dedicatedStack(), tenancy: { mode: "dedicated", tenant: { name: "shared", host: "shared.example.com" } } },
        opts,
      ),
    [got("tenancy.tenant.name", RESERVED_TENANT, "shared")],
  ],
  [
    'AppStack "app"',
    "an IP host and a plaintext credential, with a secret app value",
    (opts) =>
      new AppStack(
        "app",
        {
          ...dedicatedStack(),
          tenancy: { mode: "dedicated", tenant: { name: "acme", host: "10.0.0.1" } },
          api: { image: "ghcr.io/example/api:1.0.0", env: { APP_SECRET_KEY: PLANTED_SECRET } },
          secrets: { source: "generated", appSecretNames: ["OPENAI_API_KEY"] },
          appSecretValues: { OPENAI_API_KEY: pulumi.secret(PLANTED_SECRET) },
        },
        opts,
      ),
    [got("tenancy.tenant.host", HOST, "10.0.0.1"), got("api.env.APP_SECRET_KEY", PLAINTEXT_CREDENTIAL, "APP_SECRET_KEY")],
  ],
];

describe("bad input: the parts used directly", () => {
  for (const [component, title, build, expected] of cases) {
    it(`${component} refuses ${title}`, () => {
      const error = refusal(component, build);
      assertProblems(error.errors, error.message, expected);
    });
  }
});

describe("no part puts a value into shell source", () => {
  /** Every container's shell script (`sh -c` / `bash -c`) of the captured workloads, with its environment and arguments. */
  async function scripts(build: (opts: pulumi.ComponentResourceOptions) => unknown) {
    const { resources, opts } = capture();
    build(opts);
    const pods = await podSpecs(resources);
    return [...pods.values()].flatMap((pod: any) =>
      [...(pod.initContainers ?? []), ...pod.containers]
        .filter((c: any) => Array.isArray(c.command) && c.command[1] === "-c")
        .map((c: any) => ({
          name: c.name as string,
          script: c.command[2] as string,
          args: c.command.slice(3) as string[],
          env: (c.env ?? []) as any[],
        })),
    );
  }
  const envValue = (env: any[], name: string) => env.find((v) => v.name === name)?.value;

  it("the S3 upload reads its bucket, prefix and region from the environment", async () => {
    const [, upload] = await scripts(
      backup({ type: "s3", bucket: "acme-ai-backups", region: "eu-west-1", prefix: "nightly/pg", scratchGi: 10 }),
    );
    assert.equal(upload.name, "upload");
    assert.doesNotMatch(upload.script, /acme-ai-backups|eu-west-1|nightly/);
    assert.match(upload.script, /"s3:\/\/\$BACKUP_BUCKET\/\$BACKUP_PREFIX\/\$file" --region "\$BACKUP_REGION"/);
    assert.deepEqual(
      ["BACKUP_BUCKET", "BACKUP_PREFIX", "BACKUP_REGION"].map((n) => envValue(upload.env, n)),
      ["acme-ai-backups", "nightly/pg", "eu-west-1"],
    );
  });

  it("the GCS and Azure uploads do too", async () => {
    const [, gcs] = await scripts(backup({ type: "gcs", bucket: "acme-ai-backups", prefix: "pg", scratchGi: 10 }));
    assert.doesNotMatch(gcs.script, /acme-ai-backups/);
    assert.equal(envValue(gcs.env, "BACKUP_BUCKET"), "acme-ai-backups");
    const [, azure] = await scripts(
      backup({ type: "azureBlob", storageAccount: "acmebackups", container: "dumps", prefix: "pg", scratchGi: 10 }),
    );
    assert.doesNotMatch(azure.script, /acmebackups|dumps/);
    assert.deepEqual([envValue(azure.env, "BACKUP_STORAGE_ACCOUNT"), envValue(azure.env, "BACKUP_CONTAINER")], ["acmebackups", "dumps"]);
  });

  it("the tenant provisioning reads each role from the environment", async () => {
    const [provision] = (await scripts(postgres({ tenants: ["acme", "globex"], spec: { backup: { enabled: false } } }))).filter(
      (s) => s.name === "provision",
    );
    assert.doesNotMatch(provision.script, /acme|globex/);
    assert.deepEqual(
      [envValue(provision.env, "TENANT_0_ROLE"), envValue(provision.env, "TENANT_1_ROLE")],
      ["tenant_acme", "tenant_globex"],
    );
  });

  it("the model pull takes its models as arguments", async () => {
    const [pull] = (await scripts(ollama({ models: ["llama3.2:1b", "qwen2.5:0.5b"] }))).filter((s) => s.name === "pull-models");
    assert.doesNotMatch(pull.script, /llama3|qwen/);
    assert.deepEqual(pull.args, ["pull-models", "llama3.2:1b", "qwen2.5:0.5b"]);
  });
});

describe("bad input: the program's config, under mocks", () => {
  // Loaded after the mocks (mocha `require`), as the engine would load it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = require("../../../index") as () => Promise<unknown>;
  const good = () => {
    const input = dedicatedStack();
    return Object.fromEntries(
      Object.entries(input).map(([key, value]) => [`tenantstack:${key}`, typeof value === "string" ? value : JSON.stringify(value)]),
    );
  };
  afterEach(() => pulumi.runtime.setAllConfig({}, []));
  /** The resources the mocks created while `run` ran, and a moment after (registration is asynchronous). */
  async function registeredDuring(run: () => Promise<void>): Promise<string[]> {
    const before = mockedResources.length;
    await run();
    await new Promise((done) => setTimeout(done, 200));
    return mockedResources.slice(before);
  }

  const programCases: [title: string, config: Record<string, string>, secretKeys: string[], expected: Expected[]][] = [
    [
      "malformed JSON set as a secret",
      { ...good(), "tenantstack:api": `{"image": "${PLANTED_SECRET}"` },
      ["tenantstack:api"],
      [secret("tenantstack:api", "must be valid JSON")],
    ],
    [
      "a secret api with a bad image",
      { ...good(), "tenantstack:api": JSON.stringify({ image: PLANTED_SECRET }) },
      ["tenantstack:api"],
      [secret("tenantstack:api.image", IMAGE)],
    ],
    [
      "the key tenantstack:__proto__",
      { ...good(), "tenantstack:__proto__": JSON.stringify({ environment: "prod" }) },
      [],
      [plain("tenantstack:__proto__", "is not a known setting")],
    ],
    [
      "a misspelt key, the one meant named",
      { ...good(), "tenantstack:postgress": "{}" },
      [],
      [plain("tenantstack:postgress", 'is not a known setting (did you mean "postgres"?); allowed: ')],
    ],
    [
      "an api holding a __proto__ key",
      { ...good(), "tenantstack:api": '{"image": "ghcr.io/example/api:1.0.0", "__proto__": {"replicas": 5}}' },
      [],
      [plain("tenantstack:api.__proto__", "is not a known setting")],
    ],
    [
      "a secret api whose env holds a constructor key",
      { ...good(), "tenantstack:api": JSON.stringify({ image: "ghcr.io/example/api:1.0.0", env: { constructor: PLANTED_SECRET } }) },
      ["tenantstack:api"],
      [secret("tenantstack:api.env.constructor", RESERVED_NAME)],
    ],
    [
      "a dedicated tenant named shared",
      { ...good(), "tenantstack:tenancy": JSON.stringify({ mode: "dedicated", tenant: { name: "shared", host: "a.example.com" } }) },
      [],
      [got("tenantstack:tenancy.tenant.name", RESERVED_TENANT, "shared")],
    ],
  ];
  for (const [title, config, secretKeys, expected] of programCases) {
    it(`refuses ${title} with a RunError, no stack trace and nothing registered`, async () => {
      pulumi.runtime.setAllConfig(config, secretKeys);
      let thrown: unknown;
      const registered = await registeredDuring(async () => {
        try {
          await program();
        } catch (error) {
          thrown = error;
        }
      });
      assert.ok(pulumi.RunError.isInstance(thrown), `a RunError (reported without a stack trace), got ${String(thrown)}`);
      const message = (thrown as Error).message;
      const problems = message
        .split("\n")
        .slice(1)
        .map((line) => /^ {2}- `([^`]+)` (.*)$/.exec(line))
        .map((m) => ({ propertyPath: m![1], reason: m![2] }));
      assertProblems(problems, message, expected);
      assert.deepEqual(registered, [], "nothing registered");
    });
  }

  it("builds the stack from good config (the cases above fail for their input alone)", async () => {
    pulumi.runtime.setAllConfig(good(), []);
    let outputs: any;
    const registered = await registeredDuring(async () => {
      outputs = await program();
    });
    assert.equal(outputs.environment, "dev");
    assert.ok(registered.includes("tenantstack-namespace-namespace"), registered.join(", "));
    assert.equal(await resolve(outputs.namespace), "tenantstack-dev-acme");
  });
});
