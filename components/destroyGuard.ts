import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { recommendedLabels } from "./labels";

/**
 * Name of the ConfigMap that makes `pulumi destroy` stop before it deletes anything.
 * @internal
 */
export const DESTROY_GUARD_CONFIGMAP = "tenantstack-destroy-guard";

/**
 * A protected ConfigMap that depends on every other part of a stack, so that `pulumi destroy` deletes it first
 * and, while it is protected, stops there with nothing deleted, with a preview or without (`--skip-preview`, the
 * Automation API's `destroy`). Without it the engine deletes every object the protected stores do not depend
 * on (the API, worker, Ingress, network policies) before it reaches a store. It is protected while any store
 * is (`protect`), and lifted with them by `allowVolumeReplacement`.
 * @internal
 */
export function destroyGuard(
  parent: pulumi.Resource,
  name: string,
  args: { readonly namespace: pulumi.Input<string>; readonly instance: string; readonly protect: boolean },
  dependsOn: pulumi.Resource[],
): k8s.core.v1.ConfigMap {
  return new k8s.core.v1.ConfigMap(
    `${name}-destroy-guard`,
    {
      metadata: { name: DESTROY_GUARD_CONFIGMAP, namespace: args.namespace, labels: recommendedLabels(args.instance, "destroy-guard") },
      data: {
        README:
          "pulumi destroy deletes this first and stops here while it is protected, as long as a data store is; " +
          "set allowVolumeReplacement: true on postgres, redis and ollama and run pulumi up to lift it.",
      },
    },
    { parent, dependsOn, protect: args.protect },
  );
}
