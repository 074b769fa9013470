/** The settings the e2e tests start from, each with the labels that mark this test run's namespaces. */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { tenantSettings } from "../unit/automation/fixtures";
import { OWN_CLUSTER, REPO } from "./controlPlane";
import { TEST_RUN_LABELS } from "./testRun";

/**
 * Where a test stack's CPU pods go: `real`, the local cluster's real node, as the dev stack asks (its
 * `scheduling`); `kwok`, kwok's fake nodes, for suites of many stacks that prove what the API server
 * accepts and need no container to run.
 */
export type TestNode = "real" | "kwok";

/** The `tenantstack:*` settings of Pulumi.dev.yaml, keyed without the namespace; on kwok's nodes unless `real` is asked. */
export function devSettings(node: TestNode = "kwok"): Record<string, any> {
  const doc = yaml.load(readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
  const settings = Object.fromEntries(Object.entries(doc.config).map(([key, value]) => [key.replace(/^tenantstack:/, ""), value]));
  // On a cluster of one's own there is no real node to ask for: the pods go anywhere.
  if (node === "kwok" || OWN_CLUSTER) delete settings.scheduling;
  return { ...settings, namespaceLabels: TEST_RUN_LABELS };
}

/** The driver tests' small tenant settings (no Ollama, no TLS, no ingress controller). */
export function testTenantSettings(): Record<string, any> {
  return { ...tenantSettings(), namespaceLabels: TEST_RUN_LABELS };
}

/** A dedicated tenant at version 1.0.0 on {@link testTenantSettings}, as `provision` takes it. */
export function dedicatedTestTenant(name: string) {
  return { name, host: `${name}.example.com`, plan: "dedicated" as const, version: "1.0.0", settings: testTenantSettings() };
}
