import { MAINTENANCE_CONFIGMAP, MAINTENANCE_READ_ONLY } from "../../../components/contract";
import type { Drain } from "./stacks";
import type { Checkpoint } from "../../journal/steps";

/** The requests {@link KubernetesDrain} makes; `test/support/kube.ts`'s KubeClient has this shape, and so can the driver's client. */
export interface KubeApi {
  /** Sends a request and resolves its parsed JSON body; rejects on a non-2xx status. */
  request<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T>;
}

export { MAINTENANCE_CONFIGMAP, MAINTENANCE_READ_ONLY };

/** Arguments of {@link KubernetesDrain}. */
export interface KubernetesDrainArgs {
  /** Namespace of the source stack. */
  readonly namespace: string;
  /**
   * ConfigMap holding the maintenance flags, which the app reads to refuse the tenant's writes.
   * @default "tenant-maintenance"
   */
  readonly maintenanceConfigMap?: string;
  /**
   * Deployments scaled to 0 while drained: the workers of a source that serves only this tenant
   * (a dedicated stack). In a shared stack they serve other tenants too: leave it empty there.
   * @default []
   */
  readonly scaleToZero?: readonly string[];
  /**
   * How long to wait for the scaled Deployments' pods to be gone, in milliseconds.
   * @default 120000
   */
  readonly timeoutMs?: number;
}

/** The replica counts to restore on undrain: those recorded by an earlier attempt win over what is observed now (0, once drained). */
export function replicasToRestore(observed: Readonly<Record<string, number>>, previous: Checkpoint | undefined): Record<string, number> {
  const recorded = (previous?.replicas ?? {}) as Record<string, number>;
  return Object.fromEntries(Object.entries(observed).map(([name, replicas]) => [name, recorded[name] ?? replicas]));
}

/** The server-side apply body of the maintenance ConfigMap: with the tenant's flag, or without it (which removes it). */
export function maintenanceApply(namespace: string, name: string, tenant: string, drained: boolean): object {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace },
    ...(drained ? { data: { [tenant]: MAINTENANCE_READ_ONLY } } : {}),
  };
}

/** The field manager of a tenant's flag: one per tenant, so that removing one tenant's flag leaves the others'. */
export function maintenanceManager(tenant: string): string {
  return `tenantstack-migrate-${tenant}`;
}

interface Scale {
  spec?: { replicas?: number };
  status?: { replicas?: number };
}

/**
 * Drains a tenant of a stack of this repository through the Kubernetes API: sets its maintenance
 * flag (server-side apply, one field manager per tenant) and scales the given Deployments to 0,
 * having first saved their replica counts (those an earlier attempt saved win: it may have scaled
 * them already); undrain restores both. An HPA leaves a Deployment scaled to 0 alone and resumes
 * once it is scaled back.
 */
export class KubernetesDrain implements Drain {
  constructor(
    private readonly kube: KubeApi,
    private readonly args: KubernetesDrainArgs,
  ) {}

  async drain(tenant: string, previous: Checkpoint | undefined, save: (checkpoint: Checkpoint) => Promise<void>): Promise<Checkpoint> {
    const observed: Record<string, number> = {};
    for (const name of this.args.scaleToZero ?? [])
      observed[name] = (await this.kube.request<Scale>("GET", this.scalePath(name))).spec?.replicas ?? 0;
    const replicas = replicasToRestore(observed, previous);
    // Recorded before anything changes: a rerun after a kill restores these, never the 0 it observes.
    await save({ replicas });
    await this.flag(tenant, true);
    for (const name of Object.keys(replicas)) await this.scale(name, 0);
    for (const name of Object.keys(replicas)) await this.waitForNoPods(name);
    return { replicas };
  }

  async undrain(tenant: string, checkpoint: Checkpoint | undefined): Promise<void> {
    const replicas = (checkpoint?.replicas ?? {}) as Record<string, number>;
    for (const [name, count] of Object.entries(replicas)) await this.scale(name, count);
    await this.flag(tenant, false);
  }

  private scalePath(deployment: string): string {
    return `/apis/apps/v1/namespaces/${this.args.namespace}/deployments/${deployment}/scale`;
  }

  private async scale(deployment: string, replicas: number): Promise<void> {
    await this.kube.request("PATCH", this.scalePath(deployment), { spec: { replicas } }, "application/merge-patch+json");
  }

  private async flag(tenant: string, drained: boolean): Promise<void> {
    const name = this.args.maintenanceConfigMap ?? MAINTENANCE_CONFIGMAP;
    const path = `/api/v1/namespaces/${this.args.namespace}/configmaps/${name}?fieldManager=${maintenanceManager(tenant)}&force=true`;
    await this.kube.request("PATCH", path, maintenanceApply(this.args.namespace, name, tenant, drained), "application/apply-patch+yaml");
  }

  private async waitForNoPods(deployment: string): Promise<void> {
    const deadline = Date.now() + (this.args.timeoutMs ?? 120_000);
    for (;;) {
      const scale = await this.kube.request<Scale>("GET", this.scalePath(deployment));
      if ((scale.status?.replicas ?? 0) === 0) return;
      if (Date.now() > deadline)
        throw new Error(`Deployment ${this.args.namespace}/${deployment} still has ${scale.status?.replicas} pods after scaling to 0`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
