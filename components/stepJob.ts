import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { restrictedPodSecurity } from "./podSecurity";

/** What a step Job runs. */
export interface StepJobArgs {
  readonly namespace: pulumi.Input<string>;
  /** Name of the Job: named for its work (a digest), so a change of the work runs it again. */
  readonly jobName: string;
  /** Labels of the Job and its pods. */
  readonly labels: Record<string, string>;
  /** User and group the pod runs as. */
  readonly uid: number;
  /** The pod, without what every step has (restricted security context, no token, retried on failure). */
  readonly pod: Omit<k8s.types.input.core.v1.PodSpec, "securityContext" | "restartPolicy" | "automountServiceAccountToken">;
}

/**
 * Registers a run-to-completion Job of the stack (tenant provisioning, the model pull) under `parent`:
 * restricted, without a ServiceAccount token, retried on failure; `pulumi up` waits for it to complete.
 * @internal
 */
export function stepJob(parent: pulumi.Resource, name: string, args: StepJobArgs, dependsOn: pulumi.Resource[]): k8s.batch.v1.Job {
  return new k8s.batch.v1.Job(
    name,
    {
      metadata: { name: args.jobName, namespace: args.namespace, labels: args.labels },
      spec: {
        backoffLimit: 6,
        template: {
          metadata: { labels: args.labels },
          spec: {
            restartPolicy: "OnFailure",
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurity(args.uid),
            ...args.pod,
          },
        },
      },
    },
    { parent, dependsOn },
  );
}
