import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PORTS } from "./contract";
import { type Role, selectorLabels } from "./labels";
import { dnsLabel, flag, intBetween, labels, labelValue, settings } from "../schema/fields";
import { namespaceArg, parseArgs } from "./validation";

/** Type token of {@link NetworkPolicies}. */
export const NETWORK_POLICIES_TYPE = "tenantstack:network:NetworkPolicies";

/** Arguments of {@link NetworkPolicies}. */
export interface NetworkPoliciesArgs {
  /** Namespace of the stack. */
  readonly namespace: pulumi.Input<string>;
  /**
   * `app.kubernetes.io/instance` label of the stack's pods, which the policies select them by: the `instance`
   * every other part of the stack was given (an AppStack's `instance`). A part labelled otherwise is denied all
   * traffic.
   */
  readonly instance: string;
  /** Port the API listens on. */
  readonly apiPort: number;
  /** Namespace of the ingress controller, allowed to reach the API. */
  readonly ingressControllerNamespace: string;
  /** Whether Ollama runs in the stack. */
  readonly ollama: boolean;
  /** Whether Ollama's model-pull Job may reach HTTPS endpoints outside the cluster (the serving pod never may). */
  readonly ollamaModelDownload: boolean;
  /** Whether the backup job uploads to object storage over HTTPS. */
  readonly backupUpload: boolean;
  /**
   * The Prometheus that scrapes the API's metrics (on its port): its namespace and pod labels.
   * @default - no scraping allowed
   */
  readonly prometheus?: {
    /** Namespace of the Prometheus pods. */
    readonly namespace: string;
    /** Labels of the Prometheus pods in that namespace; `{}` allows every pod of the namespace. */
    readonly podSelector: Readonly<Record<string, string>>;
  };
}

/** A connection the stack needs between two of its roles. */
interface Flow {
  readonly from: Role;
  readonly to: Role;
  readonly port: number;
}

/** The connections a stack needs inside its namespace. */
export function stackFlows(ollama: boolean): Flow[] {
  const flows: Flow[] = [];
  const add = (from: Role[], to: Role, port: number) => from.forEach((f) => flows.push({ from: f, to, port }));
  add(["api", "worker", "postgres-backup", "postgres-provision"], "postgres", PORTS.postgres);
  add(["api", "worker"], "redis", PORTS.redis);
  if (ollama) add(["api", "worker"], "ollama", PORTS.ollama);
  return flows;
}

const HTTPS_ANYWHERE = { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] };

/**
 * Default-deny NetworkPolicies for the namespace and the exact allow rules: DNS egress for every pod, the
 * ingress controller (and, when it scrapes, Prometheus) to the API, the API and worker to Postgres, Redis and
 * Ollama, the jobs to Postgres, and HTTPS egress for the model-pull Job and backup uploads where enabled.
 */
export class NetworkPolicies extends pulumi.ComponentResource {
  /** Names of the NetworkPolicies. */
  public readonly policyNames: pulumi.Output<string>[];

  constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    parseArgs(
      `NetworkPolicies "${name}"`,
      {
        namespace: namespaceArg(),
        instance: labelValue(),
        apiPort: intBetween(1024, 65535),
        ingressControllerNamespace: dnsLabel(),
        ollama: flag(),
        ollamaModelDownload: flag(),
        backupUpload: flag(),
        prometheus: settings({ namespace: dnsLabel(), podSelector: labels() }).optional(),
      },
      args,
    );
    super(NETWORK_POLICIES_TYPE, name, {}, opts);
    const pods = (role: Role) => ({ podSelector: { matchLabels: selectorLabels(args.instance, role) } });
    const tcp = (port: number | string) => [{ protocol: "TCP", port }];
    const policy = (policyName: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${policyName}`,
        { metadata: { name: policyName, namespace: args.namespace, labels: { "app.kubernetes.io/instance": args.instance } }, spec },
        { parent: this },
      ).metadata.name;

    const policies = [
      policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
      policy("allow-dns", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [{ protocol: "UDP", port: 53 }, ...tcp(53)],
          },
        ],
      }),
      policy("allow-ingress-controller-to-api", {
        ...pods("api"),
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.ingressControllerNamespace } } }],
            ports: tcp(args.apiPort),
          },
        ],
      }),
    ];

    const flows = stackFlows(args.ollama);
    for (const target of new Set(flows.map((f) => f.to))) {
      const inbound = flows.filter((f) => f.to === target);
      policies.push(
        policy(`allow-to-${target}`, {
          ...pods(target),
          policyTypes: ["Ingress"],
          ingress: [{ from: inbound.map((f) => pods(f.from)), ports: tcp(inbound[0].port) }],
        }),
      );
    }
    for (const source of new Set(flows.map((f) => f.from))) {
      const outbound = flows.filter((f) => f.from === source);
      const external = source === "postgres-backup" && args.backupUpload ? [HTTPS_ANYWHERE] : [];
      policies.push(
        policy(`allow-from-${source}`, {
          ...pods(source),
          policyTypes: ["Egress"],
          egress: [...outbound.map((f) => ({ to: [pods(f.to)], ports: tcp(f.port) })), ...external],
        }),
      );
    }
    if (args.ollama && args.ollamaModelDownload) {
      policies.push(policy("allow-ollama-model-download", { ...pods("ollama-pull"), policyTypes: ["Egress"], egress: [HTTPS_ANYWHERE] }));
    }
    if (args.prometheus) {
      const prometheus = args.prometheus;
      policies.push(
        policy("allow-prometheus-to-api", {
          ...pods("api"),
          policyTypes: ["Ingress"],
          ingress: [
            {
              from: [
                {
                  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": prometheus.namespace } },
                  podSelector: { matchLabels: { ...prometheus.podSelector } },
                },
              ],
              ports: tcp(args.apiPort),
            },
          ],
        }),
      );
    }

    this.policyNames = policies;
    this.registerOutputs({ policyNames: this.policyNames });
  }
}
