/**
 * Bad inputs of the stack schema and of the program's config (issue 17), table-driven: each is refused with
 * every problem at once, each naming its field, quoting the value unless it is secret, and saying what is
 * allowed; a planted secret never appears.
 */
import * as assert from "node:assert/strict";
import { parseStack, readStackConfig, stackConfigOf, stackName, type StackInput, ValidationError } from "../../../schema";
import { assertProblems, type Expected, got, NOT_SHOWN, plain, PLANTED_SECRET, secret } from "../badInput";
import { dedicatedStack, sharedStack } from "../fixtures";

const HOST = "must be a DNS-1123 host name of two or more dot-separated labels of 1-63";
const CRON = 'must be a five-field cron schedule such as "0 3 * * *" (minute 0-59';
const IMAGE = "must be a container image reference (lowercase repository, one tag and/or a digest)";
const CPU = 'must be a CPU quantity such as "250m" or "2"';
const CPU_LIMIT = "must be a CPU quantity above 0";
const MEMORY = "must be a memory quantity with a binary unit";
const RESERVED_TENANT = 'must not be "shared": a dedicated tenant\'s stack is "<environment>-<tenant>"';
const RESERVED_SECRET = "must not name a credential the stack generates itself";
const PLAINTEXT_CREDENTIAL = "must not name a credential of the stack";
const RESERVED = 'is not allowed: no key may be named "__proto__", "constructor" or "prototype"';
const RESERVED_NAME = 'other than "__proto__", "constructor" or "prototype"';
const UNKNOWN = "is not a known setting";
/** An unknown key's reason suggesting `key`. */
const meant = (key: string) => `is not a known setting (did you mean "${key}"?); allowed: `;
/** An unknown key's reason suggesting nothing. */
const NO_GUESS = "is not a known setting; allowed: ";

/** The error of parsing `input`; fails when it is valid or throws anything else. */
function refusal(parse: () => unknown): ValidationError {
  try {
    parse();
  } catch (error) {
    assert.ok(error instanceof ValidationError, `a ValidationError, got ${String(error)}`);
    return error;
  }
  assert.fail("the input was accepted");
}

/** A copy of `base` with `change` applied. */
function withChange(base: StackInput, change: (s: any) => void): StackInput {
  const copy = structuredClone(base);
  change(copy);
  return copy;
}

type Case = readonly [title: string, input: StackInput, expected: readonly Expected[]];
const dedicated = (change: (s: any) => void) => withChange(dedicatedStack(), change);
const shared = (change: (s: any) => void) => withChange(sharedStack(), change);

const BAD_HOSTS = [
  "10.0.0.1",
  "192.168.0.300",
  "acme.123",
  "*.example.com",
  "https://acme.example.com",
  "acme.example.com:8443",
  "acme.example.com/app",
  `${"a".repeat(64)}.example.com`,
  `acme.${"b".repeat(64)}.com`,
  "localhost",
  "acme..example.com",
  "-acme.example.com",
  "acme-.example.com",
  "Acme.example.com",
  "acme.example.com.",
  " acme.example.com",
  "acme_corp.example.com",
];

const BAD_CRONS = [
  "99 99 99 99 99",
  "60 * * * *",
  "* 24 * * *",
  "* * 0 * *",
  "* * 32 * *",
  "* * * 0 *",
  "* * * 13 *",
  "* * * * 7",
  "* * * *",
  "* * * * * *",
  "*/0 * * * *",
  "5-1 * * * *",
  "1-2-3 * * * *",
  "1,,2 * * * *",
  "-1 * * * *",
  "* * * foo *",
  "@every 1h",
  "@reboot",
  "daily",
  "",
];

const BAD_IMAGES = [
  "ghcr.io/Acme/api:1.0.0",
  "Acme/api:1.0.0",
  "ghcr.io/acme/API:1.0.0",
  "ghcr.io/acme/api:1.0:2",
  "api::1",
  "ghcr.io//api:1.0.0",
  "ghcr.io/acme/api:1.0.0 ",
  "ghcr.io/acme/api:-1",
  "ghcr.io/acme/api@sha256:abc",
  ":1.0.0",
  "ghcr.io/acme/api:1.0.0;id",
];

