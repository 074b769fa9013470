import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ApiInput, SchedulingInput } from "../schema";
import { ApiSchema } from "../schema/workloads";
import { PORTS, SERVICES } from "./contract";
import { recommendedLabels, selectorLabels } from "./labels";
import { type AppWiring, appWorkload, wiredEnvProblems, wiringArg } from "./workload";
import { duration } from "../schema/fields";
import { deferredImage, parseArgs, placedPartShape, type WithImageInput } from "./validation";
import { afterCredentials, credentialsArg, type StackCredentials } from "./secrets";

/** Type token of {@link Api}. */
export const API_TYPE = "tenantstack:workload:Api";

/** Arguments of {@link Api}. */
export interface ApiArgs {
  /** Namespace of the stack. */
  readonly namespace: pulumi.Input<string>;
  /**
   * `app.kubernetes.io/instance` label of every object, by which the stack's `NetworkPolicies` select
   * its pods: every part of one stack takes the same (an AppStack gives each its own `instance`).
   * @default - the component's name
   */
  readonly instance?: string;
  /**
   * Where the stack's credentials are read from: the stack's `Secrets` (`credentials: secrets`, which
   * orders this part after them), or the names of its two Secrets.
   */
  readonly credentials: StackCredentials;
  /** The API's settings, as in a stack's `api` (its image may be an Output); an omitted field takes its default. */
  readonly spec: WithImageInput<ApiInput>;
  /**
   * Node selector and tolerations of the pods (a stack's `scheduling`).
   * @default - no node selector or tolerations
   */
  readonly scheduling?: SchedulingInput;
  /** How the API finds the rest of its stack. */
  readonly wiring: AppWiring;
  /**
   * Create a Prometheus Operator ServiceMonitor scraping the API's metrics path at this interval.
   * @default - no ServiceMonitor
   */
  readonly serviceMonitorInterval?: string;
}

/** The HTTP API: a Deployment behind a ClusterIP Service, with probes, PDB, HPA and optional ServiceMonitor. */
export class Api extends pulumi.ComponentResource {
  /** Name of the Deployment. */
  public readonly deploymentName: pulumi.Output<string>;
  /** Name of the Service, port 80. */
  public readonly serviceName: pulumi.Output<string>;

  constructor(name: string, args: ApiArgs, opts?: pulumi.ComponentResourceOptions) {
    const component = `Api "${name}"`;
    const deferred = deferredImage(component, args);
    const { spec, scheduling } = parseArgs(
      component,
      {
        ...placedPartShape(ApiSchema),
        credentials: credentialsArg(),
        wiring: wiringArg(),
        serviceMonitorInterval: duration().optional(),
      },
      deferred.checked,
      wiredEnvProblems,
    );
    super(API_TYPE, name, {}, afterCredentials(args.credentials, opts));
    const instance = args.instance ?? name;
    const http = (path: string) => ({ httpGet: { path, port: "http" } });

    const workload = appWorkload(this, name, {
      namespace: args.namespace,
      instance,
      role: "api",
      spec,
      image: deferred.value(spec.image),
      scheduling,
      wiring: args.wiring,
      credentials: args.credentials,
      ports: [{ name: "http", containerPort: spec.port }],
      livenessProbe: { ...http(spec.healthPath), periodSeconds: 10, failureThreshold: 3 },
      readinessProbe: { ...http(spec.readyPath), periodSeconds: 5, failureThreshold: 3 },
      startupProbe: { ...http(spec.healthPath), periodSeconds: 2, failureThreshold: 60 },
    });

    const labels = recommendedLabels(instance, "api");
    const service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: { name: SERVICES.api, namespace: args.namespace, labels },
        spec: { selector: selectorLabels(instance, "api"), ports: [{ name: "http", port: PORTS.http, targetPort: "http" }] },
      },
      { parent: this },
    );

    if (args.serviceMonitorInterval) {
      new k8s.apiextensions.CustomResource(
        `${name}-service-monitor`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "ServiceMonitor",
          metadata: { name: SERVICES.api, namespace: args.namespace, labels },
          spec: {
            selector: { matchLabels: selectorLabels(instance, "api") },
            endpoints: [{ port: "http", path: spec.metricsPath, interval: args.serviceMonitorInterval }],
          },
        },
        { parent: this, dependsOn: [service] },
      );
    }

    this.deploymentName = workload.deployment.metadata.name;
    this.serviceName = service.metadata.name;
    this.registerOutputs({ deploymentName: this.deploymentName, serviceName: this.serviceName });
  }
}
