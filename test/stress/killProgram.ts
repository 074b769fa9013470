/**
 * The small program of the engine-kill stress test: a namespace of its own and a few ConfigMaps and
 * Secrets, named and auto-named, as the stack's spec file says (`$TENANTSTACK_STRESS_SPECS/<stack>.json`,
 * rewritten by the test before each update, so that each update creates, updates, replaces and deletes).
 * Every object carries the run's label and its item's, so the test finds on the API server what the
 * stack made, leaked objects included.
 */
import { readFileSync } from "node:fs";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ITEM_LABEL, RUN_LABEL, specFile, type StressSpec } from "./stressSpec";

function killProgram(): void {
  const dir = process.env.TENANTSTACK_STRESS_SPECS;
  if (!dir) throw new Error("TENANTSTACK_STRESS_SPECS is not set");
  const spec = JSON.parse(readFileSync(specFile(dir, pulumi.getStack()), "utf8")) as StressSpec;
  const namespace = new k8s.core.v1.Namespace("namespace", { metadata: { name: spec.namespace, labels: { [RUN_LABEL]: spec.run } } });
  for (const item of spec.items) {
    const metadata = {
      namespace: namespace.metadata.name,
      ...(item.name ? { name: item.name } : {}),
      labels: { [RUN_LABEL]: spec.run, [ITEM_LABEL]: item.item },
    };
    if (item.kind === "ConfigMap") new k8s.core.v1.ConfigMap(item.item, { metadata, data: { ...item.data } });
    else new k8s.core.v1.Secret(item.item, { metadata, stringData: pulumi.secret({ ...item.data }) });
  }
}

export = killProgram;
