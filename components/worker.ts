import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { type WorkerSpec, WorkerSchema, parseSpec } from "../schema";
import { type AppWiring, appWorkload } from "./workload";

/** Type token of {@link Worker}. */
export const WORKER_TYPE = "tenantstack:workload:Worker";

/** Arguments of {@link Worker}. */
export interface WorkerArgs {
  /** Namespace of the stack. */
  readonly namespace: pulumi.Input<string>;
  /**
   * `app.kubernetes.io/instance` label of every object.
   * @default - the component's name
   */
  readonly instance?: string;
  /** The worker's settings, validated against `WorkerSchema`; omitted fields take the schema's defaults. */
  readonly spec: z.input<typeof WorkerSchema>;
  /** How the worker finds the rest of its stack. */
  readonly wiring: AppWiring;
}

/** The background worker: a Deployment with health probes, PDB and HPA, and no Service. */
export class Worker extends pulumi.ComponentResource {
  /** Name of the Deployment. */
  public readonly deploymentName: pulumi.Output<string>;

  constructor(name: string, args: WorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    const spec: WorkerSpec = parseSpec(WorkerSchema, args.spec, "worker");
    super(WORKER_TYPE, name, {}, opts);
    const health = spec.health;
    const probe = health.type === "http" ? { httpGet: { path: health.path, port: "health" } } : { exec: { command: health.command } };

    const workload = appWorkload(this, name, {
      namespace: args.namespace,
      instance: args.instance ?? name,
      role: "worker",
      spec,
      wiring: args.wiring,
      ports: health.type === "http" ? [{ name: "health", containerPort: health.port }] : [],
      livenessProbe: { ...probe, periodSeconds: 15, failureThreshold: 3 },
      readinessProbe: { ...probe, periodSeconds: 10, failureThreshold: 3 },
      startupProbe: { ...probe, periodSeconds: 2, failureThreshold: 60 },
    });

    this.deploymentName = workload.deployment.metadata.name;
    this.registerOutputs({ deploymentName: this.deploymentName });
  }
}
