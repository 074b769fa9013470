import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { credentialKey, PORTS, SERVICES } from "./contract";

/**
 * User and group of the official Postgres image.
 * @internal
 */
export const POSTGRES_UID = 999;

/**
 * The superuser connection of the jobs that talk to Postgres (tenant provisioning, backups), its password from
 * the stack credentials Secret `credentialsSecretName`.
 * @internal
 */
export function postgresClientEnv(credentialsSecretName: pulumi.Input<string>): k8s.types.input.core.v1.EnvVar[] {
  return [
    { name: "PGHOST", value: SERVICES.postgres },
    { name: "PGPORT", value: String(PORTS.postgres) },
    { name: "PGUSER", value: "postgres" },
    { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: credentialsSecretName, key: credentialKey("postgresPassword") } } },
  ];
}

/**
 * A shell step that waits until the server accepts connections (`pg_isready`), `seconds` at most, then
 * fails: a job's pod can start before Postgres is ready, or before a NetworkPolicy enforcer has let
 * the new pod's address through.
 * @internal
 */
export function waitForPostgres(seconds: number): string {
  return `for _ in $(seq ${Math.ceil(seconds / 2)}); do pg_isready -q && break; sleep 2; done; pg_isready -q`;
}
