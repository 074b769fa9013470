/**
 * The stack's runtime in real containers on the local cluster's real node: the scripts ran, the
 * credentials work and isolate tenants, the policies deny, backups restore, a second `up` restarts
 * nothing. Each assertion reads what really happened: a psql or redis-cli answer, a refused
 * connection, a pod's status as the kubelet reports it.
 */
import * as assert from "node:assert/strict";
import type { Stack } from "@pulumi/pulumi/automation";
import { devSettings } from "../../support/devStack";
import { EngineSession, uniqueName } from "../../support/engine";
import { removeNamespace, TEST_RUN_LABELS } from "../../support/testRun";
import { OWN_CLUSTER } from "../../support/controlPlane";
import { execIn, kubectl, localImages, PLACEMENT, REAL_NODE, runPod, tagNextImage, type ProbePod } from "../../support/pods";

const TENANTS = ["acme", "globex"];
/** The labels of the stack's API pods: NetworkPolicies let them reach Postgres and Redis. */
const apiLabels = (instance: string) => ({
  "app.kubernetes.io/name": "api",
  "app.kubernetes.io/instance": instance,
  "app.kubernetes.io/component": "api",
});
/** A bash script that prints `<host:port> open` or `<host:port> closed` for each target (3 s to connect). */
const connections = (targets: string[]) =>
  `for t in ${targets.join(" ")}; do if timeout 3 bash -c "</dev/tcp/\${t%:*}/\${t#*:}" 2>/dev/null; then echo "$t open"; else echo "$t closed"; fi; done`;
/**
 * A bash prefix that waits (30 s at most) until each target accepts a TCP connection: a new pod's
 * address reaches the policy enforcer's sets a moment after the pod starts, as on any cluster.
 */
const reachable = (targets: string[]) =>
  `for t in ${targets.join(" ")}; do for i in $(seq 60); do timeout 2 bash -c "</dev/tcp/\${t%:*}/\${t#*:}" 2>/dev/null && break; sleep 0.5; done; done; `;
/** Per-table checksums of the public schema: `table=md5 ...`, in name order. */
const CHECKSUMS =
  "select string_agg(format('%s=%s', c.relname, (xpath('/row/m/text()', query_to_xml(format('select md5(string_agg(t::text, '','' order by t::text)) as m from %I t', c.relname), false, true, '')))[1]::text), ' ' order by c.relname) from pg_class c where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace";

