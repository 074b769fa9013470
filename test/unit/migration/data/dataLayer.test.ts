/** The pure parts of the migration data layer: settings, redaction, markers, the drain (journaled) and the Job's spec. */
import * as assert from "node:assert/strict";
import { MemoryJournal } from "../../../../automation/journal/stepJournals";
import { progressOf, type StepStatus } from "../../../../automation/journal/steps";
import { migrationJob, parseMigrationSettings, runMigrationStep } from "../../../../automation/migration/data";
import { KubernetesDrain, maintenanceApply, replicasToRestore, type KubeApi } from "../../../../automation/migration/data/kubeDrain";
import type { StepName } from "../../../../automation/migration/data/steps";
import { formatMarker, ownership, parseMarker } from "../../../../automation/migration/data/marker";
import { compareFingerprints } from "../../../../automation/migration/data/postgres/fingerprint";
import { redact } from "../../../../automation/redact";

const VALID = {
  id: "m-1",
  tenant: "acme",
  source: { postgresUrl: "postgres://postgres:s3cret@pg.src:5432/postgres", redisUrl: "redis://:r3dis@redis.src:6379" },
  target: { postgresUrl: "postgresql://postgres:t4rget@pg.dst/postgres", redisUrl: "rediss://default:x@redis.dst:6380" },
};

describe("migration settings", () => {
  it("take the schema's defaults", () => {
    const settings = parseMigrationSettings(VALID);
    assert.equal(settings.redisBatchSize, 500);
    assert.equal(settings.ttlToleranceMs, 2000);
    assert.equal(settings.workDir, undefined);
  });

  it("report every problem at once, never echoing a URL (the examples' password placeholders redacted like any)", () => {
    const bad = {
      ...VALID,
      tenant: "Acme",
      source: { postgresUrl: "mysql://root:s3cret@db/x", redisUrl: "not a url s3cret" },
      redisBatchSize: 0,
      extra: 1,
    };
    assert.throws(
      () => parseMigrationSettings(bad),
      (error: Error) => {
        assert.equal(
          error.message,
          [
            "Invalid migration settings (5 problems):",
            "  - `tenant` must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 40 characters (got \"Acme\")",
            '  - `source.postgresUrl` must be a URL with a host and scheme postgres:// or postgresql://, such as "postgres://postgres:***@postgres.ns.svc:5432/postgres" (got "a mysql:// URL (value not shown)")',
            '  - `source.redisUrl` must be a URL with a host and scheme redis:// or rediss://, such as "redis://:***@redis.ns.svc:6379" (got "a string that is not a URL (value not shown)")',
            "  - `redisBatchSize` must be an integer between 1 and 10000 (got 0)",
            "  - `extra` is not a known setting; allowed: id, tenant, source, target, workDir, redisBatchSize, ttlToleranceMs",
          ].join("\n"),
        );
        assert.doesNotMatch(error.message, /s3cret/);
        return true;
      },
    );
  });
});

describe("redact", () => {
  it("hides URL passwords and password settings, keeping users and hosts", () => {
    assert.equal(
      redact("could not connect to postgres://postgres:s3cret@pg:5432/db and redis://:r3dis@redis; password=abc user=x"),
      "could not connect to postgres://postgres:***@pg:5432/db and redis://:***@redis; password=*** user=x",
    );
    assert.equal(redact("postgres://postgres@pg/db"), "postgres://postgres@pg/db");
  });

  it("hides a password holding '@' whole, and every known secret value", () => {
    assert.equal(redact("postgres://u:p@ss@pg/db", {}), "postgres://u:***@pg/db");
    assert.equal(
      redact("passphrase is planted-passphrase, token planted-token-0123456789", {
        TENANTSTACK_PASSPHRASE: "planted-passphrase",
        TENANTSTACK_API_TOKEN: "planted-token-0123456789",
      }),
      "passphrase is ***, token ***",
    );
  });
});

describe("copy markers", () => {
  it("parse what they format, and decide who may overwrite a copy", () => {
    const mine = parseMarker(formatMarker({ id: "m-1", state: "copying" }));
    assert.deepEqual(mine, { id: "m-1", state: "copying" });
    assert.equal(parseMarker("some comment"), undefined);
    assert.equal(parseMarker(null), undefined);
    assert.equal(ownership(mine, "m-1"), "mine");
    assert.equal(ownership({ id: "m-0", state: "failed" }, "m-1"), "abandoned");
    assert.equal(ownership({ id: "m-0", state: "copied" }, "m-1"), "foreign");
    assert.equal(ownership(undefined, "m-1"), "foreign");
  });
});

describe("compareFingerprints", () => {
  it("names each line that is missing, extra or different", () => {
    assert.deepEqual(compareFingerprints({ a: "1", b: "2", c: "3" }, { a: "1", b: "9", d: "4" }), [
      "b: 2 in the source, 9 in the target",
      "c: missing in the target (source: 3)",
      "d: only in the target (4)",
    ]);
  });
});

