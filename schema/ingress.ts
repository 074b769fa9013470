/**
 * The zod schema of the Ingress in front of the API and of its TLS (`ingress`). Package-private, as
 * `workloads.ts` is: no entry point exports it and its declarations are not published; the plain types the
 * schema parses to are, in `types.ts` (generated).
 */
import { z } from "zod";
import { dnsLabel, email, flag, oneOf, settings, text } from "./fields";

/** The ACME challenge cert-manager answers. */
const SolverSchema = z
  .discriminatedUnion(
    "type",
    [
      settings({ type: z.literal("http01").describe("HTTP-01 through the Ingress class.") }),
      settings({
        type: z.literal("dns01").describe("DNS-01 through the zone's DNS provider."),
        provider: oneOf(["route53", "clouddns", "azuredns"]).describe("DNS provider of the zone."),
        zone: text(253).describe("DNS zone the hosts belong to, such as `example.com`."),
      }),
    ],
    { error: 'must be one of "http01", "dns01"' },
  )
  .prefault({ type: "http01" })
  .describe("ACME challenge solver.");

/** Let's Encrypt issuers, created in the stack's namespace. */
const acmeFields = {
  email: email().describe("ACME account e-mail for expiry notices."),
  solver: SolverSchema,
};

/** Where TLS certificates come from. */
const TlsSchema = z
  .discriminatedUnion(
    "issuer",
    [
      settings({
        issuer: z.literal("letsencrypt-staging").describe("Let's Encrypt staging, through an Issuer in the namespace."),
        ...acmeFields,
      }),
      settings({
        issuer: z.literal("letsencrypt-prod").describe("Let's Encrypt production, through an Issuer in the namespace."),
        ...acmeFields,
      }),
      settings({
        issuer: z.literal("existing").describe("An Issuer or ClusterIssuer that exists."),
        name: dnsLabel(253).describe("Name of the existing issuer."),
        kind: oneOf(["Issuer", "ClusterIssuer"]).default("ClusterIssuer").describe("Kind of the existing issuer."),
      }),
      settings({ issuer: z.literal("none").describe("Serve plain HTTP (local development only).") }),
    ],
    { error: 'must be one of "letsencrypt-staging", "letsencrypt-prod", "existing", "none"' },
  )
  .describe("TLS through cert-manager: a Let's Encrypt issuer created for the stack, an existing issuer, or none.");

/** The Ingress in front of the API. */
export const IngressSchema = settings({
  className: dnsLabel(253).default("nginx").describe("IngressClass of the controller."),
  controllerNamespace: dnsLabel()
    .default("ingress-nginx")
    .describe("Namespace of the ingress controller, allowed to reach the API by NetworkPolicy."),
  tls: TlsSchema,
  waitForAddress: flag()
    .default(true)
    .describe("Wait for the ingress controller to publish the Ingress's address; turn off where no controller runs."),
}).describe("Ingress and TLS.");
