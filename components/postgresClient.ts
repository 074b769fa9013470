import type * as k8s from "@pulumi/kubernetes";
import { CREDENTIALS_SECRET, credentialKey, PORTS, SERVICES } from "./contract";

/**
 * User and group of the official Postgres image.
 * @internal
 */
export const POSTGRES_UID = 999;

/**
 * The superuser connection of the jobs that talk to Postgres (tenant provisioning, backups).
 * @internal
 */
export const POSTGRES_CLIENT_ENV: k8s.types.input.core.v1.EnvVar[] = [
  { name: "PGHOST", value: SERVICES.postgres },
  { name: "PGPORT", value: String(PORTS.postgres) },
  { name: "PGUSER", value: "postgres" },
  { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: CREDENTIALS_SECRET, key: credentialKey("postgresPassword") } } },
];