const cases: Case[] = [
  // Stack names of the two placements never collide.
  [
    "a dedicated tenant named shared",
    dedicated((s) => (s.tenancy.tenant.name = "shared")),
    [got("tenancy.tenant.name", RESERVED_TENANT, "shared")],
  ],
  [
    "a shared tenant named shared",
    shared((s) => (s.tenancy.tenants[1].name = "shared")),
    [got("tenancy.tenants[1].name", RESERVED_TENANT, "shared")],
  ],

  // Host names: no IP address, wildcard, URL, port or over-long label.
  ...BAD_HOSTS.map((host): Case => [
    `the host ${JSON.stringify(host)}`,
    dedicated((s) => (s.tenancy.tenant.host = host)),
    [got("tenancy.tenant.host", HOST, host)],
  ]),

  // Cron schedules within their ranges.
  ...BAD_CRONS.map((schedule): Case => [
    `the backup schedule ${JSON.stringify(schedule)}`,
    dedicated((s) => (s.postgres = { backup: { schedule } })),
    [got("postgres.backup.schedule", CRON, schedule)],
  ]),

  // Image references.
  ...BAD_IMAGES.map((image): Case => [
    `the image ${JSON.stringify(image)}`,
    dedicated((s) => (s.api.image = image)),
    [got("api.image", IMAGE, image)],
  ]),
  ["a Redis image with two colons", dedicated((s) => (s.redis = { image: "redis:7:4" })), [got("redis.image", IMAGE, "redis:7:4")]],
  [
    "an untagged Ollama image",
    dedicated((s) => (s.ollama = { image: "ollama/ollama" })),
    [got("ollama.image", "untagged images are not reproducible", "ollama/ollama")],
  ],

  // Requests within their limits, limits above 0.
  [
    "a CPU request above its limit",
    dedicated((s) => (s.api.resources = { cpuRequest: "2", cpuLimit: "1" })),
    [got("api.resources.cpuRequest", "must not exceed `cpuLimit` (1)", "2")],
  ],
  [
    "a CPU request in millicores above its limit",
    dedicated((s) => (s.worker.resources = { cpuRequest: "1500m", cpuLimit: "1" })),
    [got("worker.resources.cpuRequest", "must not exceed `cpuLimit` (1)", "1500m")],
  ],
  [
    "a CPU request above the default limit",
    dedicated((s) => (s.postgres = { resources: { cpuRequest: "3" } })),
    [got("postgres.resources.cpuRequest", "must not exceed `cpuLimit` (2)", "3")],
  ],
  [
    "a memory request above its limit",
    dedicated((s) => (s.api.resources = { memoryRequest: "2Gi", memoryLimit: "1Gi" })),
    [got("api.resources.memoryRequest", "must not exceed `memoryLimit` (1Gi)", "2Gi")],
  ],
  [
    "a memory request 1 MiB above its limit",
    dedicated((s) => (s.redis = { resources: { memoryRequest: "1025Mi", memoryLimit: "1Gi" }, maxmemoryMb: 256 })),
    [got("redis.resources.memoryRequest", "must not exceed `memoryLimit` (1Gi)", "1025Mi")],
  ],
  [
    "an ephemeral storage request above its limit",
    dedicated((s) => (s.ollama = { resources: { ephemeralStorageRequest: "8Gi" } })),
    [got("ollama.resources.ephemeralStorageRequest", "must not exceed `ephemeralStorageLimit` (4Gi)", "8Gi")],
  ],
  [
    "a CPU limit of 0",
    dedicated((s) => (s.api.resources = { cpuRequest: "0", cpuLimit: "0" })),
    [got("api.resources.cpuLimit", CPU_LIMIT, "0")],
  ],
  [
    "a CPU limit of 0.000",
    dedicated((s) => (s.worker.resources = { cpuRequest: "0", cpuLimit: "0.000" })),
    [got("worker.resources.cpuLimit", CPU_LIMIT, "0.000")],
  ],
  ["a CPU limit of 0m", dedicated((s) => (s.api.resources = { cpuLimit: "0m" })), [got("api.resources.cpuLimit", CPU, "0m")]],
  ["a negative CPU request", dedicated((s) => (s.api.resources = { cpuRequest: "-1" })), [got("api.resources.cpuRequest", CPU, "-1")]],
  [
    "a memory limit of 0Mi",
    dedicated((s) => (s.api.resources = { memoryLimit: "0Mi" })),
    [got("api.resources.memoryLimit", MEMORY, "0Mi")],
  ],
  [
    "a memory limit in decimal units",
    dedicated((s) => (s.api.resources = { memoryLimit: "1G" })),
    [got("api.resources.memoryLimit", MEMORY, "1G")],
  ],
  [
    "Redis maxmemory above its memory limit",
    dedicated((s) => (s.redis = { maxmemoryMb: 2048, resources: { memoryLimit: "1Gi" } })),
    [got("redis.maxmemoryMb", "must be below `resources.memoryLimit` (1Gi)", 2048)],
  ],
  [
    "a malformed Redis memory limit",
    dedicated((s) => (s.redis = { resources: { memoryLimit: "1G" } })),
    [got("redis.resources.memoryLimit", MEMORY, "1G")],
  ],
  [
    "Redis maxmemory equal to its memory limit",
    dedicated((s) => (s.redis = { maxmemoryMb: 1024 })),
    [got("redis.maxmemoryMb", "must be below `resources.memoryLimit` (1Gi)", 1024)],
  ],

  // Credential names.
  ...["POSTGRES_PASSWORD", "REDIS_PASSWORD", "APP_SECRET_KEY", "postgresPassword", "appSecretKey"].map((name): Case => [
    `the app secret name ${name}`,
    dedicated((s) => (s.secrets = { source: "generated", appSecretNames: [name] })),
    [got("secrets.appSecretNames[0]", RESERVED_SECRET, name)],
  ]),
  [
    "a duplicate app secret name",
    dedicated((s) => (s.secrets = { source: "generated", appSecretNames: ["OPENAI_API_KEY", "OPENAI_API_KEY"] })),
    [got("secrets.appSecretNames[1]", "must be unique: entry 0 has it too", "OPENAI_API_KEY")],
  ],
  [
    "the app secret name __proto__",
    dedicated((s) => (s.secrets = { source: "generated", appSecretNames: ["__proto__"] })),
    [got("secrets.appSecretNames[0]", 'other than "__proto__"', "__proto__")],
  ],
  ...(
    [
      ["api", "POSTGRES_PASSWORD"],
      ["api", "REDIS_PASSWORD"],
      ["worker", "APP_SECRET_KEY"],
      ["worker", "POSTGRES_PASSWORD"],
    ] as const
  ).map(([workload, name]): Case => [
    `${workload}.env.${name}, a credential as a plaintext variable`,
    dedicated((s) => (s[workload].env = { [name]: PLANTED_SECRET })),
    [got(`${workload}.env.${name}`, PLAINTEXT_CREDENTIAL, name)],
  ]),
  [
    "an app secret as a plaintext variable",
    dedicated((s) => {
      s.secrets = {
        source: "external",
        store: { name: "vault" },
        appSecretNames: ["OPENAI_API_KEY"],
        remoteKeys: remoteKeys("OPENAI_API_KEY"),
      };
      s.api.env = { OPENAI_API_KEY: PLANTED_SECRET };
    }),
    [got("api.env.OPENAI_API_KEY", PLAINTEXT_CREDENTIAL, "OPENAI_API_KEY")],
  ],
  [
    "an app secret named constructor without a remote key",
    dedicated(
      (s) => (s.secrets = { source: "external", store: { name: "vault" }, appSecretNames: ["constructor"], remoteKeys: remoteKeys() }),
    ),
    [
      got("secrets.appSecretNames[0]", RESERVED_NAME, "constructor"),
      got("secrets.remoteKeys", 'must name a remote key for "constructor"', ["postgresPassword", "redisPassword", "appSecretKey"]),
    ],
  ],
  [
    "a remote key of no credential (toString)",
    dedicated((s) => (s.secrets = { source: "external", store: { name: "vault" }, remoteKeys: { ...remoteKeys(), toString: "x" } })),
    [got("secrets.remoteKeys.toString", "must be keyed by a credential name", "toString")],
  ],

  // Prototype keys.
  [
    "an env variable named __proto__",
    dedicated((s) => (s.api.env = JSON.parse(`{"__proto__": "${PLANTED_SECRET}"}`))),
    [plain("api.env.__proto__", RESERVED)],
  ],
  [
    "a namespace label named __proto__",
    dedicated((s) => (s.namespaceLabels = JSON.parse('{"__proto__": "x"}'))),
    [plain("namespaceLabels.__proto__", RESERVED)],
  ],
  [
    "a Postgres parameter named __proto__",
    dedicated((s) => (s.postgres = { parameters: JSON.parse('{"__proto__": "x"}') })),
    [plain("postgres.parameters.__proto__", RESERVED)],
  ],
  [
    "an env variable named constructor",
    dedicated((s) => (s.api.env = { constructor: PLANTED_SECRET })),
    [got("api.env.constructor", `must be an environment variable name ${RESERVED_NAME}`, "constructor")],
  ],
  [
    "an env variable named prototype",
    dedicated((s) => (s.worker.env = { prototype: "x" })),
    [got("worker.env.prototype", `must be an environment variable name ${RESERVED_NAME}`, "prototype")],
  ],
  [
    "a namespace label named constructor",
    dedicated((s) => (s.namespaceLabels = { constructor: "x" })),
    [plain("namespaceLabels.constructor", RESERVED)],
  ],
  [
    "a Postgres parameter named prototype",
    dedicated((s) => (s.postgres = { parameters: { prototype: "x" } })),
    [plain("postgres.parameters.prototype", RESERVED)],
  ],
  [
    "a remote key named constructor",
    dedicated((s) => (s.secrets = { source: "external", store: { name: "vault" }, remoteKeys: { ...remoteKeys(), constructor: "x" } })),
    [got("secrets.remoteKeys.constructor", `must be a credential name ${RESERVED_NAME}`, "constructor")],
  ],
  [
    "the app secret name prototype",
    dedicated((s) => (s.secrets = { source: "generated", appSecretNames: ["prototype"] })),
    [got("secrets.appSecretNames[0]", RESERVED_NAME, "prototype")],
  ],
  ["a setting named constructor", dedicated((s) => (s.api.constructor = { replicas: 2 })), [plain("api.constructor", NO_GUESS)]],
  [
    "an api key named __proto__, its settings never a prototype",
    dedicated((s) => (s.api = JSON.parse(`{"image": "ghcr.io/example/api:1.0.0", "__proto__": {"replicas": 5}}`))),
    [plain("api.__proto__", UNKNOWN)],
  ],
  [
    "a shared tenant's key named __proto__",
    shared((s) => (s.tenancy.tenants[0] = JSON.parse('{"name": "acme", "host": "acme.example.com", "__proto__": {"routed": false}}'))),
    [plain("tenancy.tenants[0].__proto__", UNKNOWN)],
  ],
  [
    "a resource key named __proto__",
    dedicated((s) => (s.api.resources = JSON.parse('{"__proto__": {"cpuLimit": "0"}}'))),
    [plain("api.resources.__proto__", UNKNOWN)],
  ],
  [
    "a tenant key named __proto__",
    dedicated((s) => (s.tenancy.tenant = JSON.parse('{"name": "acme", "host": "acme.example.com", "__proto__": {}}'))),
    [plain("tenancy.tenant.__proto__", "is not a known setting")],
  ],

  // Unknown keys: the key most likely meant, when one is close enough; the allowed keys always.
  ...(
    [
      ["api.replicsa", (s: any) => (s.api.replicsa = 2), "replicas"],
      ["api.Replicas", (s: any) => (s.api.Replicas = 2), "replicas"],
      ["api.max_unavailable", (s: any) => (s.api.max_unavailable = 1), "maxUnavailable"],
      ["api.health-path", (s: any) => (s.api["health-path"] = "/"), "healthPath"],
      ["api.resources.cpuLimt", (s: any) => (s.api.resources = { cpuLimt: "1" }), "cpuLimit"],
      ["api.resources.MEMORYLIMIT", (s: any) => (s.api.resources = { MEMORYLIMIT: "1Gi" }), "memoryLimit"],
      ["api.autoscaling.minReplica", (s: any) => (s.api.autoscaling = { minReplica: 1 }), "minReplicas"],
      ["tenancy.tenant.hots", (s: any) => (s.tenancy.tenant.hots = "x"), "host"],
      ["postgress", (s: any) => (s.postgress = {}), "postgres"],
      ["postgres.storage", (s: any) => (s.postgres = { storage: 10 }), "storageGi"],
      ["redis.maxmemory", (s: any) => (s.redis = { maxmemory: 64 }), "maxmemoryMb"],
    ] as const
  ).map(([path, change, key]): Case => [`the unknown key ${path}, suggesting ${key}`, dedicated(change), [plain(path, meant(key))]]),
  [
    "a misspelt tls issuer key, suggesting issuer",
    dedicated((s) => (s.ingress = { tls: { isuer: "none" } })),
    [
      plain("ingress.tls.issuer", 'is required: it must be one of "letsencrypt-staging"'),
      plain("ingress.tls.isuer", 'is not a known setting (did you mean "issuer"?)'),
    ],
  ],
  [
    "a misspelt tenancy mode key, suggesting mode",
    dedicated((s) => (s.tenancy = { Mode: "dedicated", tenant: { name: "acme", host: "acme.example.com" } })),
    [
      plain("tenancy.mode", 'is required: it must be one of "shared", "dedicated"'),
      plain("tenancy.Mode", 'is not a known setting (did you mean "mode"?)'),
    ],
  ],
  [
    "a misspelt secrets source key, suggesting source",
    dedicated((s) => (s.secrets = { sorce: "generated" })),
    [
      plain("secrets.source", 'is required: it must be one of "generated", "cloud", "external"'),
      plain("secrets.sorce", 'is not a known setting (did you mean "source"?)'),
    ],
  ],
  ...(
    [
      ["api.id", (s: any) => (s.api.id = 1)],
      ["api.age", (s: any) => (s.api.age = 1)],
      ["api.rep", (s: any) => (s.api.rep = 1)],
      ["api.replicaCount", (s: any) => (s.api.replicaCount = 2)],
      ["tenancy.tenant.port", (s: any) => (s.tenancy.tenant.port = 80)],
    ] as const
  ).map(([path, change]): Case => [`the unknown key ${path}, suggesting nothing`, dedicated(change), [plain(path, NO_GUESS)]]),

  // Every problem at once.
  [
    "several bad fields together",
    dedicated((s) => {
      s.tenancy.tenant = { name: "shared", host: "10.0.0.1" };
      s.api.image = "ghcr.io/Acme/api:1";
      s.postgres = { backup: { schedule: "99 99 99 99 99" } };
    }),
    [
      got("tenancy.tenant.name", RESERVED_TENANT, "shared"),
      got("tenancy.tenant.host", HOST, "10.0.0.1"),
      got("api.image", IMAGE, "ghcr.io/Acme/api:1"),
      got("postgres.backup.schedule", CRON, "99 99 99 99 99"),
    ],
  ],
];

