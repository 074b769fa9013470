import * as assert from "node:assert/strict";
import { parseStack, type StackInput, ValidationError } from "../../../schema";
import { dedicatedStack, sharedStack } from "../fixtures";

/** The problem lines of parsing `input`, or [] when it is valid. */
function problems(input: unknown, providedAppSecrets?: string[]): readonly string[] {
  try {
    parseStack(input, { root: "tenantstack:", providedAppSecrets });
    return [];
  } catch (error) {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    return error.problems;
  }
}

/** A copy of `base` with `change` applied. */
function withChange(base: StackInput, change: (s: any) => void): StackInput {
  const copy = structuredClone(base);
  change(copy);
  return copy;
}

const DNS_LABEL_40 =
  "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 40 characters";

describe("stack validation", () => {
  it("accepts the fixtures", () => {
    assert.deepEqual(problems(dedicatedStack()), []);
    assert.deepEqual(problems(sharedStack()), []);
  });

  const cases: [string, StackInput | unknown, string[], string[]?][] = [
    [
      "tenant name that is not DNS-1123",
      withChange(dedicatedStack(), (s) => (s.tenancy.tenant.name = "Acme_Corp")),
      [`\`tenantstack:tenancy.tenant.name\` ${DNS_LABEL_40} (got "Acme_Corp")`],
    ],
    [
      "tenant name too long",
      withChange(dedicatedStack(), (s) => (s.tenancy.tenant.name = "a".repeat(41))),
      [`\`tenantstack:tenancy.tenant.name\` ${DNS_LABEL_40} (got "${"a".repeat(41)}")`],
    ],
    [
      "host that is not DNS-1123",
      withChange(dedicatedStack(), (s) => (s.tenancy.tenant.host = "Acme.example.com")),
      [
        '`tenantstack:tenancy.tenant.host` must be a DNS-1123 host name of two or more dot-separated labels of 1-63 lowercase letters, digits and "-" (the last with a letter: no IP address, wildcard, port or URL), at most 253 characters, such as "acme.example.com" (got "Acme.example.com")',
      ],
    ],
    [
      "replicas out of range",
      withChange(dedicatedStack(), (s) => (s.api.replicas = 0)),
      ["`tenantstack:api.replicas` must be an integer between 1 and 100 (got 0)"],
    ],
    [
      "volume size out of range and not an integer",
      withChange(dedicatedStack(), (s) => (s.postgres = { storageGi: 1.5 })),
      ["`tenantstack:postgres.storageGi` must be an integer between 1 and 65536 (got 1.5)"],
    ],
    [
      "a number given as a string",
      withChange(dedicatedStack(), (s) => (s.redis = { storageGi: "8" })),
      ['`tenantstack:redis.storageGi` must be an integer between 1 and 65536 (got "8")'],
    ],
    [
      "unknown cloud",
      withChange(dedicatedStack(), (s) => (s.cloud = "ibm")),
      ['`tenantstack:cloud` must be one of "none", "aws", "gcp", "azure" (got "ibm")'],
    ],
    [
      "unknown issuer",
      withChange(dedicatedStack(), (s) => (s.ingress.tls = { issuer: "zerossl" })),
      ['`tenantstack:ingress.tls.issuer` must be one of "letsencrypt-staging", "letsencrypt-prod", "existing", "none" (got "zerossl")'],
    ],
    [
      "unknown tenancy mode",
      withChange(dedicatedStack(), (s) => (s.tenancy = { mode: "pooled" })),
      ['`tenantstack:tenancy.mode` must be one of "shared", "dedicated" (got "pooled")'],
    ],
    [
      "GPU requested without node selector or toleration",
      withChange(dedicatedStack(), (s) => (s.ollama = { gpu: { count: 1, nodeSelector: {}, tolerations: [] } })),
      [
        "`tenantstack:ollama.gpu.nodeSelector` must select the GPU nodes when `count` is above 0 (got an object)",
        "`tenantstack:ollama.gpu.tolerations` must tolerate the GPU nodes' taint when `count` is above 0 (got a list of 0)",
      ],
    ],
    [
      "a prod stack on the ACME staging issuer",
      withChange(sharedStack(), (s) => (s.ingress.tls = { issuer: "letsencrypt-staging", email: "ops@example.com" })),
      [
        '`tenantstack:ingress.tls.issuer` must be "letsencrypt-prod" or "existing" in a prod stack: browsers do not trust staging certificates, and plain HTTP exposes credentials (got "letsencrypt-staging")',
      ],
    ],
    [
      "duplicate tenant names and hosts",
      withChange(sharedStack(), (s) => s.tenancy.tenants.push({ name: "acme", host: "globex.example.com" })),
      [
        '`tenantstack:tenancy.tenants[3].name` must be unique: tenant 0 has it too (got "acme")',
        '`tenantstack:tenancy.tenants[3].host` must be unique: tenant 1 has it too (got "globex.example.com")',
      ],
    ],
    [
      "unknown keys (typos), with a suggestion",
      withChange(dedicatedStack(), (s) => {
        s.api.replicaz = 3;
        s.postgress = {};
      }),
      [
        '`tenantstack:api.replicaz` is not a known setting (did you mean "replicas"?); allowed: image, replicas, command, args, env, resources, autoscaling, maxUnavailable, progressDeadlineSeconds, rolloutTimeoutSeconds, port, healthPath, readyPath, metricsPath',
        '`tenantstack:postgress` is not a known setting (did you mean "postgres"?); allowed: environment, cloud, aws, gcp, azure, namespace, namespaceLabels, tenancy, scheduling, api, worker, postgres, redis, ollama, ingress, secrets, monitoring',
      ],
    ],
    [
      "missing external secret keys",
      withChange(
        dedicatedStack(),
        (s) =>
          (s.secrets = {
            source: "external",
            store: { name: "vault" },
            appSecretNames: ["OPENAI_API_KEY"],
            remoteKeys: { postgresPassword: "pg" },
          }),
      ),
      ['`tenantstack:secrets.remoteKeys` must name a remote key for "redisPassword", "appSecretKey", "OPENAI_API_KEY" (got a list of 1)'],
    ],
    [
      "missing generated app secret values",
      withChange(dedicatedStack(), (s) => (s.secrets = { source: "generated", appSecretNames: ["OPENAI_API_KEY"] })),
      [
        "`tenantstack:appSecretValues.OPENAI_API_KEY` is required by `tenantstack:secrets.appSecretNames`: provide it as a secret (`pulumi config set --secret --path 'tenantstack:appSecretValues.OPENAI_API_KEY'`)",
      ],
      [],
    ],
    [
      "a missing required field",
      withChange(dedicatedStack(), (s) => delete s.api.image),
      [
        '`tenantstack:api.image` is required: it must be a container image reference (lowercase repository, one tag and/or a digest) with an explicit tag or digest, such as "ghcr.io/acme/api:1.2.3"',
      ],
    ],
    [
      "an untagged image",
      withChange(dedicatedStack(), (s) => (s.worker.image = "localhost:5000/worker")),
      [
        '`tenantstack:worker.image` must be a container image reference (lowercase repository, one tag and/or a digest) with an explicit tag or digest, such as "ghcr.io/acme/api:1.2.3"; ":latest" and untagged images are not reproducible (got "localhost:5000/worker")',
      ],
    ],
    [
      "autoscaling bounds crossed",
      withChange(dedicatedStack(), (s) => (s.api.autoscaling = { minReplicas: 5, maxReplicas: 2 })),
      ["`tenantstack:api.autoscaling.minReplicas` must not exceed `maxReplicas` (2) (got 5)"],
    ],
    [
      "Redis maxmemory above its memory limit",
      withChange(dedicatedStack(), (s) => (s.redis = { maxmemoryMb: 2048 })),
      ["`tenantstack:redis.maxmemoryMb` must be below `resources.memoryLimit` (1Gi), or Redis is killed before it evicts (got 2048)"],
    ],
    [
      "a request above its limit, CPU, memory and ephemeral storage",
      withChange(
        dedicatedStack(),
        (s) => (s.worker.resources = { cpuRequest: "1500m", cpuLimit: "1", memoryRequest: "2Gi", ephemeralStorageRequest: "2Gi" }),
      ),
      [
        '`tenantstack:worker.resources.cpuRequest` must not exceed `cpuLimit` (1) (got "1500m")',
        '`tenantstack:worker.resources.memoryRequest` must not exceed `memoryLimit` (1Gi) (got "2Gi")',
        '`tenantstack:worker.resources.ephemeralStorageRequest` must not exceed `ephemeralStorageLimit` (1Gi) (got "2Gi")',
      ],
    ],
    [
      "a malformed ephemeral storage quantity, compared with nothing",
      withChange(dedicatedStack(), (s) => (s.postgres = { resources: { ephemeralStorageLimit: "1GB" } })),
      [
        '`tenantstack:postgres.resources.ephemeralStorageLimit` must be a memory quantity with a binary unit such as "512Mi" or "4Gi" (got "1GB")',
      ],
    ],
    [
      "scheduling that is not a node selector and tolerations",
      withChange(dedicatedStack(), (s) => {
        s.scheduling = {
          nodeSelector: { "tenantstack.dev/node": 1 },
          tolerations: [{ key: "tenantstack.dev/node", operator: "Exists", value: "real" }],
        };
      }),
      [
        '`tenantstack:scheduling.nodeSelector.tenantstack.dev/node` must be a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (got 1)',
        '`tenantstack:scheduling.tolerations[0].value` must be unset when `operator` is "Exists" (got "real")',
      ],
    ],
    [
      "an unknown scheduling setting",
      withChange(dedicatedStack(), (s) => (s.scheduling = { nodeSelectors: {} })),
      ['`tenantstack:scheduling.nodeSelectors` is not a known setting (did you mean "nodeSelector"?); allowed: nodeSelector, tolerations'],
    ],
    [
      "a Prometheus namespace that is not DNS-1123",
      withChange(sharedStack(), (s) => (s.monitoring.prometheus = { namespace: "Monitoring" })),
      [
        "`tenantstack:monitoring.prometheus.namespace` must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (got \"Monitoring\")",
      ],
    ],
    [
      "a backup deadline and scratch space out of range",
      withChange(dedicatedStack(), (s) => {
        s.postgres = { backup: { startingDeadlineSeconds: 5, destination: { type: "gcs", bucket: "acme-backups", scratchGi: 0 } } };
      }),
      [
        "`tenantstack:postgres.backup.startingDeadlineSeconds` must be an integer between 10 and 86400 (got 5)",
        "`tenantstack:postgres.backup.destination.scratchGi` must be an integer between 1 and 1024 (got 0)",
      ],
    ],
  ];

  for (const [title, input, expected, provided] of cases) {
    it(`rejects ${title}`, () => {
      assert.deepEqual(problems(input, provided), expected);
    });
  }

  it("reports every problem at once", () => {
    const input = withChange(dedicatedStack(), (s) => {
      s.cloud = "ibm";
      s.api.replicas = 0;
      s.tenancy.tenant.name = "ACME";
    });
    assert.equal(problems(input).length, 3);
  });

  it("states the count and lists the problems in the error message", () => {
    assert.throws(
      () => parseStack(withChange(dedicatedStack(), (s) => (s.api.replicas = 0))),
      (error: Error) =>
        error.message ===
        "Invalid tenantstack stack settings (1 problem):\n  - `api.replicas` must be an integer between 1 and 100 (got 0)",
    );
  });
});
