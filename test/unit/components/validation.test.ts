import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
  Ingress,
  InvalidArgsError,
  NetworkPolicies,
  Postgres,
  PostgresBackup,
  Secrets,
  StackNamespace,
  TenantstackError,
  ValidationError,
  Worker,
} from "../../../components";
import { capture } from "./capture";
import { rejectsArgs } from "./invalidArgs";

const DNS_LABEL =
  "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters";
const TENANT_NAME =
  "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 40 characters";
const LABEL_VALUE = 'must be a label value: 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
const CREDENTIALS = { credentialsSecretName: "credentials", tenantCredentialsSecretName: "tenant-credentials" };
const CRON =
  'must be a five-field cron schedule such as "0 3 * * *" (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec, day of week 0-6 or sun-sat; each "*", a value, a range "a-b", a list "a,b" and an optional "/step"), or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly';
const WIRING = { credentialKeys: ["POSTGRES_PASSWORD"], tenancyMode: "shared" as const, tenants: ["acme"], ollama: false };

describe("InvalidArgsError", () => {
  const error = new InvalidArgsError('Postgres "db"', [
    { propertyPath: "spec.storageGi", reason: "must be an integer between 1 and 65536 (got 0)" },
    { propertyPath: "tenants[1]", reason: `${TENANT_NAME} (got "Acme!")` },
  ]);

  it("is a ValidationError of the one family that Pulumi takes for its InputPropertiesError, with each problem at the path the caller wrote", () => {
    assert.ok(error instanceof ValidationError && error instanceof TenantstackError);
    assert.equal(error.code, "invalid_input");
    assert.ok(pulumi.InputPropertiesError.isInstance(error));
    assert.deepEqual(error.errors, [
      { propertyPath: "spec.storageGi", reason: "must be an integer between 1 and 65536 (got 0)" },
      { propertyPath: "tenants[1]", reason: `${TENANT_NAME} (got "Acme!")` },
    ]);
    assert.equal(error.name, "InvalidArgsError");
    assert.equal(
      error.message,
      `Invalid arguments of Postgres "db" (2 problems):\n  - \`spec.storageGi\` must be an integer between 1 and 65536 (got 0)\n  - \`tenants[1]\` ${TENANT_NAME} (got "Acme!")`,
    );
  });

  it("is a RunError to the Pulumi program runner, which prints its message alone, without a stack trace", () => {
    assert.ok(pulumi.RunError.isInstance(error));
    assert.ok(!pulumi.RunError.isInstance(new Error("other")));
  });
});

