import * as pulumi from "@pulumi/pulumi";
import type { SchedulingInput, WorkerInput } from "../schema";
import { WorkerSchema } from "../schema/workloads";
import { type AppWiring, appWorkload, wiredEnvProblems, wiringArg } from "./workload";
import { deferredImage, parseArgs, placedPartShape, type WithImageInput } from "./validation";
import { afterCredentials, credentialsArg, type StackCredentials } from "./secrets";

/** Type token of {@link Worker}. */
export const WORKER_TYPE = "tenantstack:workload:Worker";

/** Arguments of {@link Worker}. */
export interface WorkerArgs {
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
  /** The worker's settings, as in a stack's `worker` (its image may be an Output); an omitted field takes its default. */
  readonly spec: WithImageInput<WorkerInput>;
  /**
   * Node selector and tolerations of the pods (a stack's `scheduling`).
   * @default - no node selector or tolerations
   */
  readonly scheduling?: SchedulingInput;
  /** How the worker finds the rest of its stack. */
  readonly wiring: AppWiring;
}

/** The background worker: a Deployment with health probes, PDB and HPA, and no Service. */
export class Worker extends pulumi.ComponentResource {
  /** Name of the Deployment. */
  public readonly deploymentName: pulumi.Output<string>;

  constructor(name: string, args: WorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    const component = `Worker "${name}"`;
    const deferred = deferredImage(component, args);
    const { spec, scheduling } = parseArgs(
      component,
      { ...placedPartShape(WorkerSchema), credentials: credentialsArg(), wiring: wiringArg() },
      deferred.checked,
      wiredEnvProblems,
    );
    super(WORKER_TYPE, name, {}, afterCredentials(args.credentials, opts));
    const health = spec.health;
    // Readiness runs the worker's own check, which may look at its dependencies; liveness only that the
    // worker is alive (its health port accepts connections, or the same command tolerated for 5 minutes),
    // so a slow database takes the worker out of rotation instead of restarting it.
    const check = health.type === "http" ? { httpGet: { path: health.path, port: "health" } } : { exec: { command: health.command } };
    const alive = health.type === "http" ? { tcpSocket: { port: "health" } } : check;
    const liveness =
      health.type === "http" ? { ...alive, periodSeconds: 15, failureThreshold: 3 } : { ...alive, periodSeconds: 30, failureThreshold: 10 };

    const workload = appWorkload(this, name, {
      namespace: args.namespace,
      instance: args.instance ?? name,
      role: "worker",
      spec,
      image: deferred.value(spec.image),
      scheduling,
      wiring: args.wiring,
      credentials: args.credentials,
      ports: health.type === "http" ? [{ name: "health", containerPort: health.port }] : [],
      livenessProbe: liveness,
      readinessProbe: { ...check, periodSeconds: 10, failureThreshold: 3 },
      startupProbe: { ...alive, periodSeconds: 2, failureThreshold: 60 },
    });

    this.deploymentName = workload.deployment.metadata.name;
    this.registerOutputs({ deploymentName: this.deploymentName });
  }
}