/** Remote keys of the stack's credentials and of `extra` app secrets. */
function remoteKeys(...extra: string[]): Record<string, string> {
  const keys: Record<string, string> = { postgresPassword: "pg", redisPassword: "redis", appSecretKey: "app" };
  for (const name of extra) keys[name] = name.toLowerCase();
  return keys;
}

describe("bad input: the stack schema", () => {
  for (const [title, input, expected] of cases) {
    it(`refuses ${title}`, () => {
      const error = refusal(() => parseStack(input));
      assertProblems(error.properties, error.message, expected);
    });
  }

  const GOOD: [string, (s: any) => void][] = [
    ["a 63-character host label", (s) => (s.tenancy.tenant.host = `${"a".repeat(63)}.example.com`)],
    ["a punycode host", (s) => (s.tenancy.tenant.host = "xn--bcher-kva.example")],
    ["a schedule of lists, ranges, steps and names", (s) => (s.postgres = { backup: { schedule: "*/15 0-6 1,15 jan-jun mon-fri" } })],
    ["an @daily schedule", (s) => (s.postgres = { backup: { schedule: "@daily" } })],
    ["an image on a registry with a port", (s) => (s.worker.image = "localhost:5000/worker:1.0.0")],
    ["an image pinned by digest", (s) => (s.api.image = `registry.example.com:5000/team/api@sha256:${"a".repeat(64)}`)],
    ["a tenant whose name starts with shared", (s) => (s.tenancy.tenant.name = "shared-eu")],
    ["an env variable named Constructor", (s) => (s.api.env = { Constructor: "x" })],
  ];
  for (const [title, change] of GOOD) it(`accepts ${title}`, () => assert.doesNotThrow(() => parseStack(dedicated(change))));
});

