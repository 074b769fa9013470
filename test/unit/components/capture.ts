/** Captures every resource a component registers, with its props and options, through a transformation. */
import * as pulumi from "@pulumi/pulumi";
import { AppStack, type AppStackArgs } from "../../../components";

/** Type tokens of the resources the tests look for. */
export const T = {
  namespace: "kubernetes:core/v1:Namespace",
  deployment: "kubernetes:apps/v1:Deployment",
  statefulSet: "kubernetes:apps/v1:StatefulSet",
  service: "kubernetes:core/v1:Service",
  secret: "kubernetes:core/v1:Secret",
  configMap: "kubernetes:core/v1:ConfigMap",
  job: "kubernetes:batch/v1:Job",
  cronJob: "kubernetes:batch/v1:CronJob",
  pvc: "kubernetes:core/v1:PersistentVolumeClaim",
  hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  custom: (apiVersion: string, kind: string) => `kubernetes:${apiVersion}:${kind}`,
  password: "random:index/randomPassword:RandomPassword",
  guard: "pulumi-nodejs:dynamic/tenantstack:VolumeGuard",
};

/** The types of the resources that make pods. */
export const WORKLOAD_TYPES = [T.deployment, T.statefulSet, T.job, T.cronJob];

/** The pod spec inside any workload's props (Deployment, StatefulSet, Job or CronJob). */
export function podSpecOf(type: string, props: any): any {
  if (type === T.cronJob) return props.spec.jobTemplate.spec.template.spec;
  return props.spec.template.spec;
}

/** The resolved pod spec of every workload, by resource name. */
export async function podSpecs(resources: readonly Captured[]): Promise<Map<string, any>> {
  const workloads = resources.filter((r) => WORKLOAD_TYPES.includes(r.type));
  return new Map(await Promise.all(workloads.map(async (w) => [w.name, podSpecOf(w.type, await resolve(w.props))] as const)));
}

/** One registered resource. */
export interface Captured {
  readonly resource: pulumi.Resource;
  readonly type: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
  readonly opts: pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions;
}

/** A list that fills as resources register, and the options that fill it. */
export function capture(): { resources: Captured[]; opts: pulumi.ComponentResourceOptions } {
  const resources: Captured[] = [];
  return {
    resources,
    opts: {
      transformations: [
        (args) => {
          resources.push({
            resource: args.resource,
            type: args.type,
            name: args.name,
            props: args.props as Record<string, unknown>,
            opts: args.opts,
          });
          return undefined;
        },
      ],
    },
  };
}

/** The resolved value of an input (deeply), under mocks. */
export function resolve<T>(input: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
  return new Promise((done) => pulumi.output(input).apply((value) => done(value)));
}

/** The value of an Output, or the error its deployment fails with (where `resolve` would wait forever). */
export function settle<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}

/** A captured Secret's values, decoded from its base64 `data`. */
export async function secretValues(secret: Captured): Promise<Record<string, string>> {
  const data = (await resolve(secret.props.data as pulumi.Input<Record<string, string>>)) as Record<string, string>;
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value, "base64").toString("utf8")]));
}

/** Whether an input is a secret output. */
export function isSecret(input: pulumi.Input<unknown>): Promise<boolean> {
  return (pulumi.output(input) as unknown as { isSecret: Promise<boolean> }).isSecret;
}

/** The single captured resource of a type whose name ends with `suffix`. */
export function one(resources: readonly Captured[], type: string, suffix = ""): Captured {
  const found = resources.filter((r) => r.type === type && r.name.endsWith(suffix));
  if (found.length !== 1) {
    throw new Error(`expected one ${type} named *${suffix}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
  }
  return found[0];
}

/** The resolved props of the single captured resource of a type whose name ends with `suffix`. */
export async function propsOf(resources: readonly Captured[], type: string, suffix = ""): Promise<any> {
  return resolve(one(resources, type, suffix).props);
}

/** Builds a stack and captures everything it registers. */
export function buildStack(name: string, input: AppStackArgs): { app: AppStack; resources: Captured[] } {
  const { resources, opts } = capture();
  const app = new AppStack(name, input, opts);
  return { app, resources };
}