describe("the stack's runtime on the real node", function () {
  let session: EngineSession;
  let images: Record<string, string>;

  before(async () => {
    session = await EngineSession.open();
    images = localImages();
  });
  after(async () => {
    await session?.close();
  });

  /** Pulumi.dev.yaml's settings on the real node, the images the local ones. */
  function realSettings(namespace: string, overrides: Record<string, any> = {}): Record<string, any> {
    const dev = devSettings("real");
    return {
      ...dev,
      namespace,
      // The busybox stand-in (tools/images/echo), answering `/` on its port: these tests are about the
      // stack's own parts; the reference app under traffic is test/e2e/runtime/liveTraffic.test.ts.
      api: { ...dev.api, image: images.echo, args: ["-listen=:8080", "-text=tenantstack"], healthPath: "/", readyPath: "/", replicas: 2 },
      worker: { ...dev.worker, image: images.echo, args: ["-listen=:8081", "-text=worker"], health: { type: "http", port: 8081, path: "/" } },
      postgres: { ...dev.postgres, image: images.postgres },
      redis: { ...dev.redis, image: images.redis },
      ...overrides,
    };
  }

  /** A stack of the program brought up before the tests of the enclosing `describe`, removed after them. */
  interface RunningStack {
    stack: Stack;
    ns: string;
    settings: Record<string, any>;
    /** Its `app.kubernetes.io/instance` label. */
    instance: string;
  }
  function upBeforeAll(prefix: string, overrides: () => Record<string, any> = () => ({})): RunningStack {
    const running = {} as RunningStack;
    before(async function () {
      running.ns = uniqueName(prefix);
      running.settings = realSettings(running.ns, overrides());
      running.stack = await session.stack(running.ns, running.settings);
      const result = await running.stack.up();
      assert.equal(result.summary.result, "succeeded");
      const api = await session.kube.get(`/apis/apps/v1/namespaces/${running.ns}/deployments/api`);
      running.instance = api.metadata.labels["app.kubernetes.io/instance"];
    });
    after(async () => {
      if (running.stack) await session.removeStack(running.stack, running.settings, running.ns);
    });
    return running;
  }

  /** Deletes a StatefulSet's pod and waits until its replacement is ready; returns the new pod's uid. */
  async function deleteAndAwaitReady(namespace: string, pod: string): Promise<string> {
    const podPath = `/api/v1/namespaces/${namespace}/pods/${pod}`;
    const before = (await session.kube.get(podPath)).metadata.uid;
    await session.kube.request("DELETE", podPath);
    const after = await session.kube.waitFor(
      podPath,
      (p: any) => p.metadata.uid !== before && p.status.containerStatuses?.every((c: any) => c.ready),
      180_000,
    );
    return after.metadata.uid;
  }

  /** The stack's pods by name, as the API server reports them. */
  async function podsOf(namespace: string): Promise<Record<string, any>> {
    const pods = await session.kube.list(`/api/v1/namespaces/${namespace}/pods`);
    return Object.fromEntries(pods.map((pod: any) => [pod.metadata.name, pod]));
  }

  /** Waits until the StatefulSet or Deployment has all its replicas ready again. */
  const readyAgain = (namespace: string, kind: string, name: string) =>
    session.kube.waitFor(
      `/apis/apps/v1/namespaces/${namespace}/${kind}/${name}`,
      (o: any) => o.status?.readyReplicas === o.spec.replicas && o.status?.updatedReplicas === o.spec.replicas,
      180_000,
    );

  describe("a shared stack of two tenants", () => {
    const running = upBeforeAll("e2e-rt-shared", () => ({
      tenancy: { mode: "shared", tenants: TENANTS.map((name) => ({ name, host: `${name}.tenantstack.localhost` })) },
      ollama: { ...devSettings("real").ollama, enabled: false },
    }));
    /** A probe pod in the stack's namespace with the API's labels (or others), on the real node. */
    const probe = (pod: Omit<ProbePod, "image"> & { image?: string }) =>
      runPod(session.kube, running.ns, { image: images.postgres, labels: apiLabels(running.instance), ...pod });

    it("runs every pod Running and Ready on the real node, as non-root users with read-only root file systems", async () => {
      const pods = Object.values(await podsOf(running.ns)).filter((pod: any) => pod.status.phase !== "Succeeded");
      assert.deepEqual(pods.map((pod: any) => pod.metadata.name.replace(/-[a-z0-9]+-[a-z0-9]+$/, "")).sort(), [
        "api",
        "api",
        "postgres-0",
        "redis-0",
        "worker",
      ]);
      for (const pod of pods as any[]) {
        if (!OWN_CLUSTER) assert.equal(pod.spec.nodeName, REAL_NODE.name, `${pod.metadata.name} on the real node`);
        assert.equal(pod.status.phase, "Running", pod.metadata.name);
        for (const status of pod.status.containerStatuses) {
          assert.equal(status.ready, true, `${pod.metadata.name}/${status.name} ready`);
          assert.equal(status.restartCount, 0, `${pod.metadata.name}/${status.name} never restarted`);
          const id = execIn(running.ns, pod.metadata.name, status.name, ["id", "-u"]);
          assert.equal(id.code, 0, id.output);
          assert.notEqual(id.output.trim(), "0", `${pod.metadata.name}/${status.name} runs as a non-root user`);
          const write = execIn(running.ns, pod.metadata.name, status.name, ["touch", "/tenantstack-probe"]);
          assert.notEqual(write.code, 0, `${pod.metadata.name}/${status.name}: the root file system is read-only`);
          assert.match(write.output, /Read-only file system/);
        }
      }
    });

    it("ran the provisioning Job: each tenant's role logs in to its own database through cluster DNS, and is refused on the other's", async () => {
      for (const [tenant, other] of [TENANTS, [...TENANTS].reverse()]) {
        const result = await probe({
          name: `psql-${tenant}`,
          env: { PGHOST: "postgres", PGUSER: `tenant_${tenant}`, PGCONNECT_TIMEOUT: "5" },
          secretEnv: { PGPASSWORD: ["tenant-credentials", `${tenant}.database-password`] },
          command: [
            "bash",
            "-c",
            `${reachable(["postgres:5432"])}psql -d tenant_${tenant} -tAc 'select current_user, current_database()'; echo "own=$?"; psql -d tenant_${other} -tAc 'select 1' 2>&1; echo "other=$?"`,
          ],
        });
        assert.match(result.output, new RegExp(`^tenant_${tenant}\\|tenant_${tenant}$`, "m"), result.output);
        assert.match(result.output, /^own=0$/m);
        assert.match(result.output, new RegExp(`permission denied for database "?tenant_${other}"?`), result.output);
        assert.match(result.output, /^other=2$/m);
      }
    });

    it("isolates the tenants in Redis: each ACL user writes its own keys and is refused on the other's; the default user needs the password", async () => {
      for (const [tenant, other] of [TENANTS, [...TENANTS].reverse()]) {
        const result = await probe({
          name: `redis-${tenant}`,
          image: images.redis,
          secretEnv: { URL: ["tenant-credentials", `${tenant}.redis-url`] },
          command: [
            "bash",
            "-c",
            `${reachable(["redis:6379"])}redis-cli -u "$URL" --no-auth-warning SET ${tenant}:probe yes; redis-cli -u "$URL" --no-auth-warning SET ${other}:probe no; redis-cli -h redis PING`,
          ],
        });
        const [own, foreign, anonymous] = result.output.split("\n").filter(Boolean);
        assert.equal(own, "OK", result.output);
        assert.match(foreign, /NOPERM/, result.output);
        assert.match(anonymous, /NOAUTH/, result.output);
      }
    });

    it("keeps a Redis key across a pod delete (append-only file)", async () => {
      const redis = (name: string, command: string) =>
        probe({
          name,
          image: images.redis,
          secretEnv: { REDISCLI_AUTH: ["credentials", "REDIS_PASSWORD"] },
          command: ["bash", "-c", `${reachable(["redis:6379"])}redis-cli -h redis ${command}`],
        });
      assert.equal((await redis("redis-write", "SET durable:key kept")).output.trim(), "OK");
      await deleteAndAwaitReady(running.ns, "redis-0");
      assert.equal((await redis("redis-read", "GET durable:key")).output.trim(), "kept");
    });

    it("enforces the NetworkPolicies: Postgres and Redis refuse pods without the allowed labels, and the API's egress stops at its own stack", async () => {
      const outside = uniqueName("e2e-rt-outside");
      await session.kube.request("POST", "/api/v1/namespaces", { metadata: { name: outside, labels: TEST_RUN_LABELS } });
      try {
        // A server outside the stack, in a namespace without policies.
        await session.kube.request("POST", `/api/v1/namespaces/${outside}/pods`, {
          metadata: { name: "server", labels: { app: "server" } },
          spec: {
            ...PLACEMENT,
            securityContext: { runAsNonRoot: true, runAsUser: 999, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "server",
                image: images.echo,
                args: ["-listen=:8080", "-text=outside"],
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
              },
            ],
          },
        });
        const server = await session.kube.waitFor(
          `/api/v1/namespaces/${outside}/pods/server`,
          (p: any) => p.status.containerStatuses?.[0]?.ready,
          120_000,
        );
        const serverIp = server.status.podIP;

        const script = connections(["postgres:5432", "redis:6379", `${serverIp}:8080`]);
        const fromApi = await probe({ name: "net-api", command: ["bash", "-c", `${reachable(["postgres:5432", "redis:6379"])}${script}`] });
        assert.match(fromApi.output, /^postgres:5432 open$/m, fromApi.output);
        assert.match(fromApi.output, /^redis:6379 open$/m, fromApi.output);
        assert.match(
          fromApi.output,
          new RegExp(`^${serverIp.replace(/\./g, "\\.")}:8080 closed$`, "m"),
          "egress outside the stack is refused",
        );
        const fromIntruder = await probe({ name: "net-intruder", labels: { app: "intruder" }, command: ["bash", "-c", script] });
        assert.match(fromIntruder.output, /^postgres:5432 closed$/m, fromIntruder.output);
        assert.match(fromIntruder.output, /^redis:6379 closed$/m, fromIntruder.output);
        // The control: the same server answers a pod outside the stack.
        const control = await runPod(session.kube, outside, {
          name: "net-control",
          image: images.postgres,
          command: ["bash", "-c", script],
        });
        assert.match(control.output, new RegExp(`^${serverIp.replace(/\./g, "\\.")}:8080 open$`, "m"), control.output);
      } finally {
        await removeNamespace(session.kube, outside);
      }
    });

    it("changes nothing and restarts nothing on a second up", async () => {
      const before = await podsOf(running.ns);
      const result = await running.stack.up();
      assert.deepEqual(Object.keys(result.summary.resourceChanges ?? {}), ["same"]);
      const after = await podsOf(running.ns);
      for (const [name, pod] of Object.entries(before)) {
        if (pod.status.phase === "Succeeded") continue;
        assert.equal(after[name]?.metadata.uid, pod.metadata.uid, `${name} not replaced`);
        assert.deepEqual(
          after[name].status.containerStatuses.map((c: any) => c.restartCount),
          pod.status.containerStatuses.map((c: any) => c.restartCount),
          `${name} not restarted`,
        );
      }
    });

    it("rolls an API image change out with readiness never below the disruption budget, and keeps the data across a pod delete and the update", async () => {
      // The data: a row in a tenant's database.
      const sql = (name: string, statement: string) =>
        probe({
          name,
          secretEnv: { PGPASSWORD: ["tenant-credentials", "acme.database-password"] },
          env: { PGHOST: "postgres", PGUSER: "tenant_acme", PGDATABASE: "tenant_acme", STATEMENT: statement },
          command: ["bash", "-c", `${reachable(["postgres:5432"])}psql -v ON_ERROR_STOP=1 -tAc "$STATEMENT"`],
        });
      const written = await sql(
        "sql-write",
        "create table if not exists probe (v text); insert into probe values ('kept'); select count(*) from probe",
      );
      assert.equal(written.code, 0, written.output);
      const restartedUid = await deleteAndAwaitReady(running.ns, "postgres-0");
      assert.equal((await sql("sql-read-1", "select v from probe")).output.trim(), "kept");

      // The same image under a second local tag: a new image reference for the API.
      const next = images["echo-next"];
      const tagged = tagNextImage(images);
      assert.equal(tagged.code, 0, tagged.output);
      const pdb = await session.kube.get(`/apis/policy/v1/namespaces/${running.ns}/poddisruptionbudgets/api`);
      const minReady = running.settings.api.replicas - (pdb.spec.maxUnavailable ?? 0);
      let lowest = Infinity;
      let rolling = true;
      const watch = (async () => {
        while (rolling) {
          const deployment = await session.kube.get(`/apis/apps/v1/namespaces/${running.ns}/deployments/api`);
          lowest = Math.min(lowest, deployment.status.readyReplicas ?? 0);
          await new Promise((resolve) => setTimeout(resolve, 200)); // a sampling interval, not an ordering
        }
      })();
      running.settings = { ...running.settings, api: { ...running.settings.api, image: next } };
      await session.configure(running.stack, running.settings);
      try {
        const result = await running.stack.up();
        assert.equal(result.summary.result, "succeeded");
      } finally {
        rolling = false;
        await watch;
      }
      const deployment = await readyAgain(running.ns, "deployments", "api");
      assert.equal(deployment.spec.template.spec.containers[0].image, next);
      assert.ok(lowest >= minReady, `ready API replicas fell to ${lowest}, below ${minReady}`);
      assert.equal((await podsOf(running.ns))["postgres-0"].metadata.uid, restartedUid, "the update leaves Postgres alone");
      assert.equal((await sql("sql-read-2", "select v from probe")).output.trim(), "kept", "the row survives the unrelated update");
    });
  });

  describe("the dedicated dev stack", () => {
    const running = upBeforeAll("e2e-rt-dedicated");

    it("runs the backup CronJob as a Job: its dump restores into a fresh server with equal per-table checksums", async () => {
      const tenant = running.settings.tenancy.tenant.name;
      const db = `tenant_${tenant}`;
      const live = await runPod(session.kube, running.ns, {
        name: "seed",
        image: images.postgres,
        labels: apiLabels(running.instance),
        env: { PGHOST: "postgres", PGUSER: db, PGDATABASE: db, CHECKSUMS },
        secretEnv: { PGPASSWORD: ["tenant-credentials", `${tenant}.database-password`] },
        command: [
          "bash",
          "-c",
          `set -e; ${reachable(["postgres:5432"])}psql -v ON_ERROR_STOP=1 -qc "create table notes (id serial primary key, body text); insert into notes (body) select 'note ' || g from generate_series(1, 500) g; create table tags (name text); insert into tags values ('a'), ('b')"; psql -tAc "$CHECKSUMS"`,
        ],
      });
      assert.equal(live.code, 0, live.output);
      assert.match(live.output, /notes=[0-9a-f]{32} tags=[0-9a-f]{32}/);

      const cronJob = (await session.kube.list(`/apis/batch/v1/namespaces/${running.ns}/cronjobs`))[0];
      const job = kubectl(["create", "job", "-n", running.ns, `--from=cronjob/${cronJob.metadata.name}`, "backup-now"]);
      assert.equal(job.code, 0, job.output);
      const done = await session.kube.waitFor(
        `/apis/batch/v1/namespaces/${running.ns}/jobs/backup-now`,
        (j: any) => j.status?.succeeded === 1 || j.status?.conditions?.some((c: any) => c.type === "Failed" && c.status === "True"),
        180_000,
      );
      assert.equal(done.status.succeeded, 1, JSON.stringify(done.status));

      const claim = cronJob.spec.jobTemplate.spec.template.spec.volumes.find((v: any) => v.name === "work").persistentVolumeClaim.claimName;
      const restored = await runPod(session.kube, running.ns, {
        name: "restore",
        image: images.postgres,
        claims: { "/backup": claim },
        env: { CHECKSUMS },
        command: [
          "bash",
          "-c",
          `set -e; initdb -D /tmp/data -U postgres >/dev/null 2>&1; pg_ctl -D /tmp/data -o "-k /tmp -c listen_addresses=''" -w start >/dev/null; ` +
            `gunzip -c "/backup/$(cat /backup/latest)" | psql -h /tmp -U postgres -d postgres -q >/dev/null 2>&1 || true; ` +
            `psql -h /tmp -U postgres -d ${db} -tAc "$CHECKSUMS"`,
        ],
      });
      assert.equal(restored.code, 0, restored.output);
      assert.equal(restored.output.trim(), live.output.trim().split("\n").pop(), "per-table checksums equal after restore");
    });
  });
});
