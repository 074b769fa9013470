import * as assert from "node:assert/strict";
import { Api, Postgres } from "../../../components";
import { dedicatedStack, sharedStack } from "../fixtures";
import { buildStack, capture, podSpecs } from "./capture";
import { rejectsArgs } from "./invalidArgs";

/** The real node of the local cluster: its label and taint. */
const REAL_NODE = {
  nodeSelector: { "tenantstack.dev/node": "real" },
  tolerations: [{ key: "tenantstack.dev/node", value: "real", effect: "NoSchedule" as const }],
};
const REAL_NODE_TOLERATIONS = [{ key: "tenantstack.dev/node", operator: "Equal", value: "real", effect: "NoSchedule" }];
const GPU_PLACEMENT = {
  nodeSelector: { "nvidia.com/gpu.present": "true" },
  tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
};

/** The node selector and tolerations of every pod, by resource name. */
async function placements(input: Parameters<typeof buildStack>[1]): Promise<Record<string, unknown>> {
  const pods = await podSpecs(buildStack("placed", input).resources);
  return Object.fromEntries([...pods].map(([name, pod]) => [name, { nodeSelector: pod.nodeSelector, tolerations: pod.tolerations }]));
}

describe("stack scheduling", () => {
  it("places every CPU pod, Ollama without a GPU and its model pull included, on the selected nodes", async () => {
    const placed = await placements({ ...dedicatedStack(), scheduling: REAL_NODE, ollama: { gpu: { count: 0 } } });
    const real = { nodeSelector: REAL_NODE.nodeSelector, tolerations: REAL_NODE_TOLERATIONS };
    assert.deepEqual(placed, {
      "placed-postgres-statefulset": real,
      "placed-postgres-provision-tenants": real,
      "placed-postgres-backup-cronjob": real,
      "placed-redis-statefulset": real,
      "placed-ollama-statefulset": real,
      "placed-ollama-pull-models": real,
      "placed-api-deployment": real,
      "placed-worker-deployment": real,
    });
  });

  it("keeps Ollama and its model pull on the GPU nodes when it has a GPU", async () => {
    const placed = await placements({ ...sharedStack(), scheduling: REAL_NODE });
    assert.deepEqual(placed["placed-ollama-statefulset"], GPU_PLACEMENT);
    assert.deepEqual(placed["placed-ollama-pull-models"], GPU_PLACEMENT);
    const real = { nodeSelector: REAL_NODE.nodeSelector, tolerations: REAL_NODE_TOLERATIONS };
    for (const name of ["api-deployment", "worker-deployment", "postgres-statefulset", "redis-statefulset", "postgres-backup-cronjob"]) {
      assert.deepEqual(placed[`placed-${name}`], real, name);
    }
  });

  it("leaves the pods of a stack without scheduling as they were: no node selector or tolerations field", async () => {
    const placed = await placements(dedicatedStack());
    const unplaced = Object.entries(placed).filter(([name]) => !name.startsWith("placed-ollama-"));
    assert.equal(unplaced.length, 6);
    for (const [name, placement] of unplaced) assert.deepEqual(placement, { nodeSelector: undefined, tolerations: undefined }, name);
  });

  it("takes only a node selector, or only tolerations", async () => {
    const placed = await placements({ ...dedicatedStack(), scheduling: { tolerations: REAL_NODE.tolerations } });
    assert.deepEqual(placed["placed-api-deployment"], { nodeSelector: undefined, tolerations: REAL_NODE_TOLERATIONS });
  });

  it("is an argument of each part used alone, validated with the part's settings before anything registers", async () => {
    const { resources, opts } = capture();
    const credentials = { credentialsSecretName: "credentials", tenantCredentialsSecretName: "tenant-credentials" };
    new Postgres("alone", { namespace: "ns", credentials, spec: {}, tenants: ["acme"], scheduling: REAL_NODE }, opts);
    const pods = await podSpecs(resources);
    assert.deepEqual([...pods.keys()], ["alone-statefulset", "alone-provision-tenants", "alone-backup-cronjob"]);
    for (const [name, pod] of pods) assert.deepEqual(pod.nodeSelector, REAL_NODE.nodeSelector, name);

    const scheduling: any = { nodeSelector: "real", tolerations: [{ operator: "Exists" }] };
    const wiring = { credentialKeys: [], tenancyMode: "dedicated" as const, tenants: ["acme"], ollama: false };
    rejectsArgs('Api "bad"', (opts) => new Api("bad", { namespace: "ns", credentials, spec: { image: "api" }, scheduling, wiring }, opts), [
      '`spec.image` must be a container image reference (lowercase repository, one tag and/or a digest) with an explicit tag or digest, such as "ghcr.io/acme/api:1.2.3"; ":latest" and untagged images are not reproducible (got "api")',
      '`scheduling.nodeSelector` must be a map of labels (got "real")',
      "`scheduling.tolerations[0].key` is required: it must be a non-empty string of at most 253 characters",
    ]);
  });
});
