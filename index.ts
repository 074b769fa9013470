/**
 * The tenantstack Pulumi program: reads the `tenantstack:*` stack config, validates all of it with the
 * schema before registering anything, builds the AppStack and returns its outputs. The module exports
 * the program as one function, so the engine can run it as a local program (it calls an exported
 * function) and the driver's warm workers as an inline program, loaded once for many stacks.
 */
import * as pulumi from "@pulumi/pulumi";
import { AppStack } from "./components";
import { readStackConfig, tenantsOf, ValidationError } from "./schema";

/** `isConfigSecret` is exported by the SDK's runtime but left out of its type declarations. */
const runtime = pulumi.runtime as typeof pulumi.runtime & { isConfigSecret?: (key: string) => boolean };

function readConfig() {
  try {
    return readStackConfig(pulumi.runtime.allConfig(), (key) => runtime.isConfigSecret?.(key) ?? true);
  } catch (error) {
    // A RunError is reported without a stack trace: the message says everything.
    if (error instanceof ValidationError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

/** The stack outputs. */
interface TenantstackOutputs {
  /** Namespace of the stack. */
  readonly namespace: pulumi.Output<string>;
  /** Environment of the stack. */
  readonly environment: string;
  /** Tenancy of the stack: `shared` or `dedicated`. */
  readonly tenancyMode: string;
  /** The stack's tenants. */
  readonly tenants: string[];
  /** Public URL of each tenant. */
  readonly urls: AppStack["urls"];
  /** Service names of the API, Postgres, Redis and Ollama. */
  readonly services: AppStack["services"];
  /** Each tenant's Postgres connection URL (a secret output). */
  readonly tenantDatabaseUrls: AppStack["tenantDatabaseUrls"];
  /**
   * Annotations to set on cert-manager's own ServiceAccount for DNS-01 through the cloud's workload
   * identity (GCP and Azure; empty otherwise).
   */
  readonly certManagerServiceAccountAnnotations: pulumi.Input<Record<string, string>>;
}

/** Builds the stack from its config. Keeps no state between runs: a warm worker runs it for many stacks. */
async function tenantstack(): Promise<TenantstackOutputs> {
  const { spec, appSecretValues } = readConfig();
  const app = new AppStack("tenantstack", {
    ...spec,
    appSecretValues: Object.fromEntries(Object.entries(appSecretValues).map(([name, value]) => [name, pulumi.secret(value)])),
  });
  return {
    namespace: app.namespace,
    environment: spec.environment,
    tenancyMode: spec.tenancy.mode,
    tenants: tenantsOf(spec.tenancy).map((tenant) => tenant.name),
    urls: app.urls,
    services: app.services,
    tenantDatabaseUrls: app.tenantDatabaseUrls,
    certManagerServiceAccountAnnotations: app.cloud?.certManagerServiceAccountAnnotations ?? {},
  };
}

export = tenantstack;