describe("bad input: stack names", () => {
  it("refuses to derive a dedicated stack named like the shared one", () => {
    const error = refusal(() => stackName("dev", "shared"));
    assertProblems(error.properties, error.message, [got("tenant", RESERVED_TENANT, "shared")]);
  });

  it("derives distinct names for every placement of every environment", () => {
    const names = (["dev", "staging", "prod"] as const).flatMap((env) => [
      stackName(env),
      ...["acme", "shared-eu", "dev", "prod-shared"].map((t) => stackName(env, t)),
    ]);
    assert.equal(new Set(names).size, names.length);
  });
});

/** The config of the dedicated fixture, as `pulumi.runtime.allConfig()` gives it. */
function config(change: (all: Record<string, string>) => void = () => {}): Record<string, string> {
  const all = stackConfigOf(dedicatedStack());
  change(all);
  return all;
}

type ConfigCase = readonly [title: string, all: Record<string, string>, secretKeys: readonly string[], expected: readonly Expected[]];

const BAD_JSON = ["{ bad", `{"image": "${PLANTED_SECRET}"`, "[1, 2", '{"a": 1,}', "{'image': 'x'}"];

const configCases: ConfigCase[] = [
  [
    "the key tenantstack:__proto__",
    config((all) => (all["tenantstack:__proto__"] = '{"environment": "prod"}')),
    [],
    [plain("tenantstack:__proto__", "is not a known setting")],
  ],
  [
    "the secret key tenantstack:__proto__",
    config((all) => (all["tenantstack:__proto__"] = PLANTED_SECRET)),
    ["tenantstack:__proto__"],
    [plain("tenantstack:__proto__", "is not a known setting")],
  ],
  [
    "the key tenantstack:constructor",
    config((all) => (all["tenantstack:constructor"] = "x")),
    [],
    [plain("tenantstack:constructor", "is not a known setting")],
  ],
  ["the key tenantstack:prototype", config((all) => (all["tenantstack:prototype"] = "x")), [], [plain("tenantstack:prototype", NO_GUESS)]],
  [
    "the key tenantstack:postgress, suggesting postgres",
    config((all) => (all["tenantstack:postgress"] = "{}")),
    [],
    [plain("tenantstack:postgress", meant("postgres"))],
  ],
  [
    "the key tenantstack:Monitoring, suggesting monitoring",
    config((all) => (all["tenantstack:Monitoring"] = "{}")),
    [],
    [plain("tenantstack:Monitoring", meant("monitoring"))],
  ],
  [
    "an api whose key near replicas is suggested",
    config((all) => (all["tenantstack:api"] = JSON.stringify({ image: "ghcr.io/example/api:1.0.0", replcias: 2 }))),
    [],
    [plain("tenantstack:api.replcias", meant("replicas"))],
  ],
  [
    "an api with a __proto__ key",
    config((all) => (all["tenantstack:api"] = '{"image": "ghcr.io/example/api:1.0.0", "__proto__": {"replicas": 5}}')),
    [],
    [plain("tenantstack:api.__proto__", UNKNOWN)],
  ],
  [
    "an api env variable named constructor",
    config((all) => (all["tenantstack:api"] = JSON.stringify({ image: "ghcr.io/example/api:1.0.0", env: { constructor: "x" } }))),
    [],
    [got("tenantstack:api.env.constructor", RESERVED_NAME, "constructor")],
  ],
  [
    "a secret api whose env holds a __proto__ key",
    config((all) => (all["tenantstack:api"] = `{"image": "ghcr.io/example/api:1.0.0", "env": {"__proto__": "${PLANTED_SECRET}"}}`)),
    ["tenantstack:api"],
    [plain("tenantstack:api.env.__proto__", RESERVED)],
  ],
  [
    "app secret values keyed by constructor",
    config((all) => (all["tenantstack:appSecretValues"] = JSON.stringify({ constructor: PLANTED_SECRET }))),
    ["tenantstack:appSecretValues"],
    [plain("tenantstack:appSecretValues", "must be keyed by environment variable names")],
  ],
  ...BAD_JSON.map((text): ConfigCase => [
    `malformed JSON ${JSON.stringify(text)}`,
    config((all) => (all["tenantstack:api"] = text)),
    [],
    [plain("tenantstack:api", "must be valid JSON")],
  ]),
  ...BAD_JSON.map((text): ConfigCase => [
    `malformed JSON ${JSON.stringify(text)} set as a secret`,
    config((all) => (all["tenantstack:postgres"] = text.replace("}", `, "${PLANTED_SECRET}": 1}`))),
    ["tenantstack:postgres"],
    [secret("tenantstack:postgres", "must be valid JSON")],
  ]),
  [
    "malformed JSON beside other problems",
    config((all) => {
      all["tenantstack:api"] = "{ bad";
      all["tenantstack:environment"] = "qa";
    }),
    [],
    [got("tenantstack:environment", 'must be one of "dev", "staging", "prod"', "qa"), plain("tenantstack:api", "must be valid JSON")],
  ],
  [
    "a secret environment",
    config((all) => (all["tenantstack:environment"] = PLANTED_SECRET)),
    ["tenantstack:environment"],
    [secret("tenantstack:environment", 'must be one of "dev", "staging", "prod"')],
  ],
  [
    "a secret namespace",
    config((all) => (all["tenantstack:namespace"] = `${PLANTED_SECRET}!`)),
    ["tenantstack:namespace"],
    [secret("tenantstack:namespace", "must be a DNS-1123 label")],
  ],
  [
    "a secret api with a bad image",
    config((all) => (all["tenantstack:api"] = JSON.stringify({ image: PLANTED_SECRET }))),
    ["tenantstack:api"],
    [secret("tenantstack:api.image", IMAGE)],
  ],
  [
    "a secret api with an unknown key holding the secret",
    config((all) => (all["tenantstack:api"] = JSON.stringify({ image: "ghcr.io/example/api:1.0.0", [PLANTED_SECRET]: "x" }))),
    ["tenantstack:api"],
    [secret("tenantstack:api", "holds a key that is not a known setting; allowed: image, replicas")],
  ],
  [
    "a secret api with a non-string env value",
    config((all) => (all["tenantstack:api"] = JSON.stringify({ image: "ghcr.io/example/api:1.0.0", env: { TOKEN: 12345678 } }))),
    ["tenantstack:api"],
    [secret("tenantstack:api.env.TOKEN", "must be a string")],
  ],
  [
    "a secret api whose env names a credential",
    config(
      (all) =>
        (all["tenantstack:api"] = JSON.stringify({ image: "ghcr.io/example/api:1.0.0", env: { POSTGRES_PASSWORD: PLANTED_SECRET } })),
    ),
    ["tenantstack:api"],
    [secret("tenantstack:api.env.POSTGRES_PASSWORD", PLAINTEXT_CREDENTIAL)],
  ],
  [
    "a secret tenancy with an IP host",
    config(
      (all) =>
        (all["tenantstack:tenancy"] = JSON.stringify({ mode: "dedicated", tenant: { name: "acme", host: `${PLANTED_SECRET}.10.0.0.1` } })),
    ),
    ["tenantstack:tenancy"],
    [secret("tenantstack:tenancy.tenant.host", HOST)],
  ],
  [
    "a secret Redis whose limit a cross-field message would quote",
    config((all) => (all["tenantstack:redis"] = JSON.stringify({ maxmemoryMb: 2048, resources: { memoryLimit: "1Gi" } }))),
    ["tenantstack:redis"],
    [secret("tenantstack:redis.maxmemoryMb", "must be below `resources.memoryLimit` (<secret>)")],
  ],
  [
    "a secret ingress with a bad issuer",
    config((all) => (all["tenantstack:ingress"] = JSON.stringify({ tls: { issuer: PLANTED_SECRET } }))),
    ["tenantstack:ingress"],
    [secret("tenantstack:ingress.tls.issuer", 'must be one of "letsencrypt-staging"')],
  ],
  [
    "app secret values not set as a secret",
    config((all) => (all["tenantstack:appSecretValues"] = JSON.stringify({ OPENAI_API_KEY: PLANTED_SECRET }))),
    [],
    [plain("tenantstack:appSecretValues", "must be set as a secret")],
  ],
  [
    "app secret values keyed by a bad name",
    config((all) => (all["tenantstack:appSecretValues"] = JSON.stringify({ "NOT A NAME": PLANTED_SECRET }))),
    ["tenantstack:appSecretValues"],
    [plain("tenantstack:appSecretValues", "must be keyed by environment variable names")],
  ],
  [
    "an app secret value repeated in a plaintext setting",
    config((all) => {
      all["tenantstack:appSecretValues"] = JSON.stringify({ OPENAI_API_KEY: PLANTED_SECRET });
      all["tenantstack:namespace"] = `${PLANTED_SECRET}!`;
    }),
    ["tenantstack:appSecretValues"],
    [got("tenantstack:namespace", "must be a DNS-1123 label", "<secret>!")],
  ],
  [
    "malformed app secret values",
    config((all) => (all["tenantstack:appSecretValues"] = `{"OPENAI_API_KEY": "${PLANTED_SECRET}"`)),
    ["tenantstack:appSecretValues"],
    [plain("tenantstack:appSecretValues", "must be a map of names to secret strings")],
  ],
];