describe("every part validates every argument it takes, before it registers anything", () => {
  it("Postgres: its settings at `spec.`, tenant names, namespace, instance label and backup pod labels", () => {
    rejectsArgs(
      'Postgres "db"',
      (opts) =>
        new Postgres(
          "db",
          {
            namespace: "Apps",
            instance: "ai app",
            credentials: CREDENTIALS,
            spec: { storageGi: 0, backup: { schedule: "daily" } },
            tenants: ["acme", "Acme!", "acme"],
            backupPodLabels: { "azure.workload.identity/use": "yes please" },
          },
          opts,
        ),
      [
        `\`namespace\` ${DNS_LABEL} (got "Apps")`,
        `\`instance\` ${LABEL_VALUE} (got "ai app")`,
        "`spec.storageGi` must be an integer between 1 and 65536 (got 0)",
        `\`spec.backup.schedule\` ${CRON} (got "daily")`,
        `\`tenants[1]\` ${TENANT_NAME} (got "Acme!")`,
        '`tenants[2]` must be unique: tenant 0 has it too (got "acme")',
        '`backupPodLabels.azure.workload.identity/use` must be a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (got "yes please")',
      ],
    );
  });

  it("Secrets: a tenant name the API server would refuse, the Redis isolation, and the values of the app secrets", () => {
    rejectsArgs(
      'Secrets "secrets"',
      (opts) =>
        new Secrets(
          "secrets",
          { namespace: "apps", spec: { source: "generated" }, tenants: ["Acme!"], redisIsolation: "none" as never },
          opts,
        ),
      [`\`tenants[0]\` ${TENANT_NAME} (got "Acme!")`, '`redisIsolation` must be one of "acl", "prefix" (got "none")'],
    );
    rejectsArgs(
      'Secrets "secrets"',
      (opts) =>
        new Secrets(
          "secrets",
          { namespace: "apps", spec: { source: "generated", appSecretNames: ["OPENAI_API_KEY"] }, tenants: ["acme"] },
          opts,
        ),
      ["`appSecretValues.OPENAI_API_KEY` is required by `spec.appSecretNames`: provide it as a secret (wrap it with `pulumi.secret`)"],
    );
  });

  it("StackNamespace: its name, a DNS-1123 label, and its instance label", () => {
    rejectsArgs(
      'StackNamespace "ns"',
      (opts) => new StackNamespace("ns", { name: "Tenant_Acme", instance: "", labels: { team: "a b" } }, opts),
      [
        `\`name\` ${DNS_LABEL} (got "Tenant_Acme")`,
        `\`instance\` ${LABEL_VALUE} (got "")`,
        '`labels.team` must be a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (got "a b")',
      ],
    );
  });

  it("Worker: the wiring's tenant names and credential keys", () => {
    rejectsArgs(
      'Worker "worker"',
      (opts) =>
        new Worker(
          "worker",
          {
            namespace: "apps",
            credentials: CREDENTIALS,
            spec: { image: "ghcr.io/example/worker:1.0.0" },
            wiring: { ...WIRING, credentialKeys: ["1KEY"], tenants: ["Acme!"] },
          },
          opts,
        ),
      [
        "`wiring.credentialKeys[0]` must be an environment variable name: letters, digits and '_', not starting with a digit (got \"1KEY\")",
        `\`wiring.tenants[0]\` ${TENANT_NAME} (got "Acme!")`,
      ],
    );
  });

  it("Ingress: at least one host, each a host name", () => {
    rejectsArgs(
      'Ingress "ingress"',
      (opts) => new Ingress("ingress", { namespace: "apps", spec: { tls: { issuer: "none" } }, hosts: [] }, opts),
      ["`hosts` must list at least one host (got a list of 0)"],
    );
    rejectsArgs(
      'Ingress "ingress"',
      (opts) => new Ingress("ingress", { namespace: "apps", spec: { tls: { issuer: "none" } }, hosts: ["Acme.example.com"] }, opts),
      [
        '`hosts[0]` must be a DNS-1123 host name of two or more dot-separated labels of 1-63 lowercase letters, digits and "-" (the last with a letter: no IP address, wildcard, port or URL), at most 253 characters, such as "acme.example.com" (got "Acme.example.com")',
      ],
    );
  });

  it("NetworkPolicies: the API port, the ingress controller's namespace and the Prometheus selector", () => {
    const args = {
      namespace: "apps",
      instance: "app",
      apiPort: 80,
      ingressControllerNamespace: "Ingress",
      ollama: false,
      ollamaModelDownload: false,
      backupUpload: false,
      prometheus: { namespace: "monitoring", podSelector: { app: "prometheus server" } },
    };
    rejectsArgs('NetworkPolicies "policies"', (opts) => new NetworkPolicies("policies", args, opts), [
      "`apiPort` must be an integer between 1024 and 65535 (got 80)",
      `\`ingressControllerNamespace\` ${DNS_LABEL} (got "Ingress")`,
      '`prometheus.podSelector.app` must be a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (got "prometheus server")',
    ]);
  });

  it("PostgresBackup: the image and the backup settings", () => {
    const backup = {
      enabled: true,
      schedule: "0 3 * * *",
      retentionDays: 0,
      startingDeadlineSeconds: 3600,
      destination: { type: "volume" as const, storageGi: 20 },
    };
    rejectsArgs(
      'PostgresBackup "backup"',
      (opts) =>
        new PostgresBackup("backup", { namespace: "apps", instance: "app", credentials: CREDENTIALS, image: "postgres", backup }, opts),
      [
        '`image` must be a container image reference (lowercase repository, one tag and/or a digest) with an explicit tag or digest, such as "ghcr.io/acme/api:1.2.3"; ":latest" and untagged images are not reproducible (got "postgres")',
        "`backup.retentionDays` must be an integer between 1 and 3650 (got 0)",
      ],
    );
  });

  it("leaves an argument known only at deployment (an Output) to be checked there", () => {
    const { resources, opts } = capture();
    new Postgres("db", { namespace: pulumi.output("Not Known Yet"), credentials: CREDENTIALS, spec: {}, tenants: ["acme"] }, opts);
    assert.ok(resources.some((r) => r.name === "db-statefulset"));
  });
});