describe("KubernetesDrain's pure parts", () => {
  it("restores the replica counts recorded by the first drain, not the 0 a rerun observes", () => {
    assert.deepEqual(replicasToRestore({ worker: 3 }, undefined), { worker: 3 });
    assert.deepEqual(replicasToRestore({ worker: 0 }, { replicas: { worker: 3 } }), { worker: 3 });
  });

  it("applies the tenant's flag, and an object without it to remove it", () => {
    assert.deepEqual(maintenanceApply("ns", "tenant-maintenance", "acme", true), {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "tenant-maintenance", namespace: "ns" },
      data: { acme: "read-only" },
    });
    assert.deepEqual(maintenanceApply("ns", "tenant-maintenance", "acme", false), {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "tenant-maintenance", namespace: "ns" },
    });
  });
});

/** A Deployment's scale subresource and the ConfigMap patches, with every request and journal write in one log. */
class FakeScaleApi implements KubeApi {
  replicas = 3;
  /** Set to hang (as a killed process would never go on) right after the scale to 0 took effect. */
  killAfterScaleDown = false;
  constructor(readonly log: string[]) {}

  async request<T>(method: string, requestPath: string, body?: unknown): Promise<T> {
    this.log.push(`${method} ${requestPath.split("?")[0].split("/").slice(-2).join("/")}`);
    if (method === "PATCH" && requestPath.endsWith("/scale")) {
      this.replicas = (body as { spec: { replicas: number } }).spec.replicas;
      if (this.replicas === 0 && this.killAfterScaleDown) return new Promise<T>(() => undefined);
    }
    return { spec: { replicas: this.replicas }, status: { replicas: this.replicas } } as T;
  }
}

class LoggedJournal extends MemoryJournal<StepName> {
  constructor(readonly log: string[]) {
    super();
  }
  override async record(step: StepName, status: StepStatus, detail: unknown, attempt: number): Promise<void> {
    this.log.push(`journal ${step} ${status} ${JSON.stringify((detail as { checkpoint?: unknown }).checkpoint ?? null)}`);
    await super.record(step, status, detail, attempt);
  }
}

describe("KubernetesDrain killed after scaling the workers to 0, before its step ended", () => {
  it("saved the replica counts before scaling, so the rerun and the undrain restore 3, not the 0 observed", async () => {
    const log: string[] = [];
    const kube = new FakeScaleApi(log);
    const journal = new LoggedJournal(log);
    const drain = () => new KubernetesDrain(kube, { namespace: "tenantstack-dev-acme", scaleToZero: ["worker"], timeoutMs: 1000 });
    kube.killAfterScaleDown = true;
    void runMigrationStep(journal, "drain", (previous, save) => drain().drain("acme", previous, save));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(log, [
      "journal drain running null",
      "GET worker/scale",
      'journal drain running {"replicas":{"worker":3}}',
      "PATCH configmaps/tenant-maintenance",
      "PATCH worker/scale",
    ]);
    assert.equal(kube.replicas, 0);

    // The rerun (a new process) observes 0 and keeps the 3 recorded.
    kube.killAfterScaleDown = false;
    log.length = 0;
    const checkpoint = await runMigrationStep(journal, "drain", (previous, save) => drain().drain("acme", previous, save));
    assert.deepEqual(checkpoint, { replicas: { worker: 3 } });
    assert.deepEqual(log.slice(0, 3), [
      'journal drain running {"replicas":{"worker":3}}',
      "GET worker/scale",
      'journal drain running {"replicas":{"worker":3}}',
    ]);
    assert.deepEqual(await journal.get("drain").then((r) => [r?.status, r?.attempts]), ["done", 2]);
    await drain().undrain("acme", progressOf(await journal.get("drain")).checkpoint);
    assert.equal(kube.replicas, 3);
  });
});

describe("migrationJob", () => {
  it("runs run.ts for the step with URLs from Secrets, restricted, retrying only retryable exits", () => {
    const ref = (key: string) => ({ name: "migration-urls", key });
    const job = migrationJob({
      namespace: "tenantstack-dev",
      id: "m-1",
      tenant: "acme",
      step: "copyPostgres",
      image: "ghcr.io/example/tenantstack-migrate:0.1.0",
      urls: { sourcePostgres: ref("sp"), sourceRedis: ref("sr"), targetPostgres: ref("tp"), targetRedis: ref("tr") },
    });
    assert.equal(job.metadata.name, "migrate-copypostgres-m-1");
    const pod = job.spec.template.spec;
    const [container] = pod.containers;
    assert.deepEqual(container.command, ["node", "/app/dist/automation/migration/data/run.js", "copyPostgres"]);
    assert.deepEqual(
      container.env.find((e) => e.name === "SOURCE_POSTGRES_URL"),
      {
        name: "SOURCE_POSTGRES_URL",
        valueFrom: { secretKeyRef: { name: "migration-urls", key: "sp" } },
      },
    );
    assert.ok(
      container.env.every((e) => !("value" in e) || !/:\/\//.test(String(e.value))),
      "no URL in plain env",
    );
    assert.deepEqual(container.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    assert.equal(pod.restartPolicy, "Never");
    assert.equal(pod.automountServiceAccountToken, false);
    assert.deepEqual(job.spec.podFailurePolicy.rules[0], { action: "Count", onExitCodes: { operator: "In", values: [75] } });
  });
});
