/** Valid stack settings the tests start from and change one field at a time. */
import type { StackInput } from "../../schema";

/** A dedicated dev stack with the fewest settings. */
export function dedicatedStack(): StackInput {
  return {
    environment: "dev",
    tenancy: { mode: "dedicated", tenant: { name: "acme", host: "acme.example.com" } },
    api: { image: "ghcr.io/example/api:1.0.0" },
    worker: { image: "ghcr.io/example/worker:1.0.0" },
    ingress: { tls: { issuer: "letsencrypt-staging", email: "ops@example.com" } },
  };
}

/** A shared prod stack of three tenants. */
export function sharedStack(): StackInput {
  return {
    environment: "prod",
    tenancy: {
      mode: "shared",
      tenants: [
        { name: "acme", host: "acme.example.com" },
        { name: "globex", host: "globex.example.com" },
        { name: "initech-eu", host: "initech.example.com" },
      ],
    },
    api: { image: "ghcr.io/example/api:1.0.0" },
    worker: { image: "ghcr.io/example/worker:1.0.0" },
    ingress: {
      tls: { issuer: "letsencrypt-prod", email: "ops@example.com", solver: { type: "dns01", provider: "route53", zone: "example.com" } },
    },
    monitoring: { serviceMonitor: true },
  };
}
