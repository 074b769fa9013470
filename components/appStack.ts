import * as pulumi from "@pulumi/pulumi";
import { defaultNamespace, parseStack, type StackInput, type StackSpec, tenantsOf } from "../schema";
import { Api } from "./api";
import { hostUrl, Ingress } from "./ingress";
import { NetworkPolicies } from "./networkPolicies";
import { Ollama } from "./ollama";
import { Postgres } from "./postgres";
import { Redis } from "./redis";
import { Secrets } from "./secrets";
import { StackNamespace } from "./stackNamespace";
import type { AppWiring } from "./workload";
import { Worker } from "./worker";
import { checksum } from "./checksum";
import { destroyGuard } from "./destroyGuard";
import type { CloudWiring } from "./cloud/base";
import { stackCloudIntegration } from "./cloud/stackCloud";
import { argProblems, asArgs } from "./validation";
import { labelValue } from "../schema/fields";

/** Type token of {@link AppStack}. */
export const APP_STACK_TYPE = "tenantstack:stack:AppStack";

/**
 * Arguments of {@link AppStack}: a stack's settings (an omitted field takes its default; the README's config
 * reference lists every field), and the values of the app's secrets.
 */
export type AppStackArgs = StackInput & {
  /**
   * `app.kubernetes.io/instance` label of every object, in the selectors of the StatefulSets, Deployments,
   * Services and NetworkPolicies. Fix it to rename the AppStack with `aliases` and replace nothing: a
   * selector cannot change, so a new value replaces the StatefulSets.
   * @default - the component's name
   */
  readonly instance?: string;
  /**
   * Values of the app secrets named in `secrets.appSecretNames`, required with generated secrets.
   * Wrap them with `pulumi.secret`.
   * @default {}
   */
  readonly appSecretValues?: Readonly<Record<string, pulumi.Input<string>>>;
};

/**
 * One instance of the application, shared by many tenants or dedicated to one: its namespace, credentials,
 * Postgres, Redis, Ollama, API, worker, Ingress and network policies. Every setting is validated before
 * anything is registered.
 */
export class AppStack extends pulumi.ComponentResource {
  /** The validated settings, with every default applied. */
  public readonly spec: StackSpec;
  /** Name of the namespace. */
  public readonly namespace: pulumi.Output<string>;
  /** The public URL of each tenant routed by this stack (see `tenancy.*.routed`). */
  public readonly urls: Record<string, string>;
  /** Service names of the API, Postgres, Redis and (when enabled) Ollama. */
  public readonly services: pulumi.Output<Record<string, string>>;
  /** Each tenant's Postgres connection URL (a secret). */
  public readonly tenantDatabaseUrls: pulumi.Output<Record<string, string>>;
  /** What the cloud integration wires (identities, secret store, DNS-01), unless `cloud` is `none`. */
  public readonly cloud: CloudWiring | undefined;

