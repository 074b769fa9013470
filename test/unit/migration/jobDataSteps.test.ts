/** Job failures of the data steps: a failure the pod failure policy ends is final, others may be retried; a failed Job is replaced. */
import * as assert from "node:assert/strict";
import { MigrationError, parseMigrationSettings } from "../../../automation/migration/data";
import { jobDataSteps } from "../../../automation/migration/jobDataSteps";

const settings = parseMigrationSettings({
  id: "m1",
  tenant: "acme",
  source: { postgresUrl: "postgres://postgres:pw@a:5432/postgres", redisUrl: "redis://:pw@a:6379" },
  target: { postgresUrl: "postgres://postgres:pw@b:5432/postgres", redisUrl: "redis://:pw@b:6379" },
});

/**
 * A Kubernetes API holding one Job whose status each GET after creation reports as `outcome`; a
 * deleted Job stays `lingering` GETs (its pods terminating, in a foreground deletion).
 */
function fakeKube(existing: object | undefined, outcome: { type: string; reason: string }, lingering = 0) {
  const calls: string[] = [];
  let job = existing;
  let deleting = -1;
  return {
    calls,
    async request<T>(method: string, path: string): Promise<T> {
      calls.push(`${method} ${method === "DELETE" ? path : path.split("?")[0]}`);
      if (method === "GET" && path.includes("/jobs/")) {
        if (deleting >= 0 && deleting-- === 0) job = undefined;
        if (!job) throw new Error("404");
        return job as T;
      }
      if (method === "DELETE" && path.includes("/jobs/")) deleting = lingering;
      if (method === "POST") job = { status: { conditions: [{ ...outcome, status: "True", message: "m" }] } };
      return {} as T;
    },
  };
}

const failed = (reason: string) => ({ type: "Failed", reason });

describe("data steps as Jobs", () => {
  it("reports a Job ended by the pod failure policy as final, and one out of retries as retryable", async () => {
    for (const [reason, retryable] of [
      ["PodFailurePolicy", false],
      ["BackoffLimitExceeded", true],
    ] as const) {
      const steps = jobDataSteps(fakeKube(undefined, failed(reason)), { namespace: "ns", image: "i", pollMs: 1 }, settings);
      await assert.rejects(
        steps.verify(undefined, async () => undefined, 1),
        (error: unknown) => {
          assert.ok(error instanceof MigrationError);
          assert.equal(error.retryable, retryable);
          assert.match(error.message, new RegExp(`Job ns/migrate-verify-m1 failed \\(${reason}\\)`));
          return true;
        },
      );
    }
  });

  it("replaces a Job that failed on an earlier attempt once it and its pods are gone", async () => {
    const kube = fakeKube({ status: { conditions: [{ type: "Failed", status: "True" }] } }, { type: "Complete", reason: "" }, 2);
    const steps = jobDataSteps(kube, { namespace: "ns", image: "i", pollMs: 1 }, settings);
    assert.deepEqual(await steps.copyRedis(undefined, async () => undefined, 2), { job: "migrate-copyredis-m1" });
    assert.deepEqual(kube.calls, [
      "PATCH /api/v1/namespaces/ns/secrets/migrate-urls-m1",
      "GET /apis/batch/v1/namespaces/ns/jobs/migrate-copyredis-m1",
      "DELETE /apis/batch/v1/namespaces/ns/jobs/migrate-copyredis-m1?propagationPolicy=Foreground",
      "GET /apis/batch/v1/namespaces/ns/jobs/migrate-copyredis-m1",
      "GET /apis/batch/v1/namespaces/ns/jobs/migrate-copyredis-m1",
      "GET /apis/batch/v1/namespaces/ns/jobs/migrate-copyredis-m1",
      "POST /apis/batch/v1/namespaces/ns/jobs",
      "GET /apis/batch/v1/namespaces/ns/jobs/migrate-copyredis-m1",
    ]);
  });

  it("waits, on a re-run after a killed driver, for the Job the killed attempt started, starting none", async () => {
    let polls = 0;
    const calls: string[] = [];
    const kube = {
      async request<T>(method: string, path: string): Promise<T> {
        calls.push(`${method} ${path.split("?")[0]}`);
        if (method !== "GET" || !path.includes("/jobs/")) return {} as T;
        return { status: { conditions: ++polls < 3 ? [] : [{ type: "Complete", status: "True" }] } } as T;
      },
    };
    const steps = jobDataSteps(kube, { namespace: "ns", image: "i", pollMs: 1 }, settings);
    assert.deepEqual(await steps.copyPostgres({}, async () => undefined, 2), { job: "migrate-copypostgres-m1" });
    assert.deepEqual(calls, [
      "PATCH /api/v1/namespaces/ns/secrets/migrate-urls-m1",
      "GET /apis/batch/v1/namespaces/ns/jobs/migrate-copypostgres-m1",
      "GET /apis/batch/v1/namespaces/ns/jobs/migrate-copypostgres-m1",
      "GET /apis/batch/v1/namespaces/ns/jobs/migrate-copypostgres-m1",
    ]);
  });
});
