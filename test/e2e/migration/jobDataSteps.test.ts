/**
 * The data steps as Jobs on the local cluster's API server and controllers: the Job spec is admitted
 * (pod failure policy; a namespace enforcing Pod Security `restricted`), its URLs come from the Secret, and the driver
 * waits for completion. kwok completes a Job's pods without running them: no data moves here (the
 * steps themselves are tested with real servers in test/e2e/migration/data).
 */
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { parseMigrationSettings } from "../../../automation/migration/data";
import { jobDataSteps, urlSecretName } from "../../../automation/migration/jobDataSteps";
import { KUBECONFIG } from "../../support/controlPlane";
import { KubeClient } from "../../support/kube";
import { removeNamespace, TEST_RUN_LABELS } from "../../support/testRun";

describe("data steps as Kubernetes Jobs", () => {
  const run = randomBytes(2).toString("hex");
  const namespace = `j${run}-migrate`;
  let kube: KubeClient;
  const password = randomBytes(8).toString("hex");
  const settings = parseMigrationSettings({
    id: `job-${run}`,
    tenant: "acme",
    source: {
      postgresUrl: `postgres://postgres:${password}@postgres.a.svc:5432/postgres`,
      redisUrl: `redis://:${password}@redis.a.svc:6379`,
    },
    target: {
      postgresUrl: `postgres://postgres:${password}@postgres.b.svc:5432/postgres`,
      redisUrl: `redis://:${password}@redis.b.svc:6379`,
    },
  });

  before(() => {
    kube = KubeClient.fromKubeconfig(KUBECONFIG);
    return kube.request("POST", "/api/v1/namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: namespace, labels: { "pod-security.kubernetes.io/enforce": "restricted", ...TEST_RUN_LABELS } },
    });
  });
  after(async () => {
    await removeNamespace(kube, namespace);
    kube?.close();
  });

  it("runs a step as a Job with the URLs from a Secret, waits for it, and does not run it again once complete", async () => {
    const steps = jobDataSteps(kube, { namespace, image: "registry.example.com/tenantstack-migrate:1", pollMs: 500 }, settings);
    const save = async () => undefined;
    assert.deepEqual(await steps.copyPostgres(undefined, save, 1), { job: `migrate-copypostgres-job-${run}` });
    const job = await kube.get(`/apis/batch/v1/namespaces/${namespace}/jobs/migrate-copypostgres-job-${run}`);
    assert.ok(job.status.conditions.some((c: { type: string }) => c.type === "Complete"));
    assert.ok(!JSON.stringify(job.spec).includes(password), "no password in the Job's spec");
    const env = job.spec.template.spec.containers[0].env;
    assert.deepEqual(env.find((e: { name: string }) => e.name === "TARGET_POSTGRES_URL").valueFrom.secretKeyRef, {
      name: urlSecretName(settings.id),
      key: "TARGET_POSTGRES_URL",
    });
    const secret = await kube.get(`/api/v1/namespaces/${namespace}/secrets/${urlSecretName(settings.id)}`);
    assert.equal(Buffer.from(secret.data.SOURCE_REDIS_URL, "base64").toString(), settings.source.redisUrl);

    await steps.copyPostgres(undefined, save, 1);
    const again = await kube.get(`/apis/batch/v1/namespaces/${namespace}/jobs/migrate-copypostgres-job-${run}`);
    assert.equal(again.metadata.uid, job.metadata.uid, "the complete Job was not run again");
  });
});