  constructor(name: string, args: AppStackArgs, opts?: pulumi.ComponentResourceOptions) {
    const { appSecretValues = {}, instance = name, ...settings } = args;
    const spec = asArgs(
      `AppStack "${name}"`,
      () => parseStack(settings, { providedAppSecrets: Object.keys(appSecretValues) }),
      argProblems("instance", labelValue(), instance),
    );
    super(APP_STACK_TYPE, name, {}, opts);
    this.spec = spec;
    const tenants = tenantsOf(spec.tenancy);
    const tenantNames = tenants.map((t) => t.name);
    const child = { parent: this };

    const namespaceName =
      spec.namespace ?? defaultNamespace(spec.environment, spec.tenancy.mode === "dedicated" ? spec.tenancy.tenant.name : undefined);
    const namespaceArgs = { name: namespaceName, instance, labels: spec.namespaceLabels };
    const namespaceComponent = new StackNamespace(`${name}-namespace`, namespaceArgs, child);
    const namespace = namespaceComponent.name;
    const redisIsolation = spec.tenancy.mode === "shared" ? spec.tenancy.redisIsolation : "acl";

    const secrets = new Secrets(
      `${name}-secrets`,
      { namespace, spec: spec.secrets, tenants: tenantNames, redisIsolation, appSecretValues },
      child,
    );
    const cloud = stackCloudIntegration(name, instance, spec, namespaceName, secrets.cloudValues, { parent: this, dependsOn: [secrets] });
    const credentials = cloud ? [secrets, cloud] : [secrets];
    const afterSecrets = { parent: this, dependsOn: credentials };
    const postgres = new Postgres(
      `${name}-postgres`,
      {
        namespace,
        instance,
        credentials: secrets,
        spec: spec.postgres,
        scheduling: spec.scheduling,
        tenants: tenantNames,
        backupServiceAccountAnnotations: cloud?.backupServiceAccountAnnotations,
        backupPodLabels: cloud?.backupPodLabels,
      },
      afterSecrets,
    );
    const redis = new Redis(
      `${name}-redis`,
      {
        namespace,
        instance,
        credentials: secrets,
        spec: spec.redis,
        scheduling: spec.scheduling,
        aclChecksum: checksum({ tenantNames, redisIsolation }),
      },
      afterSecrets,
    );
    const ollama = spec.ollama.enabled
      ? new Ollama(`${name}-ollama`, { namespace, instance, spec: spec.ollama, scheduling: spec.scheduling }, child)
      : undefined;

    const served = tenants.filter((t) => t.served ?? t.routed);
    const wiring: AppWiring = {
      credentialKeys: secrets.credentialKeys,
      tenancyMode: spec.tenancy.mode,
      // The app serves the tenants routed here: a migration's copy before the switch (the target) has its
      // database and credentials, but no pod of this stack reads or writes it; its source copy after the
      // switch is served (fenced read-only) until the Ingress lets its host go (`served`).
      tenants: served.map((t) => t.name),
      tenantHosts: Object.fromEntries(served.map((t) => [t.name, t.host])),
      ollama: spec.ollama.enabled,
      credentialsChecksum: secrets.credentialsChecksum,
    };
    const dataStores = { parent: this, dependsOn: [...credentials, postgres, redis, ...(ollama ? [ollama] : [])] };
    const api = new Api(
      `${name}-api`,
      {
        namespace,
        instance,
        credentials: secrets,
        spec: spec.api,
        scheduling: spec.scheduling,
        wiring,
        serviceMonitorInterval: spec.monitoring.serviceMonitor ? spec.monitoring.interval : undefined,
      },
      dataStores,
    );
    const worker = new Worker(
      `${name}-worker`,
      { namespace, instance, credentials: secrets, spec: spec.worker, scheduling: spec.scheduling, wiring },
      dataStores,
    );
    // A tenant not routed here (a migration's copy) has no host on the Ingress; with no host left there is no Ingress.
    const routed = tenants.filter((t) => t.routed);
    const ingress =
      routed.length > 0
        ? new Ingress(
            `${name}-ingress`,
            { namespace, instance, spec: spec.ingress, hosts: routed.map((t) => t.host), dns01Provider: cloud?.dns01Provider },
            { parent: this, dependsOn: [api] },
          )
        : undefined;
    const policies = new NetworkPolicies(
      `${name}-network-policies`,
      {
        namespace,
        instance,
        apiPort: spec.api.port,
        ingressControllerNamespace: spec.ingress.controllerNamespace,
        ollama: spec.ollama.enabled,
        ollamaModelDownload: spec.ollama.allowModelDownload,
        backupUpload: spec.postgres.backup.enabled && spec.postgres.backup.destination.type !== "volume",
        prometheus: spec.monitoring.serviceMonitor ? spec.monitoring.prometheus : undefined,
      },
      child,
    );
    const stores = [spec.postgres, spec.redis, ...(spec.ollama.enabled ? [spec.ollama] : [])];
    destroyGuard(this, name, { namespace, instance, protect: stores.some((store) => !store.allowVolumeReplacement) }, [
      namespaceComponent,
      secrets,
      ...(cloud ? [cloud] : []),
      postgres,
      redis,
      ...(ollama ? [ollama] : []),
      api,
      worker,
      ...(ingress ? [ingress] : []),
      policies,
    ]);

    this.namespace = namespace;
    this.urls = Object.fromEntries(routed.map((tenant) => [tenant.name, hostUrl(spec.ingress.tls, tenant.host)]));
    const services: Record<string, pulumi.Output<string>> = {
      api: api.serviceName,
      postgres: postgres.serviceName,
      redis: redis.serviceName,
    };
    if (ollama) services.ollama = ollama.serviceName;
    this.services = pulumi.all(services);
    this.tenantDatabaseUrls = secrets.tenantDatabaseUrls;
    this.cloud = cloud;
    this.registerOutputs({
      namespace: this.namespace,
      urls: this.urls,
      services: this.services,
      tenantDatabaseUrls: this.tenantDatabaseUrls,
    });
  }
}
