import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { dnsLabel, labels, labelValue } from "../schema/fields";
import { parseArgs } from "./validation";

/** Type token of {@link StackNamespace}. */
export const STACK_NAMESPACE_TYPE = "tenantstack:core:StackNamespace";

/** Arguments of {@link StackNamespace}. */
export interface StackNamespaceArgs {
  /** Name of the namespace, a DNS-1123 label. */
  readonly name: string;
  /** `app.kubernetes.io/instance` label. */
  readonly instance: string;
  /**
   * Labels added to tenantstack's own (which win on a shared key).
   * @default {}
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Labels that make the API server enforce, audit and warn on the Pod Security Standard `restricted`. */
export const POD_SECURITY_RESTRICTED: Readonly<Record<string, string>> = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/enforce-version": "latest",
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/warn": "restricted",
};

/**
 * The stack's namespace, enforcing the Pod Security Standard `restricted`. It is kept when the stack is
 * destroyed: deleting it would delete the data volume claims inside.
 */
export class StackNamespace extends pulumi.ComponentResource {
  /** Name of the namespace. */
  public readonly name: pulumi.Output<string>;

  constructor(name: string, args: StackNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    parseArgs(`StackNamespace "${name}"`, { name: dnsLabel(), instance: labelValue(), labels: labels().optional() }, args);
    super(STACK_NAMESPACE_TYPE, name, {}, opts);
    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: args.name,
          labels: {
            ...args.labels,
            ...POD_SECURITY_RESTRICTED,
            "app.kubernetes.io/instance": args.instance,
            "app.kubernetes.io/part-of": "tenantstack",
            "app.kubernetes.io/managed-by": "pulumi",
          },
        },
      },
      { parent: this, retainOnDelete: true },
    );
    this.name = namespace.metadata.name;
    this.registerOutputs({ name: this.name });
  }
}
