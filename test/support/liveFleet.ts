/**
 * A small fleet of the reference app on the local cluster's real node, for the live-traffic test and
 * benchmark: one dedicated tenant and a shared stack of two, registered with a driver whose migrations
 * use the cluster data plane, brought up, and an app client per tenant that follows the Ingress routes.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { clusterDataPlane, Driver } from "../../automation";
import { AppClient, IngressRoutes } from "./appClient";
import { appVersions, tagOf, type AppVersions } from "./appImages";
import { KUBECONFIG } from "./controlPlane";
import { devSettings } from "./devStack";
import { KubeClient } from "./kube";
import { removeNamespace, testDir, TEST_RUN_LABELS } from "./testRun";

/** The dev stack's settings on the real node, as a tenant's: two API replicas, no Ollama, no backups, a 60 s rollout deadline and a 2-minute rollout timeout. */
export function liveTenantSettings(): Record<string, any> {
  const dev = devSettings("real");
  return {
    scheduling: dev.scheduling,
    // A release that exits at start fails its update after 2 minutes, not pulumi-kubernetes' 10 minutes.
    api: { ...dev.api, replicas: 2, progressDeadlineSeconds: 60, rolloutTimeoutSeconds: 120 },
    worker: { ...dev.worker, progressDeadlineSeconds: 60, rolloutTimeoutSeconds: 120 },
    postgres: { ...dev.postgres, backup: { enabled: false } },
    redis: dev.redis,
    ollama: { enabled: false },
    ingress: dev.ingress,
    secrets: dev.secrets,
    namespaceLabels: TEST_RUN_LABELS,
  };
}

/** The fleet; see the module's comment. */
export class LiveFleet {
  /** The dedicated tenant, then the two shared ones. */
  readonly tenants: { readonly solo: string; readonly s1: string; readonly s2: string };
  readonly sharedNamespace: string;
  readonly clients: Record<string, AppClient> = {};

  private constructor(
    readonly run: string,
    readonly driver: Driver,
    readonly kube: KubeClient,
    readonly versions: AppVersions,
    readonly routes: IngressRoutes,
    private readonly stateDir: string,
  ) {
    const [solo, s1, s2] = ["solo", "s1", "s2"].map((t) => `l${run}-${t}`);
    this.tenants = { solo, s1, s2 };
    this.sharedNamespace = `l${run}-shared`;
    for (const tenant of [solo, s1, s2]) this.clients[tenant] = new AppClient(() => routes.address(this.host(tenant)), this.host(tenant));
  }

  /** Registers the tenants at the app's current version, brings their two stacks up, then follows the routes their Ingresses made; throws with the stacks' errors. */
  static async open(): Promise<LiveFleet> {
    const run = randomBytes(2).toString("hex");
    const [solo, s1, s2] = ["solo", "s1", "s2"].map((t) => `l${run}-${t}`);
    const host = (tenant: string) => `${tenant}.example.com`;
    const versions = appVersions();
    const kube = KubeClient.fromKubeconfig(KUBECONFIG);
    const stateDir = testDir("live-traffic");
    const workspace = { stateDir, passphrase: randomBytes(16).toString("hex"), env: { KUBECONFIG } };
    const driver = await Driver.open({ workspace, poolSize: 1, migration: { dataPlane: clusterDataPlane() } });
    try {
      const version = tagOf(versions.current);
      await driver.registry.create({ name: solo, host: host(solo), plan: "dedicated", version, settings: liveTenantSettings() });
      await driver.registry.create({
        name: s1,
        host: host(s1),
        plan: "shared",
        version,
        settings: { ...liveTenantSettings(), namespace: `l${run}-shared` },
      });
      await driver.registry.create({ name: s2, host: host(s2), plan: "shared", version });
      const up = await driver.up({ concurrency: 1 });
      const failed = up.stacks.filter((s) => s.status !== "succeeded");
      if (failed.length) throw new Error(`the live fleet did not come up: ${JSON.stringify(failed.map((s) => [s.stack, s.error]))}`);
      // Read once the Ingresses exist (they are among the last resources an up makes).
      const routes = await IngressRoutes.watch(kube);
      return new LiveFleet(run, driver, kube, versions, routes, stateDir);
    } catch (error) {
      // Nothing left behind by a fleet that did not come up.
      await driver.close();
      for (const ns of [`tenantstack-dev-${solo}`, `l${run}-shared`]) await removeNamespace(kube, ns);
      kube.close();
      rmSync(stateDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** A tenant's host. */
  host(tenant: string): string {
    return `${tenant}.example.com`;
  }

  /** The namespaces of its stacks (the dedicated ones of every tenant that had one). */
  namespaces(): string[] {
    const { solo, s1, s2 } = this.tenants;
    return [`tenantstack-dev-${solo}`, this.sharedNamespace, `tenantstack-dev-${s1}`, `tenantstack-dev-${s2}`];
  }

  /** Closes the clients and the driver, removes the namespaces and the driver's state. */
  async close(): Promise<void> {
    this.routes.close();
    for (const client of Object.values(this.clients)) client.close();
    await this.driver.close();
    for (const ns of this.namespaces()) await removeNamespace(this.kube, ns);
    this.kube.close();
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}
