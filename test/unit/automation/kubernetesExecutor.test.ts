/**
 * The Kubernetes executor's parts that need no cluster: its settings checked before anything is touched
 * (every problem at once, naming the field and value), the objects it creates (no secret in a Job spec,
 * the input only in the Secret, the quota `concurrency` runners), the runner's log protocol, and the
 * portable kubeconfig that reaches a runner. The e2e suite runs real runner pods.
 */
import * as assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { Driver, InputError, KubernetesExecutor } from "../../../automation";
import { runnerJob, runnerJobName, runnerNamespaceObjects, runnerSecret, runnerStackKey } from "../../../automation/fleet/runnerJob";
import { parseRunnerLine, runnerLine } from "../../../automation/fleet/runnerProtocol";
import { planKey, sealPlan, sealSavedPlan, unsealPlan, unsealSavedPlan } from "../../../automation/fleet/sealedPlan";
import { portableKubeconfig } from "../../../automation/kube";
import { RunnerSettingsSchema } from "../../../schema/runnerSettings";

const PASSPHRASE = "planted-passphrase-8d1f";
const IMAGE = "localhost/tenantstack/runner:0.1.0-bookworm";

describe("Kubernetes executor", () => {
  let dir: string;
  let kubeconfig: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "ts-k8s-executor-"));
    writeFileSync(path.join(dir, "ca.crt"), "CA-PEM");
    writeFileSync(path.join(dir, "client.crt"), "CERT-PEM");
    writeFileSync(path.join(dir, "client.key"), "KEY-PEM");
    kubeconfig = path.join(dir, "kubeconfig");
    writeFileSync(
      kubeconfig,
      yaml.dump({
        apiVersion: "v1",
        kind: "Config",
        "current-context": "main",
        contexts: [
          { name: "main", context: { cluster: "c", user: "u" } },
          { name: "other", context: { cluster: "c2", user: "u2" } },
        ],
        clusters: [
          { name: "c", cluster: { server: "https://127.0.0.1:16443", "certificate-authority": path.join(dir, "ca.crt") } },
          { name: "c2", cluster: { server: "https://other:6443" } },
        ],
        users: [
          { name: "u", user: { "client-certificate": path.join(dir, "client.crt"), "client-key": path.join(dir, "client.key") } },
          { name: "u2", user: { token: "other-token" } },
        ],
      }),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const workspace = () => ({
    stateDir: path.join(dir, "state"),
    backendUrl: "s3://state?endpoint=http://127.0.0.1:9000&s3ForcePathStyle=true",
    passphrase: PASSPHRASE,
    clusters: { local: { kubeconfig } },
  });

  describe("settings", () => {
    it("refuses every bad setting at once, naming the field and the value", () => {
      assert.throws(
        () =>
          new KubernetesExecutor({
            workspace: workspace(),
            runners: {
              image: "runner",
              namespace: "Runners",
              concurrency: 0,
              resources: { cpuRequest: "3", cpuLimit: "2" },
              clusters: { elsewhere: { server: "http://x" } },
              timeoutSeconds: 5,
            } as never,
          }),
        (error: unknown) => {
          assert.ok(error instanceof InputError, String(error));
          const text = error.message;
          for (const field of [
            "runners.image",
            "runners.namespace",
            "runners.concurrency",
            "runners.resources.cpuRequest",
            "runners.clusters.elsewhere.server",
            "runners.timeoutSeconds",
          ])
            assert.ok(text.includes(field), `${field} in:\n${text}`);
          assert.match(text, /got "Runners"/);
          return true;
        },
      );
    });

    it("refuses a file:// backend, a program of one's own and a cluster the workspace does not have", () => {
      assert.throws(
        () =>
          new KubernetesExecutor({
            workspace: { ...workspace(), backendUrl: `file://${dir}/backend`, program: path.join(dir, "index.ts") },
            runners: { image: IMAGE, clusters: { elsewhere: {} } },
          }),
        (error: unknown) => {
          assert.ok(error instanceof InputError);
          assert.match(error.message, /`workspace.backendUrl` must be a backend the runners share.*got "file:\/\//);
          assert.match(error.message, /`workspace.program` and `workspace.inlineProgram` must be left unset/);
          assert.match(error.message, /`runners.clusters` names cluster "elsewhere", which the workspace does not have \(it has: local\)/);
          assert.ok(!error.message.includes(PASSPHRASE));
          return true;
        },
      );
    });

    it("defaults: namespace, concurrency 4, an engine's worth of memory, 30 minutes", () => {
      const settings = new KubernetesExecutor({ workspace: workspace(), runners: { image: IMAGE } }).settings;
      assert.equal(settings.namespace, "tenantstack-runners");
      assert.equal(settings.concurrency, 4);
      assert.equal(settings.resources.memoryRequest, "1Gi");
      assert.equal(settings.timeoutSeconds, 1800);
      assert.deepEqual(settings.scheduling, { nodeSelector: {}, tolerations: [] });
    });

    it("the driver refuses runners without the kubernetes executor, and the kubernetes executor without runners, before opening anything", async () => {
      const stateDir = path.join(dir, "driver-state");
      await assert.rejects(
        Driver.open({ workspace: { ...workspace(), stateDir }, executor: "kubernetes" }),
        /`runners` must be set with `executor` "kubernetes"/,
      );
      await assert.rejects(
        Driver.open({ workspace: { ...workspace(), stateDir }, runners: { image: IMAGE } }),
        /`runners` must be left unset unless `executor` is "kubernetes"/,
      );
      await assert.rejects(
        Driver.open({ workspace: { ...workspace(), stateDir }, executor: "remote" as never }),
        /`executor` must be "local", "kubernetes" or an executor object \(got "remote"\)/,
      );
      await assert.rejects(
        Driver.open({
          workspace: { ...workspace(), stateDir, backendUrl: `file://${dir}/b` },
          executor: "kubernetes",
          runners: { image: IMAGE },
        }),
        /runners share/,
      );
      assert.ok(!existsSync(stateDir), "nothing was created");
    });
  });

  describe("objects", () => {
    const settings = RunnerSettingsSchema.parse({
      image: IMAGE,
      concurrency: 3,
      namespaceLabels: { team: "platform", "app.kubernetes.io/component": "not-this" },
      scheduling: { nodeSelector: { "tenantstack.dev/node": "real" }, tolerations: [{ key: "tenantstack.dev/node", operator: "Exists" }] },
    });
    const job = { kind: "up" as const, stack: "Dev-Acme_Stack.with-a-rather-long-name-for-a-label", cluster: "local" };

    it("names a Job by its stack, uniquely, as a DNS label short enough for its pods", () => {
      const [a, b] = [runnerJobName(job.stack), runnerJobName(job.stack)];
      assert.notEqual(a, b);
      for (const name of [a, b, runnerJobName("x"), runnerJobName("___")]) {
        assert.match(name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        assert.ok(name.length <= 52, name);
      }
      assert.ok(a.startsWith("tsrun-dev-acme-stack-with-a-rather-"), a);
    });

    it("a Job of one pod, never retried, restricted, read-only, its input a Secret volume and nothing secret in its spec", () => {
      const spec = runnerJob("tsrun-x-1", job, settings, runnerStackKey("s3://state", job.stack));
      assert.equal(spec.spec.backoffLimit, 0);
      assert.equal(spec.spec.activeDeadlineSeconds, 1800 + 60);
      const pod = spec.spec.template.spec;
      assert.equal(pod.automountServiceAccountToken, false);
      assert.equal(pod.terminationGracePeriodSeconds, 60);
      assert.equal(pod.activeDeadlineSeconds, 1800 + 60, "the kubelet ends it by its deadline even without the API server");
      assert.deepEqual(pod.nodeSelector, { "tenantstack.dev/node": "real" });
      assert.equal(pod.containers[0].securityContext.readOnlyRootFilesystem, true);
      assert.equal(pod.securityContext.runAsUser, 10001);
      assert.deepEqual(pod.containers[0].resources.limits, { cpu: "2", memory: "2Gi", "ephemeral-storage": "2Gi" });
      assert.deepEqual(pod.volumes[0], { name: "input", secret: { secretName: "tsrun-x-1", defaultMode: 0o400 } });
      assert.equal(spec.metadata.annotations["tenantstack.io/stack"], job.stack);
      const input = {
        job,
        workspace: { passphrase: PASSPHRASE, env: { AWS_SECRET_ACCESS_KEY: "planted-key" } },
        kubeconfigs: { local: "KEY-PEM" },
      };
      const secret = runnerSecret("tsrun-x-1", "tenantstack-runners", input, "uid-1");
      assert.deepEqual(JSON.parse(Buffer.from(secret.data["input.json"], "base64").toString()), input);
      assert.deepEqual(secret.metadata.ownerReferences[0], {
        apiVersion: "batch/v1",
        kind: "Job",
        name: "tsrun-x-1",
        uid: "uid-1",
        blockOwnerDeletion: false,
      });
      const text = JSON.stringify(spec);
      for (const planted of [PASSPHRASE, "planted-key", "KEY-PEM"]) assert.ok(!text.includes(planted), planted);
    });

    it("seals a saved plan for the log: only its key opens it, and a changed one is refused", () => {
      const plan = JSON.stringify({ resourcePlans: { "urn:pulumi:dev::x": { goal: { image: "planted-image" } } } });
      const key = planKey();
      const sealed = sealPlan(plan, key);
      assert.ok(!sealed.includes("planted-image") && !Buffer.from(sealed, "base64").toString().includes("planted-image"));
      assert.notEqual(sealPlan(plan, key), sealed, "a fresh nonce each time");
      assert.equal(unsealPlan(sealed, key), plan);
      assert.throws(() => unsealPlan(sealed, planKey()), /unable to authenticate|auth/i);
      const changed = Buffer.from(sealed, "base64");
      changed[changed.length - 1] ^= 1;
      assert.throws(() => unsealPlan(changed.toString("base64"), key));
      // With the stack settings file whose salt sealed the plan's secret values.
      const saved = { plan, stackSettings: "encryptionsalt: v1:planted-salt\n" };
      assert.deepEqual(unsealSavedPlan(sealSavedPlan(saved, key), key), saved);
      assert.ok(!Buffer.from(sealSavedPlan(saved, key), "base64").toString().includes("planted-salt"));
    });

    it("labels a Job and its pod with its stack's key: one per stack and backend, a label value", () => {
      const key = runnerStackKey("s3://state", job.stack);
      assert.match(key, /^[a-f0-9]{32}$/);
      assert.equal(runnerStackKey("s3://state", job.stack), key, "every driver of the backend finds it");
      assert.notEqual(runnerStackKey("s3://other", job.stack), key, "a driver of another backend does not");
      assert.notEqual(runnerStackKey("s3://state", "dev-other"), key);
      const spec = runnerJob("tsrun-x-1", job, settings, key);
      assert.equal(spec.metadata.labels["tenantstack.io/stack-key"], key);
      assert.equal(spec.spec.template.metadata.labels["tenantstack.io/stack-key"], key);
    });

    it("a namespace under restricted pod security, a ServiceAccount without a token and a quota of `concurrency` runners", () => {
      const [namespace, account, quota] = runnerNamespaceObjects(settings);
      assert.equal(namespace.metadata.name, "tenantstack-runners");
      const labels = (namespace.metadata as { labels: Record<string, string> }).labels;
      assert.equal(labels["pod-security.kubernetes.io/enforce"], "restricted");
      assert.equal(labels.team, "platform", "the settings' labels");
      assert.equal(labels["app.kubernetes.io/component"], "runner", "the executor's own labels win");
      assert.equal((account as { automountServiceAccountToken: boolean }).automountServiceAccountToken, false);
      assert.deepEqual((quota as { spec: { hard: Record<string, string> } }).spec.hard, {
        pods: "3",
        "requests.cpu": "1500m",
        "requests.memory": "3072Mi",
        "limits.cpu": "6000m",
        "limits.memory": "6144Mi",
        "requests.ephemeral-storage": "768Mi",
        "limits.ephemeral-storage": "6144Mi",
      });
    });
  });

  describe("protocol", () => {
    it("reads its numbered lines, with or without the log's timestamps, and nothing else", () => {
      const event = {
        n: 1,
        type: "event" as const,
        event: { stack: "s", op: "create", resourceType: "kubernetes:apps/v1:Deployment", name: "api" },
      };
      assert.deepEqual(parseRunnerLine(runnerLine(event)), event);
      assert.deepEqual(parseRunnerLine(`2026-12-03T16:00:00.123456789Z ${runnerLine(event)}`), event);
      assert.equal(parseRunnerLine("Updating (dev-acme):"), undefined);
      assert.equal(parseRunnerLine('tenantstack-runner {"n":1,"type":"eve'), undefined, "a cut line");
      assert.equal(parseRunnerLine('tenantstack-runner {"type":"result"}'), undefined, "not numbered");
    });
  });

  describe("portable kubeconfig", () => {
    it("only the current context, its files inlined, its server replaced when asked", () => {
      const config = yaml.load(portableKubeconfig(kubeconfig, "https://kubernetes.default.svc")) as {
        "current-context": string;
        clusters: { cluster: Record<string, string> }[];
        users: { user: Record<string, string> }[];
        contexts: unknown[];
      };
      assert.equal(config["current-context"], "main");
      assert.equal(config.contexts.length, 1);
      assert.deepEqual(config.clusters[0].cluster, {
        server: "https://kubernetes.default.svc",
        "certificate-authority-data": Buffer.from("CA-PEM").toString("base64"),
      });
      assert.deepEqual(config.users[0].user, {
        "client-certificate-data": Buffer.from("CERT-PEM").toString("base64"),
        "client-key-data": Buffer.from("KEY-PEM").toString("base64"),
      });
      assert.equal((yaml.load(portableKubeconfig(kubeconfig)) as typeof config).clusters[0].cluster.server, "https://127.0.0.1:16443");
      assert.ok(!portableKubeconfig(kubeconfig).includes("other-token"));
    });
  });
});
