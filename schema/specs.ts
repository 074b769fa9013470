/**
 * Named pieces of the generated settings types (`types.ts`) that several parts share: a container's
 * resources, a stateful store's volume, the Ingress's TLS. Public, as `types.ts` is; the zod schemas they
 * come from are package-private (`workloads.ts`, `data.ts`, `ingress.ts`).
 */
import type { ApiSpec, IngressSpec, PostgresSpec } from "./types";

/** Validated container resources. */
export type ResourcesSpec = ApiSpec["resources"];

/** Fields of a stateful store's volume. */
export type VolumeSpec = Pick<PostgresSpec, "storageGi" | "storageClass" | "allowVolumeReplacement">;

/** Validated TLS settings. */
export type TlsSpec = IngressSpec["tls"];
