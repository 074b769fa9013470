/**
 * What the rendered pods need to run well on real nodes: bounded disk, probes that do not restart a slow
 * store, no password in a process list, drains that crash-looping pods cannot block, backups that do not
 * pile up, and network policies that let Prometheus scrape and keep the serving Ollama off the internet.
 */
import * as assert from "node:assert/strict";
import { awsStack, dedicatedStack, sharedStack } from "../fixtures";
import { buildStack, type Captured, podSpecs, propsOf, resolve, T } from "./capture";

/** Every container of a pod, init containers first. */
function containersOf(pod: any): any[] {
  return [...(pod.initContainers ?? []), ...pod.containers];
}

/** The NetworkPolicies of a stack, by name. */
async function policiesOf(resources: readonly Captured[]): Promise<Record<string, any>> {
  const policies = await Promise.all(resources.filter((r) => r.type === T.networkPolicy).map((r) => resolve(r.props as any)));
  return Object.fromEntries(policies.map((p: any) => [p.metadata.name, p.spec]));
}

/** Whether a pod's labels match a selector's `matchLabels`. */
function selects(selector: { matchLabels?: Record<string, string> }, labels: Record<string, string>): boolean {
  return Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
}

describe("pods on real nodes", () => {
  const stacks = {
    dedicated: buildStack("dedicated", dedicatedStack()).resources,
    shared: buildStack("shared", sharedStack()).resources,
    aws: buildStack("aws", awsStack()).resources,
  };

  describe("ephemeral storage", () => {
    for (const [stack, resources] of Object.entries(stacks)) {
      it(`bounds every container and every emptyDir of the ${stack} stack`, async () => {
        const pods = await podSpecs(resources);
        assert.ok(pods.size >= 7, `${pods.size} pods`);
        for (const [name, pod] of pods) {
          for (const container of containersOf(pod)) {
            const { requests, limits } = container.resources;
            assert.match(requests["ephemeral-storage"], /^[0-9]+(Mi|Gi)$/, `${name}/${container.name} request`);
            assert.match(limits["ephemeral-storage"], /^[0-9]+(Mi|Gi)$/, `${name}/${container.name} limit`);
          }
          const emptyDirs = (pod.volumes ?? []).filter((v: any) => v.emptyDir);
          assert.ok(emptyDirs.length > 0, `${name} has scratch directories`);
          for (const volume of emptyDirs) assert.match(volume.emptyDir.sizeLimit, /^[0-9]+(Mi|Gi)$/, `${name}/${volume.name}`);
        }
      });
    }

    it("takes each workload's ephemeral storage from its resources, and gives the app's /tmp all of it", async () => {
      const { resources } = buildStack("sized", {
        ...dedicatedStack(),
        api: { image: "ghcr.io/example/api:1.0.0", resources: { ephemeralStorageRequest: "256Mi", ephemeralStorageLimit: "2Gi" } },
        postgres: { resources: { ephemeralStorageRequest: "100Mi", ephemeralStorageLimit: "300Mi" } },
      });
      const pods = await podSpecs(resources);
      const api = pods.get("sized-api-deployment");
      assert.deepEqual(
        [api.containers[0].resources.requests["ephemeral-storage"], api.containers[0].resources.limits["ephemeral-storage"]],
        ["256Mi", "2Gi"],
      );
      assert.deepEqual(
        api.volumes.find((v: any) => v.name === "tmp"),
        { name: "tmp", emptyDir: { sizeLimit: "2Gi" } },
      );
      const postgres = pods.get("sized-postgres-statefulset").containers[0];
      assert.deepEqual(postgres.resources.limits, { cpu: "2", memory: "2Gi", "ephemeral-storage": "300Mi" });
    });

    it("sizes the backup's scratch space for the dump before its upload, and the containers' storage to hold it", async () => {
      const input = awsStack();
      const { resources } = buildStack("scratch", {
        ...input,
        postgres: { backup: { destination: { type: "s3", bucket: "acme-ai-backups", region: "eu-west-1", scratchGi: 3 } } },
      });
      const pod = (await podSpecs(resources)).get("scratch-postgres-backup-cronjob");
      assert.deepEqual(
        pod.volumes.find((v: any) => v.name === "work"),
        { name: "work", emptyDir: { sizeLimit: "3Gi" } },
      );
      for (const container of containersOf(pod)) {
        assert.deepEqual(
          [container.name, container.resources.requests["ephemeral-storage"], container.resources.limits["ephemeral-storage"]],
          [container.name, "3136Mi", "3328Mi"],
        );
      }
    });
  });

  describe("probes", () => {
    const pods = podSpecs(stacks.dedicated);
    const container = async (workload: string) => (await pods).get(`dedicated-${workload}`).containers[0];

    it("restarts Postgres only when it stops listening; pg_isready decides readiness", async () => {
      const postgres = await container("postgres-statefulset");
      assert.deepEqual(postgres.livenessProbe, { tcpSocket: { port: "postgres" }, periodSeconds: 15, failureThreshold: 4 });
      assert.deepEqual(postgres.startupProbe, { tcpSocket: { port: "postgres" }, periodSeconds: 2, failureThreshold: 90 });
      assert.deepEqual(postgres.readinessProbe, {
        exec: { command: ["pg_isready", "-U", "postgres", "-h", "127.0.0.1"] },
        periodSeconds: 5,
      });
    });

    it("restarts Redis only when it stops listening; a PONG decides readiness", async () => {
      const redis = await container("redis-statefulset");
      assert.deepEqual(redis.livenessProbe, { tcpSocket: { port: "redis" }, periodSeconds: 15, failureThreshold: 4 });
      assert.deepEqual(redis.startupProbe, { tcpSocket: { port: "redis" }, periodSeconds: 2, failureThreshold: 60 });
      assert.deepEqual(redis.readinessProbe, { exec: { command: ["sh", "-c", "redis-cli ping | grep -q PONG"] }, periodSeconds: 5 });
    });

    it("restarts the worker only when its health port closes; its health check decides readiness", async () => {
      const worker = await container("worker-deployment");
      assert.deepEqual(worker.livenessProbe, { tcpSocket: { port: "health" }, periodSeconds: 15, failureThreshold: 3 });
      assert.deepEqual(worker.startupProbe, { tcpSocket: { port: "health" }, periodSeconds: 2, failureThreshold: 60 });
      assert.deepEqual(worker.readinessProbe, { httpGet: { path: "/healthz", port: "health" }, periodSeconds: 10, failureThreshold: 3 });
    });

    it("gives an exec-checked worker 5 minutes of failed checks before a restart", async () => {
      const command = ["/app/healthcheck", "--deep"];
      const { resources } = buildStack("exec", {
        ...dedicatedStack(),
        worker: { image: "ghcr.io/example/worker:1.0.0", health: { type: "exec", command } },
      });
      const worker = (await podSpecs(resources)).get("exec-worker-deployment").containers[0];
      assert.deepEqual(worker.readinessProbe, { exec: { command }, periodSeconds: 10, failureThreshold: 3 });
      assert.deepEqual(worker.livenessProbe, { exec: { command }, periodSeconds: 30, failureThreshold: 10 });
      assert.deepEqual(worker.ports, []);
    });
  });

  it("gives redis-cli the password in REDISCLI_AUTH, never on a command line", async () => {
    const pod = (await podSpecs(stacks.shared)).get("shared-redis-statefulset");
    const redis = pod.containers[0];
    assert.deepEqual(redis.env, [{ name: "REDISCLI_AUTH", valueFrom: { secretKeyRef: { name: "credentials", key: "REDIS_PASSWORD" } } }]);
    for (const [name, anyPod] of await podSpecs(stacks.shared)) {
      for (const c of containersOf(anyPod)) {
        const commands = [
          c.command,
          c.args,
          c.livenessProbe?.exec?.command,
          c.readinessProbe?.exec?.command,
          c.startupProbe?.exec?.command,
        ];
        for (const line of commands.filter(Boolean).map((words: string[]) => words.join(" "))) {
          assert.doesNotMatch(line, /redis-cli[^|;]*\s-a\s/, `${name}/${c.name}: ${line}`);
        }
      }
    }
  });

  it("lets the API and worker disruption budgets evict unhealthy pods, so a crash loop cannot block a drain", async () => {
    for (const role of ["api", "worker"]) {
      const pdb = await propsOf(stacks.dedicated, T.pdb, `-${role}-pdb`);
      assert.equal(pdb.spec.unhealthyPodEvictionPolicy, "AlwaysAllow", role);
      assert.equal(pdb.spec.maxUnavailable, 1, role);
    }
  });

  it("skips a backup that cannot start within its deadline, instead of piling up missed runs", async () => {
    assert.equal((await propsOf(stacks.dedicated, T.cronJob, "-backup-cronjob")).spec.startingDeadlineSeconds, 3600);
    const { resources } = buildStack("deadline", { ...dedicatedStack(), postgres: { backup: { startingDeadlineSeconds: 600 } } });
    assert.equal((await propsOf(resources, T.cronJob, "-backup-cronjob")).spec.startingDeadlineSeconds, 600);
  });

  describe("network policies", () => {
    it("let Prometheus scrape the API's port when the ServiceMonitor is on", async () => {
      const policies = await policiesOf(stacks.shared);
      assert.deepEqual(policies["allow-prometheus-to-api"], {
        podSelector: {
          matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "shared", "app.kubernetes.io/component": "api" },
        },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
                podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
              },
            ],
            ports: [{ protocol: "TCP", port: 8080 }],
          },
        ],
      });
    });

    it("take the Prometheus namespace and pod labels from the settings, and allow nothing without a ServiceMonitor", async () => {
      const { resources } = buildStack("kps", {
        ...sharedStack(),
        api: { image: "ghcr.io/example/api:1.0.0", port: 9000 },
        monitoring: { serviceMonitor: true, prometheus: { namespace: "observability", podSelector: { prometheus: "k8s" } } },
      });
      const [rule] = (await policiesOf(resources))["allow-prometheus-to-api"].ingress;
      assert.deepEqual(rule, {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } },
            podSelector: { matchLabels: { prometheus: "k8s" } },
          },
        ],
        ports: [{ protocol: "TCP", port: 9000 }],
      });
      assert.equal((await policiesOf(stacks.dedicated))["allow-prometheus-to-api"], undefined);
    });

    it("open HTTPS egress to the model-pull Job's pod only, never to the serving Ollama", async () => {
      const policies = await policiesOf(stacks.dedicated);
      const pods = await podSpecs(stacks.dedicated);
      const labelsOf = async (name: string, type: string) => (await propsOf(stacks.dedicated, type, name)).spec.template.metadata.labels;
      const serving = await labelsOf("-ollama-statefulset", T.statefulSet);
      const pull = await labelsOf("-ollama-pull-models", T.job);
      const download = policies["allow-ollama-model-download"];
      assert.deepEqual(download.egress, [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] }]);
      assert.ok(selects(download.podSelector, pull));
      const internet = Object.entries(policies).filter(([, spec]) =>
        (spec.egress ?? []).some((rule: any) => (rule.to ?? []).some((peer: any) => peer.ipBlock)),
      );
      for (const [name, spec] of internet) assert.ok(!selects(spec.podSelector, serving), `${name} opens the internet to Ollama`);
      assert.equal(pods.get("dedicated-ollama-statefulset").initContainers, undefined);
    });

    it("leave the model pull without egress when downloads are not allowed, and make no pull without models", async () => {
      const closed = buildStack("closed", { ...dedicatedStack(), ollama: { allowModelDownload: false } }).resources;
      assert.equal((await policiesOf(closed))["allow-ollama-model-download"], undefined);
      const none = buildStack("none", { ...dedicatedStack(), ollama: { models: [] } }).resources;
      assert.equal([...(await podSpecs(none)).keys()].filter((name) => name.includes("pull")).length, 0);
    });
  });
});