describe("bad input: the program's config", () => {
  for (const [title, all, secretKeys, expected] of configCases) {
    it(`refuses ${title}`, () => {
      const error = refusal(() => readStackConfig(all, (key) => secretKeys.includes(key)));
      assertProblems(error.properties, error.message, expected);
      for (const key of secretKeys) assert.ok(!error.message.includes(all[key]), `the value of ${key} is not quoted`);
    });
  }

  it("quotes no text of malformed JSON, and says where it stops parsing", () => {
    const error = refusal(() =>
      readStackConfig(
        config((all) => (all["tenantstack:api"] = `{"image": "${PLANTED_SECRET}"`)),
        () => false,
      ),
    );
    assert.equal(
      error.problems[0],
      "`tenantstack:api` must be valid JSON: it starts like a map or list but does not parse (at character 40); set it with `pulumi config set --path 'tenantstack:api.FIELD' VALUE` or as one JSON value",
    );
  });

  it("never makes a config key the settings' prototype", () => {
    const error = refusal(() =>
      readStackConfig(
        config((all) => (all["tenantstack:__proto__"] = '{"environment": "prod"}')),
        () => false,
      ),
    );
    assert.equal(error.properties.length, 1, "environment and the rest are read as given");
    assert.ok(!NOT_SHOWN.includes(PLANTED_SECRET));
  });
});
