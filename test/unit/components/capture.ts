/** Captures every resource a component registers, with its props and options, through a transformation. */
import * as pulumi from "@pulumi/pulumi";
import { AppStack, type AppStackArgs } from "../../../components";

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
