import * as assert from "node:assert/strict";
import { AppStack } from "../../../components";
import { dedicatedStack, sharedStack } from "../fixtures";
import { buildStack, isSecret, one, podSpecOf, propsOf, resolve, T, WORKLOAD_TYPES, secretValues } from "./capture";
import { rejectsArgs } from "./invalidArgs";

describe("AppStack, dedicated", () => {
  const { app, resources } = buildStack("dedicated", dedicatedStack());
  const named = (type: string, suffix: string) => propsOf(resources, type, suffix);

  it("creates a namespace that enforces Pod Security restricted and survives destroy", async () => {
    const ns = one(resources, T.namespace);
    const props = await resolve(ns.props);
    assert.equal((props as any).metadata.name, "tenantstack-dev-acme");
    assert.deepEqual(
      Object.entries((props as any).metadata.labels).filter(([k]) => k.startsWith("pod-security")),
      [
        ["pod-security.kubernetes.io/enforce", "restricted"],
        ["pod-security.kubernetes.io/enforce-version", "latest"],
        ["pod-security.kubernetes.io/audit", "restricted"],
        ["pod-security.kubernetes.io/warn", "restricted"],
      ],
    );
    assert.equal(ns.opts.retainOnDelete, true);
    assert.equal(await resolve(app.namespace), "tenantstack-dev-acme");
  });

  it("adds the configured labels to its namespace", async () => {
    const labelled = buildStack("labelled", { ...dedicatedStack(), namespaceLabels: { "example.com/cost-center": "ml-42" } });
    const props: any = await resolve(one(labelled.resources, T.namespace).props);
    assert.equal(props.metadata.labels["example.com/cost-center"], "ml-42");
    assert.equal(props.metadata.labels["app.kubernetes.io/part-of"], "tenantstack");
  });

  it("runs the API with its image, port, probes, resources and stack wiring", async () => {
    const api = await named(T.deployment, "-api-deployment");
    assert.equal(api.metadata.name, "api");
    assert.equal(api.spec.replicas, undefined, "replicas are left to the HPA");
    const pod = api.spec.template.spec;
    const [container] = pod.containers;
    assert.equal(container.image, "ghcr.io/example/api:1.0.0");
    assert.deepEqual(container.ports, [{ name: "http", containerPort: 8080 }]);
    assert.deepEqual(container.livenessProbe, { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10, failureThreshold: 3 });
    assert.deepEqual(container.readinessProbe, { httpGet: { path: "/readyz", port: "http" }, periodSeconds: 5, failureThreshold: 3 });
    assert.deepEqual(container.startupProbe, { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 2, failureThreshold: 60 });
    assert.deepEqual(container.resources, {
      requests: { cpu: "250m", memory: "256Mi", "ephemeral-storage": "128Mi" },
      limits: { cpu: "1", memory: "512Mi", "ephemeral-storage": "1Gi" },
    });
    const env = Object.fromEntries(container.env.map((v: any) => [v.name, v.value ?? v.valueFrom.secretKeyRef]));
    assert.equal(env.POSTGRES_HOST, "postgres");
    assert.equal(env.REDIS_HOST, "redis");
    assert.equal(env.OLLAMA_URL, "http://ollama:11434");
    assert.equal(env.TENANCY_MODE, "dedicated");
    assert.equal(env.TENANTS, "acme");
    // Its host, so that the app refuses every other (app contract, TENANT_HOSTS).
    assert.match(env.TENANT_HOSTS, /^[a-z0-9.-]+=acme$/);
    assert.deepEqual(env.POSTGRES_PASSWORD, { name: "credentials", key: "POSTGRES_PASSWORD" });
    assert.deepEqual(env.APP_SECRET_KEY, { name: "credentials", key: "APP_SECRET_KEY" });
    assert.equal(pod.automountServiceAccountToken, false);
    assert.deepEqual(pod.volumes.slice(0, 2), [
      { name: "tenants", secret: { secretName: "tenant-credentials", defaultMode: 0o440 } },
      { name: "maintenance", configMap: { name: "tenant-maintenance", optional: true } },
    ]);
    assert.deepEqual(container.volumeMounts.slice(0, 2), [
      { name: "tenants", mountPath: "/var/run/tenantstack/tenants", readOnly: true },
      { name: "maintenance", mountPath: "/var/run/tenantstack/maintenance", readOnly: true },
    ]);
    assert.equal(env.MAINTENANCE_DIR, "/var/run/tenantstack/maintenance");
    assert.match(api.spec.template.metadata.annotations["tenantstack.io/settings-checksum"], /^[0-9a-f]{64}$/);
    // A rollout that makes no progress fails the update after Kubernetes' default deadline.
    assert.equal(api.spec.progressDeadlineSeconds, 600);
    assert.deepEqual(api.spec.strategy.rollingUpdate, { maxSurge: 1, maxUnavailable: 0 });
  });

  it("scales the API with an HPA, bounds disruption with a PDB, and exposes it on port 80", async () => {
    const hpa = await named(T.hpa, "-api-hpa");
    assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], [2, 10]);
    assert.equal(hpa.spec.metrics[0].resource.target.averageUtilization, 70);
    assert.equal((await named(T.pdb, "-api-pdb")).spec.maxUnavailable, 1);
    const service = await named(T.service, "-api-service");
    assert.deepEqual(service.spec.ports, [{ name: "http", port: 80, targetPort: "http" }]);
    assert.equal((await named(T.serviceAccount, "-api-service-account")).automountServiceAccountToken, false);
  });

  it("probes the worker on its health port", async () => {
    const [container] = (await named(T.deployment, "-worker-deployment")).spec.template.spec.containers;
    assert.deepEqual(container.ports, [{ name: "health", containerPort: 8081 }]);
    assert.deepEqual(container.readinessProbe.httpGet, { path: "/healthz", port: "health" });
    assert.deepEqual(container.livenessProbe.tcpSocket, { port: "health" });
  });

  it("runs every pod non-root with the restricted security contexts", async () => {
    const workloads = resources.filter((r) => WORKLOAD_TYPES.includes(r.type));
    assert.equal(workloads.length, 8);
    for (const workload of workloads) {
      const pod = podSpecOf(workload.type, await resolve(workload.props));
      assert.equal(pod.securityContext.runAsNonRoot, true, workload.name);
      assert.deepEqual(pod.securityContext.seccompProfile, { type: "RuntimeDefault" }, workload.name);
      for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
        assert.deepEqual(
          container.securityContext,
          {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
          },
          `${workload.name}/${container.name}`,
        );
        assert.ok(container.resources?.limits?.memory, `${workload.name}/${container.name} has a memory limit`);
      }
    }
  });

  it("protects Postgres, Redis and Ollama and keeps their claims", async () => {
    for (const store of ["postgres", "redis", "ollama"]) {
      const statefulSet = one(resources, T.statefulSet, `-${store}-statefulset`);
      assert.equal(statefulSet.opts.protect, true, store);
      assert.equal(statefulSet.opts.deleteBeforeReplace, true, store);
      const guard = one(resources, T.guard, `-${store}-volume-guard`);
      assert.deepEqual(statefulSet.opts.dependsOn, [guard.resource], `${store} waits for its volume guard`);
      const props: any = await resolve(statefulSet.props);
      assert.deepEqual(props.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" }, store);
      assert.deepEqual(await resolve(guard.props.volume as any), {
        field: store,
        storageGi: { postgres: 20, redis: 8, ollama: 50 }[store],
        storageClass: "",
      });
    }
    const postgres = await named(T.statefulSet, "-postgres-statefulset");
    assert.equal(postgres.spec.volumeClaimTemplates[0].spec.resources.requests.storage, "20Gi");
    assert.deepEqual(postgres.spec.template.spec.containers[0].args, ["-c", "max_connections=200", "-c", "shared_buffers=256MB"]);
  });

  it("schedules Ollama on GPU nodes and pulls its models in a Job next to it", async () => {
    const pod = (await named(T.statefulSet, "-ollama-statefulset")).spec.template.spec;
    assert.equal(pod.containers[0].resources.limits["nvidia.com/gpu"], "1");
    assert.deepEqual(pod.nodeSelector, { "nvidia.com/gpu.present": "true" });
    assert.deepEqual(pod.tolerations, [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    assert.equal(pod.runtimeClassName, "nvidia");
    assert.equal(pod.initContainers, undefined, "the serving pod does not download");
    const pull = one(resources, T.job, "-ollama-pull-models");
    assert.deepEqual(pull.opts.dependsOn, [one(resources, T.statefulSet, "-ollama-statefulset").resource]);
    const job: any = await resolve(pull.props);
    assert.match(job.metadata.name, /^ollama-pull-[0-9a-f]{10}$/);
    const pullPod = job.spec.template.spec;
    assert.deepEqual(pullPod.volumes[0], { name: "models", persistentVolumeClaim: { claimName: "data-ollama-0" } });
    assert.deepEqual(pullPod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution, [
      {
        labelSelector: {
          matchLabels: {
            "app.kubernetes.io/name": "ollama",
            "app.kubernetes.io/instance": "dedicated",
            "app.kubernetes.io/component": "ollama",
          },
        },
        topologyKey: "kubernetes.io/hostname",
      },
    ]);
    assert.deepEqual(pullPod.tolerations, pod.tolerations, "it reaches the GPU node without asking for a GPU");
    assert.equal(pullPod.containers[0].resources.limits["nvidia.com/gpu"], undefined);
    // The models are the script's arguments, never part of its source.
    assert.deepEqual(pullPod.containers[0].command.slice(3), ["pull-models", "llama3.2:1b"]);
    assert.match(pullPod.containers[0].command[2], /for model in "\$@"; do ollama pull "\$model"; done/);
    assert.equal(pullPod.containers[0].env.find((v: any) => v.name === "OLLAMA_HOST").value, "127.0.0.1:11434");
  });

  it("configures Redis with AOF, maxmemory and the ACL file", async () => {
    const conf = (await named(T.configMap, "-redis-config")).data["redis.conf"];
    assert.equal(
      conf,
      "port 6379\ndir /data\naclfile /acl/users.acl\nmaxmemory 256mb\nmaxmemory-policy noeviction\nappendonly yes\nappendfsync everysec\nprotected-mode no\n",
    );
  });

  it("serves the tenant's host through cert-manager's ACME staging issuer over HTTP-01", async () => {
    const ingress = await named(T.ingress, "-ingress-ingress");
    assert.equal(ingress.metadata.annotations["cert-manager.io/issuer"], "letsencrypt-staging");
    assert.deepEqual(ingress.spec.tls, [{ hosts: ["acme.example.com"], secretName: "tls-acme-example-com" }]);
    assert.equal(ingress.spec.rules[0].http.paths[0].backend.service.name, "api");
    const issuer = await named(T.custom("cert-manager.io/v1", "Issuer"), "-ingress-issuer");
    assert.equal(issuer.spec.acme.server, "https://acme-staging-v02.api.letsencrypt.org/directory");
    assert.deepEqual(issuer.spec.acme.solvers, [{ http01: { ingress: { ingressClassName: "nginx" } } }]);
    assert.deepEqual(app.urls, { acme: "https://acme.example.com" });
  });

  it("denies all traffic by default and allows exactly the stack's flows", async () => {
    const policies = await Promise.all(resources.filter((r) => r.type === T.networkPolicy).map((r) => resolve(r.props as any)));
    const byName = Object.fromEntries(policies.map((p: any) => [p.metadata.name, p.spec]));
    assert.deepEqual(Object.keys(byName).sort(), [
      "allow-dns",
      "allow-from-api",
      "allow-from-postgres-backup",
      "allow-from-postgres-provision",
      "allow-from-worker",
      "allow-ingress-controller-to-api",
      "allow-ollama-model-download",
      "allow-to-ollama",
      "allow-to-postgres",
      "allow-to-redis",
      "default-deny",
    ]);
    assert.deepEqual(byName["default-deny"], { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const toPostgres = byName["allow-to-postgres"].ingress[0];
    assert.deepEqual(
      toPostgres.from.map((f: any) => f.podSelector.matchLabels["app.kubernetes.io/component"]),
      ["api", "worker", "postgres-backup", "postgres-provision"],
    );
    assert.deepEqual(toPostgres.ports, [{ protocol: "TCP", port: 5432 }]);
    assert.deepEqual(byName["allow-ingress-controller-to-api"].ingress, [
      {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }],
        ports: [{ protocol: "TCP", port: 8080 }],
      },
    ]);
    assert.deepEqual(
      byName["allow-from-api"].egress.map((e: any) => [e.to[0].podSelector.matchLabels["app.kubernetes.io/component"], e.ports[0].port]),
      [
        ["postgres", 5432],
        ["redis", 6379],
        ["ollama", 11434],
      ],
    );
  });

  it("keeps every credential secret and never regenerates a password", async () => {
    const credentials = one(resources, T.secret, "-secrets-credentials");
    assert.equal(await isSecret(credentials.props.data as any), true);
    assert.equal(credentials.props.stringData, undefined, "values encoded here, not by the provider (saved plans)");
    const values = await secretValues(credentials);
    assert.deepEqual(Object.keys(values), ["POSTGRES_PASSWORD", "REDIS_PASSWORD", "APP_SECRET_KEY"]);
    assert.equal(values.POSTGRES_PASSWORD, "generated-dedicated-secrets-postgres-password");
    assert.equal(await isSecret(app.tenantDatabaseUrls), true);
    assert.deepEqual(await resolve(app.tenantDatabaseUrls), {
      acme: "postgresql://tenant_acme:generated-dedicated-secrets-tenant-acme-database-password@postgres:5432/tenant_acme",
    });
    for (const password of resources.filter((r) => r.type === T.password)) {
      assert.equal(password.props.special, false, password.name);
      assert.ok(password.opts.ignoreChanges?.includes("length"), password.name);
    }
  });

  it("backs Postgres up to a protected volume, pruning old dumps", async () => {
    const claim = one(resources, T.pvc, "-backup-volume");
    assert.deepEqual([claim.opts.protect, claim.opts.retainOnDelete], [true, true]);
    const cron = await named(T.cronJob, "-backup-cronjob");
    assert.equal(cron.spec.schedule, "0 3 * * *");
    assert.equal(cron.spec.concurrencyPolicy, "Forbid");
    const [backup] = cron.spec.jobTemplate.spec.template.spec.containers;
    assert.match(backup.command[2], /pg_dumpall \| gzip .* -mtime \+"\$BACKUP_RETENTION_DAYS" -delete/);
    assert.deepEqual(
      backup.env.find((v: any) => v.name === "BACKUP_RETENTION_DAYS"),
      { name: "BACKUP_RETENTION_DAYS", value: "14" },
    );
    // It waits for the server (at most 2 minutes) before it dumps: its pod may start before Postgres is
    // ready, or before a NetworkPolicy enforcer lets the new pod's address through (seen on the real node).
    assert.match(
      cron.spec.jobTemplate.spec.template.spec.containers[0].command[2],
      /^set -euo pipefail; for _ in \$\(seq 60\); do pg_isready -q && break; sleep 2; done; pg_isready -q; dump=/,
    );
  });
});

describe("AppStack, shared with three tenants", () => {
  const { app, resources } = buildStack("shared", sharedStack());
  const named = (type: string, suffix: string) => propsOf(resources, type, suffix);

  it("provisions each tenant's database and role in one idempotent Job", async () => {
    const job = await named(T.job, "-provision-tenants");
    assert.match(job.metadata.name, /^postgres-provision-[0-9a-f]{10}$/);
    const [container] = job.spec.template.spec.containers;
    const script: string = container.command[2];
    // The roles come from the environment, never from the script's source.
    for (const index of [0, 1, 2])
      assert.match(script, new RegExp(`-v role="\\$TENANT_${index}_ROLE" -v password="\\$TENANT_${index}_PASSWORD" `));
    assert.doesNotMatch(script, /tenant_acme|globex|initech/);
    assert.deepEqual(
      container.env.filter((v: any) => v.name.startsWith("TENANT_")).map((v: any) => [v.name, v.value ?? v.valueFrom.secretKeyRef.key]),
      [
        ["TENANT_0_ROLE", "tenant_acme"],
        ["TENANT_0_PASSWORD", "acme.database-password"],
        ["TENANT_1_ROLE", "tenant_globex"],
        ["TENANT_1_PASSWORD", "globex.database-password"],
        ["TENANT_2_ROLE", "tenant_initech_eu"],
        ["TENANT_2_PASSWORD", "initech-eu.database-password"],
      ],
    );
  });

  it("gives each tenant a Redis ACL user confined to its key prefix", async () => {
    const data = await secretValues(one(resources, T.secret, "-secrets-tenant-credentials"));
    assert.equal(
      data["redis-tenants.acl"],
      ["acme", "globex", "initech-eu"]
        .map((t) => `user tenant-${t} on >generated-shared-secrets-tenant-${t}-redis-password ~${t}:* &${t}:* +@all -@admin -@dangerous\n`)
        .join(""),
    );
    assert.equal(data["globex.redis-url"], "redis://tenant-globex:generated-shared-secrets-tenant-globex-redis-password@redis:6379/0");
    assert.equal(data["globex.redis-key-prefix"], "globex:");
  });

  it("routes every tenant's host with production certificates through DNS-01", async () => {
    const ingress = await named(T.ingress, "-ingress-ingress");
    assert.deepEqual(
      ingress.spec.rules.map((r: any) => r.host),
      ["acme.example.com", "globex.example.com", "initech.example.com"],
    );
    assert.equal(ingress.spec.tls.length, 3);
    const issuer = await named(T.custom("cert-manager.io/v1", "Issuer"), "-ingress-issuer");
    assert.equal(issuer.spec.acme.server, "https://acme-v02.api.letsencrypt.org/directory");
    assert.deepEqual(issuer.spec.acme.solvers, [{ selector: { dnsZones: ["example.com"] }, dns01: { route53: {} } }]);
    assert.deepEqual(Object.keys(app.urls), ["acme", "globex", "initech-eu"]);
  });

  it("creates a ServiceMonitor for the API", async () => {
    const monitor = await named(T.custom("monitoring.coreos.com/v1", "ServiceMonitor"), "-api-service-monitor");
    assert.deepEqual(monitor.spec.endpoints, [{ port: "http", path: "/metrics", interval: "30s" }]);
  });

  it("puts the shared namespace and the tenant list on the workloads", async () => {
    assert.equal(await resolve(app.namespace), "tenantstack-prod");
    const env = (await named(T.deployment, "-worker-deployment")).spec.template.spec.containers[0].env;
    assert.deepEqual(
      env.find((v: any) => v.name === "TENANTS"),
      { name: "TENANTS", value: "acme,globex,initech-eu" },
    );
    assert.match(env.find((v: any) => v.name === "TENANT_HOSTS").value, /^[a-z0-9.-]+=acme,[a-z0-9.-]+=globex,[a-z0-9.-]+=initech-eu$/);
  });
});

describe("AppStack, shared with a migration's copies", () => {
  // acme is served and routed; globex is a migration's target before the switch (neither); initech-eu
  // its source after the switch (served, fenced, not routed).
  const input = sharedStack();
  const tenancy = input.tenancy as { mode: "shared"; tenants: { name: string; host: string; routed?: boolean; served?: boolean }[] };
  const { resources } = buildStack("copies", {
    ...input,
    tenancy: {
      ...tenancy,
      tenants: [tenancy.tenants[0], { ...tenancy.tenants[1], routed: false }, { ...tenancy.tenants[2], routed: false, served: true }],
    },
  });

  it("serves the routed tenants and a source copy after the switch, and routes only the routed", async () => {
    const ingress = await propsOf(resources, T.ingress);
    assert.deepEqual(
      ingress.spec.rules.map((r: { host: string }) => r.host),
      ["acme.example.com"],
    );
    for (const workload of ["-api-deployment", "-worker-deployment"]) {
      const env = (await propsOf(resources, T.deployment, workload)).spec.template.spec.containers[0].env;
      assert.deepEqual(
        env.find((v: { name: string }) => v.name === "TENANTS"),
        { name: "TENANTS", value: "acme,initech-eu" },
        workload,
      );
      assert.equal(
        env.find((v: { name: string }) => v.name === "TENANT_HOSTS").value,
        "acme.example.com=acme,initech.example.com=initech-eu",
        workload,
      );
    }
  });
});

describe("AppStack, external secrets", () => {
  const input = {
    ...dedicatedStack(),
    secrets: {
      source: "external" as const,
      store: { kind: "ClusterSecretStore" as const, name: "aws-secrets-manager" },
      appSecretNames: ["OPENAI_API_KEY"],
      remoteKeys: { postgresPassword: "pg", redisPassword: "redis", appSecretKey: "app", OPENAI_API_KEY: "openai" },
    },
  };
  const { resources } = buildStack("external", input);

  it("reads the credentials through an external-secrets.io/v1 ExternalSecret", async () => {
    const external = await propsOf(resources, T.custom("external-secrets.io/v1", "ExternalSecret"), "-secrets-credentials");
    assert.deepEqual(external.spec.secretStoreRef, { kind: "ClusterSecretStore", name: "aws-secrets-manager" });
    assert.deepEqual(external.spec.target, { name: "credentials", creationPolicy: "Owner", deletionPolicy: "Retain" });
    assert.deepEqual(
      external.spec.data.map((d: any) => [d.secretKey, d.remoteRef.key]),
      [
        ["POSTGRES_PASSWORD", "pg"],
        ["REDIS_PASSWORD", "redis"],
        ["APP_SECRET_KEY", "app"],
        ["OPENAI_API_KEY", "openai"],
      ],
    );
    assert.equal(resources.filter((r) => r.type === T.password && !r.name.includes("-tenant-")).length, 0);
  });
});

describe("AppStack, bad input", () => {
  it("throws every problem before registering anything, each at the path of its setting", () => {
    const input: any = { ...dedicatedStack(), cloud: "ibm", api: { image: "api", replicas: 0 } };
    rejectsArgs('AppStack "bad"', (opts) => new AppStack("bad", input, opts), [
      '`cloud` must be one of "none", "aws", "gcp", "azure" (got "ibm")',
      '`api.image` must be a container image reference (lowercase repository, one tag and/or a digest) with an explicit tag or digest, such as "ghcr.io/acme/api:1.2.3"; ":latest" and untagged images are not reproducible (got "api")',
      "`api.replicas` must be an integer between 1 and 100 (got 0)",
    ]);
  });

  it("requires the values of generated app secrets", () => {
    const input = { ...dedicatedStack(), secrets: { source: "generated" as const, appSecretNames: ["OPENAI_API_KEY"] } };
    rejectsArgs('AppStack "missing"', (opts) => new AppStack("missing", input, opts), [
      "`appSecretValues.OPENAI_API_KEY` is required by `secrets.appSecretNames`: provide it as a secret (wrap it with `pulumi.secret`)",
    ]);
  });
});
