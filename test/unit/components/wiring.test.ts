/**
 * Explicit wiring: the parts that read the stack's credentials take them as an argument (the Secrets component
 * or the names of its Secrets), so their order follows from their inputs; an AppStack's `instance` labels
 * and selects every object, whatever the component is called.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Api, AppStack, Postgres, Redis, Secrets, Worker } from "../../../components";
import { dedicatedStack } from "../fixtures";
import { buildStack, capture, type Captured, one, podSpecs, resolve, T } from "./capture";
import { rejectsArgs } from "./invalidArgs";

const WIRING = { credentialKeys: ["POSTGRES_PASSWORD"], tenancyMode: "dedicated" as const, tenants: ["acme"], ollama: false };

/** Every resource an input depends on: the resources of the Outputs inside it. */
async function dependenciesOf(props: Record<string, unknown>): Promise<Set<pulumi.Resource>> {
  return (pulumi.output(props) as unknown as { allResources(): Promise<Set<pulumi.Resource>> }).allResources();
}

/** The Secret names every pod of `resources` reads: secretKeyRef names and secret volumes. */
async function secretsRead(resources: readonly Captured[]): Promise<string[]> {
  const names = new Set<string>();
  for (const pod of (await podSpecs(resources)).values()) {
    for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
      for (const env of container.env ?? []) if (env.valueFrom?.secretKeyRef) names.add(env.valueFrom.secretKeyRef.name);
    }
    for (const volume of pod.volumes ?? []) if (volume.secret) names.add(volume.secret.secretName);
  }
  return [...names].sort();
}

describe("the parts that read the stack's credentials", () => {
  it("take the Secrets component, read its two Secrets by name, and come after it without depending on its outputs", async () => {
    const { resources, opts } = capture();
    const secrets = new Secrets("secrets", { namespace: "apps", spec: { source: "generated" }, tenants: ["acme"] }, opts);
    const stackSecrets = resources.filter((r) => r.type === T.secret).map((r) => r.resource);
    assert.equal(stackSecrets.length, 2);
    new Postgres("postgres", { namespace: "apps", credentials: secrets, spec: {}, tenants: ["acme"] }, opts);
    new Redis("redis", { namespace: "apps", credentials: secrets, spec: {} }, opts);
    new Api("api", { namespace: "apps", credentials: secrets, spec: { image: "ghcr.io/example/api:1.0.0" }, wiring: WIRING }, opts);
    new Worker(
      "worker",
      { namespace: "apps", credentials: secrets, spec: { image: "ghcr.io/example/worker:1.0.0" }, wiring: WIRING },
      opts,
    );

    assert.deepEqual(await secretsRead(resources), ["credentials", "tenant-credentials"]);
    // Each part waits for the Secrets component (and so for its Secrets)...
    for (const part of ["postgres", "redis", "api", "worker"]) {
      const dependsOn = [resources.find((r) => r.name === part)!.opts.dependsOn].flat();
      assert.ok(dependsOn.includes(secrets), `${part} is created after the Secrets component`);
    }
    // ...but no object's inputs come from a Secret's outputs: replacing the tenant-credentials Secret when a
    // tenant joins (a changed Secret is deleted, then created) would otherwise replace every object reading
    // it, the protected Redis StatefulSet included.
    for (const reader of [
      "postgres-statefulset",
      "postgres-provision-tenants",
      "postgres-backup-cronjob",
      "redis-statefulset",
      "api-deployment",
      "worker-deployment",
    ]) {
      const dependencies = await dependenciesOf(resources.find((r) => r.name === reader)!.props);
      for (const secret of stackSecrets) assert.ok(!dependencies.has(secret), `${reader} takes no input from ${(secret as any).__name}`);
    }
  });

  it("read Secrets of other names, given as plain names", async () => {
    const { resources, opts } = capture();
    const credentials = { credentialsSecretName: "app-credentials", tenantCredentialsSecretName: "app-tenant-credentials" };
    new Postgres("postgres", { namespace: "apps", credentials, spec: {}, tenants: ["acme"] }, opts);
    new Redis("redis", { namespace: "apps", credentials, spec: {} }, opts);
    new Api("api", { namespace: "apps", credentials, spec: { image: "ghcr.io/example/api:1.0.0" }, wiring: WIRING }, opts);
    assert.deepEqual(await secretsRead(resources), ["app-credentials", "app-tenant-credentials"]);
  });

  it("require them, and check the names known now", () => {
    rejectsArgs('Redis "redis"', (opts) => new Redis("redis", { namespace: "apps", spec: {} } as never, opts), [
      "`credentials` is required: it must be the stack's Secrets, or the names of its two Secrets",
    ]);
    rejectsArgs(
      'Postgres "postgres"',
      (opts) =>
        new Postgres(
          "postgres",
          {
            namespace: "apps",
            credentials: { credentialsSecretName: "Credentials", tenantCredentialsSecretName: pulumi.output("later") },
            spec: {},
          },
          opts,
        ),
      [
        "`credentials.credentialsSecretName` must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 253 characters (got \"Credentials\")",
      ],
    );
  });
});

describe("AppStack's instance", () => {
  /** Every `app.kubernetes.io/instance` label and selector of a stack's resources. */
  async function instanceLabels(resources: readonly Captured[]): Promise<Set<string>> {
    const found = new Set<string>();
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value !== null && typeof value === "object") {
        for (const [key, inner] of Object.entries(value)) {
          if (key === "app.kubernetes.io/instance") found.add(inner as string);
          else walk(inner);
        }
      }
    };
    for (const resource of resources) if (resource.type.startsWith("kubernetes:")) walk(await resolve(resource.props));
    return found;
  }

  it("is the component's name by default", async () => {
    const { resources } = buildStack("ai-app", dedicatedStack());
    assert.deepEqual([...(await instanceLabels(resources))], ["ai-app"]);
  });

  it("labels and selects every object when set, so a renamed AppStack keeps its selectors", async () => {
    const { resources } = buildStack("renamed", { ...dedicatedStack(), instance: "ai-app" });
    assert.deepEqual([...(await instanceLabels(resources))], ["ai-app"]);
    const statefulSet: any = await resolve(one(resources, T.statefulSet, "renamed-postgres-statefulset").props);
    assert.deepEqual(statefulSet.spec.selector.matchLabels, {
      "app.kubernetes.io/name": "postgres",
      "app.kubernetes.io/instance": "ai-app",
      "app.kubernetes.io/component": "postgres",
    });
  });

  it("is a label value, reported with the stack's other problems", () => {
    rejectsArgs('AppStack "app"', (opts) => new AppStack("app", { ...dedicatedStack(), api: { image: "api" }, instance: "ai app" }, opts), [
      '`api.image` must be a container image reference (lowercase repository, one tag and/or a digest) with an explicit tag or digest, such as "ghcr.io/acme/api:1.2.3"; ":latest" and untagged images are not reproducible (got "api")',
      '`instance` must be a label value: 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (got "ai app")',
    ]);
  });
});
