/**
 * The tenantstack Pulumi program: reads the `tenantstack:*` stack config, validates all of it with the
 * schema before registering anything, builds the AppStack and exports its outputs.
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

const { spec, appSecretValues } = readConfig();
const app = new AppStack("tenantstack", {
  ...spec,
  appSecretValues: Object.fromEntries(Object.entries(appSecretValues).map(([name, value]) => [name, pulumi.secret(value)])),
});

/** Namespace of the stack. */
export const namespace = app.namespace;
/** Environment and tenancy of the stack. */
export const environment = spec.environment;
export const tenancyMode = spec.tenancy.mode;
export const tenants = tenantsOf(spec.tenancy).map((tenant) => tenant.name);
/** Public URL of each tenant. */
export const urls = app.urls;
/** Service names of the API, Postgres, Redis and Ollama. */
export const services = app.services;
/** Each tenant's Postgres connection URL (a secret output). */
export const tenantDatabaseUrls = app.tenantDatabaseUrls;
/**
 * Annotations to set on cert-manager's own ServiceAccount for DNS-01 through the cloud's workload identity
 * (GCP and Azure; empty otherwise).
 */
export const certManagerServiceAccountAnnotations = app.cloud?.certManagerServiceAccountAnnotations ?? {};
