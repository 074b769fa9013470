import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type IngressInput, tlsSecretName, type TlsSpec } from "../schema";
import { IngressSchema } from "../schema/ingress";
import { dnsLabel, hostName, labelValue } from "../schema/fields";
import { z } from "zod";
import { checkedAtDeployment, deferredSetting, input, namespaceArg, parseArgs } from "./validation";
import { PORTS, SERVICES } from "./contract";

/** Type token of {@link Ingress}. */
export const INGRESS_TYPE = "tenantstack:network:Ingress";

/** ACME directories of Let's Encrypt. */
export const ACME_SERVERS = {
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
  "letsencrypt-prod": "https://acme-v02.api.letsencrypt.org/directory",
} as const;

/** TLS through an Issuer or ClusterIssuer that exists. */
type ExistingIssuerTls = Extract<IngressInput["tls"], { readonly issuer: "existing" }>;

/** Ingress settings as written, in which the name of an existing issuer may come from another resource. */
export type IngressSettings = Omit<IngressInput, "tls"> & {
  /** TLS through cert-manager: a Let's Encrypt issuer created for the stack, an existing issuer, or none. */
  readonly tls:
    | Exclude<IngressInput["tls"], { readonly issuer: "existing" }>
    | (Omit<ExistingIssuerTls, "name"> & {
        /**
         * Name of the existing issuer. It may be an Output of another resource (an issuer the program creates):
         * checked when it resolves, a wrong one fails the deployment with the message it would have had.
         */
        readonly name: pulumi.Input<string>;
      });
};

/** Arguments of {@link Ingress}. */
export interface IngressArgs {
  /** Namespace of the stack. */
  readonly namespace: pulumi.Input<string>;
  /**
   * Ingress settings, as in a stack's `ingress` (an existing issuer's name may be an Output); an omitted field
   * takes its default.
   */
  readonly spec: IngressSettings;
  /**
   * Public host names, one per tenant, all routed to the API: at least one, each a DNS-1123 host name. A host
   * may come from another resource (an Output): it is checked when it resolves, and a wrong one fails the
   * deployment with the same message.
   */
  readonly hosts: readonly pulumi.Input<string>[];
  /**
   * `app.kubernetes.io/instance` label of every object: the `instance` of every part of the stack.
   * @default - the component's name
   */
  readonly instance?: string;
  /**
   * cert-manager's DNS-01 provider block with its credentials (`route53`, `cloudDNS` or `azureDNS`), from the
   * stack's cloud integration.
   * @default - the provider of `tls.solver` with ambient credentials
   */
  readonly dns01Provider?: pulumi.Input<Record<string, unknown>>;
}

/**
 * The URL a host is served on with validated TLS settings.
 * @internal
 */
export function hostUrl(tls: TlsSpec, host: string): string {
  return `${tls.issuer === "none" ? "http" : "https"}://${host}`;
}

type AcmeTls = Extract<TlsSpec, { issuer: "letsencrypt-staging" | "letsencrypt-prod" }>;

/** The ACME solver of cert-manager for validated settings. */
function acmeSolver(tls: AcmeTls, className: string, dns01Provider?: pulumi.Input<Record<string, unknown>>): Record<string, unknown> {
  const solver = tls.solver;
  if (solver.type === "http01") return { http01: { ingress: { ingressClassName: className } } };
  const providers = { route53: { route53: {} }, clouddns: { cloudDNS: {} }, azuredns: { azureDNS: { hostedZoneName: solver.zone } } };
  return { selector: { dnsZones: [solver.zone] }, dns01: dns01Provider ?? providers[solver.provider] };
}

/**
 * The Ingress routing every tenant's host to the API, with TLS through cert-manager: a Let's Encrypt
 * Issuer created in the namespace (HTTP-01 or DNS-01), an existing Issuer or ClusterIssuer, or none.
 */
export class Ingress extends pulumi.ComponentResource {
  /** Name of the Ingress. */
  public readonly ingressName: pulumi.Output<string>;
  /** The URL of each host, in the order of `hosts`. */
  public readonly urls: readonly pulumi.Output<string>[];

  constructor(name: string, args: IngressArgs, opts?: pulumi.ComponentResourceOptions) {
    const component = `Ingress "${name}"`;
    const issuerName = deferredSetting(component, args, ["spec", "tls", "name"], dnsLabel(253), "deferred");
    const { spec } = parseArgs(
      component,
      {
        namespace: namespaceArg(),
        instance: labelValue().optional(),
        spec: IngressSchema,
        hosts: z.array(input(hostName()), { error: "must be a list of host names" }).min(1, { error: "must list at least one host" }),
      },
      issuerName.checked,
    );
    super(INGRESS_TYPE, name, {}, opts);
    const tls = spec.tls;
    const hosts = args.hosts.map((host, i) => checkedAtDeployment<string>(component, `hosts[${i}]`, hostName(), host));
    const labels = {
      "app.kubernetes.io/instance": args.instance ?? name,
      "app.kubernetes.io/part-of": "tenantstack",
      "app.kubernetes.io/managed-by": "pulumi",
    };
    const annotations: Record<string, pulumi.Input<string>> = spec.waitForAddress ? {} : { "pulumi.com/skipAwait": "true" };
    const dependsOn: pulumi.Resource[] = [];

    if (tls.issuer === "letsencrypt-staging" || tls.issuer === "letsencrypt-prod") {
      dependsOn.push(
        new k8s.apiextensions.CustomResource(
          `${name}-issuer`,
          {
            apiVersion: "cert-manager.io/v1",
            kind: "Issuer",
            metadata: { name: tls.issuer, namespace: args.namespace, labels },
            spec: {
              acme: {
                server: ACME_SERVERS[tls.issuer],
                email: tls.email,
                privateKeySecretRef: { name: `${tls.issuer}-account-key` },
                solvers: [acmeSolver(tls, spec.className, args.dns01Provider)],
              },
            },
          },
          { parent: this },
        ),
      );
      annotations["cert-manager.io/issuer"] = tls.issuer;
    } else if (tls.issuer === "existing") {
      annotations[tls.kind === "Issuer" ? "cert-manager.io/issuer" : "cert-manager.io/cluster-issuer"] = issuerName.value(tls.name);
    }

    const ingress = new k8s.networking.v1.Ingress(
      `${name}-ingress`,
      {
        metadata: { name: SERVICES.api, namespace: args.namespace, labels, annotations },
        spec: {
          ingressClassName: spec.className,
          tls: tls.issuer === "none" ? undefined : hosts.map((host) => ({ hosts: [host], secretName: host.apply(tlsSecretName) })),
          rules: hosts.map((host) => ({
            host,
            http: {
              paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: SERVICES.api, port: { number: PORTS.http } } } }],
            },
          })),
        },
      },
      { parent: this, dependsOn },
    );

    this.ingressName = ingress.metadata.name;
    this.urls = hosts.map((host) => host.apply((resolved) => hostUrl(tls, resolved)));
    this.registerOutputs({ ingressName: this.ingressName, urls: this.urls });
  }
}
