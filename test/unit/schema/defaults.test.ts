import * as assert from "node:assert/strict";
import { parseStack } from "../../../schema";
import { dedicatedStack } from "../fixtures";

describe("defaults", () => {
  const spec = parseStack(dedicatedStack());
  const cases: [string, unknown, unknown][] = [
    ["cloud", spec.cloud, "none"],
    ["scheduling", spec.scheduling, { nodeSelector: {}, tolerations: [] }],
    ["api port", spec.api.port, 8080],
    [
      "api resources",
      spec.api.resources,
      {
        cpuRequest: "250m",
        memoryRequest: "256Mi",
        cpuLimit: "1",
        memoryLimit: "512Mi",
        ephemeralStorageRequest: "128Mi",
        ephemeralStorageLimit: "1Gi",
      },
    ],
    [
      "ephemeral storage of the stores",
      [spec.postgres.resources, spec.redis.resources, spec.ollama.resources].map((r) => [
        r.ephemeralStorageRequest,
        r.ephemeralStorageLimit,
      ]),
      [
        ["128Mi", "1Gi"],
        ["64Mi", "512Mi"],
        ["256Mi", "4Gi"],
      ],
    ],
    ["api autoscaling", spec.api.autoscaling, { enabled: true, minReplicas: 2, maxReplicas: 10, targetCpuUtilizationPercent: 70 }],
    ["worker health", spec.worker.health, { type: "http", port: 8081, path: "/healthz" }],
    ["postgres volume", [spec.postgres.storageGi, spec.postgres.allowVolumeReplacement], [20, false]],
    [
      "postgres backup",
      spec.postgres.backup,
      {
        enabled: true,
        schedule: "0 3 * * *",
        retentionDays: 14,
        startingDeadlineSeconds: 3600,
        destination: { type: "volume", storageGi: 20 },
      },
    ],
    [
      "postgres backup to object storage",
      parseStack({ ...dedicatedStack(), postgres: { backup: { destination: { type: "gcs", bucket: "acme-backups" } } } }).postgres.backup
        .destination,
      { type: "gcs", bucket: "acme-backups", prefix: "postgres", scratchGi: 10 },
    ],
    ["redis", [spec.redis.maxmemoryMb, spec.redis.maxmemoryPolicy, spec.redis.appendOnly], [256, "noeviction", true]],
    [
      "ollama gpu",
      spec.ollama.gpu,
      {
        count: 1,
        nodeSelector: { "nvidia.com/gpu.present": "true" },
        tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
        runtimeClassName: "nvidia",
      },
    ],
    ["secrets", spec.secrets, { source: "generated", passwordLength: 32, passwordProvider: "random", appSecretNames: [] }],
    ["ingress", [spec.ingress.className, spec.ingress.controllerNamespace, spec.ingress.waitForAddress], ["nginx", "ingress-nginx", true]],
    [
      "monitoring",
      spec.monitoring,
      {
        serviceMonitor: false,
        interval: "30s",
        prometheus: { namespace: "monitoring", podSelector: { "app.kubernetes.io/name": "prometheus" } },
      },
    ],
  ];
  for (const [title, actual, expected] of cases) it(title, () => assert.deepEqual(actual, expected));

  it("parses its own output to the same value", () => {
    assert.deepEqual(parseStack(spec), spec);
  });
});
