/**
 * A client of the reference app (examples/app) for the e2e tests: one tenant's API reached by its
 * Service's address, the tenant chosen by the `Host` header as an Ingress would pass it.
 */
import { Agent, request } from "node:http";
import { readBody } from "./httpBody";
import type { KubeClient } from "./kube";

/** An answer of the app: its status, its `Retry-After` and its JSON body (undefined when not JSON). */
export interface AppReply {
  /** The `ip:port` that answered. */
  readonly address: string;
  readonly status: number;
  readonly retryAfter?: string;
  readonly body: any;
}

/** One tenant of one stack's API. */
export class AppClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 8 });

  /**
   * @param address `ip:port` of the stack's `api` Service, or a function that tells it at each request
   *   (the tenant's route may move: {@link IngressRoutes})
   * @param host the tenant's host, sent as `Host`
   */
  constructor(
    private readonly address: string | (() => string),
    readonly host: string,
  ) {}

  /** The `api` Service's `ip:port` in `namespace`, read from the API server. */
  static async serviceAddress(kube: KubeClient, namespace: string): Promise<string> {
    const service = await kube.get(`/api/v1/namespaces/${namespace}/services/api`);
    return `${service.spec.clusterIP}:${service.spec.ports[0].port}`;
  }

  /** Sends one request (5 s at most); a connection error or a timeout rejects. */
  send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<AppReply> {
    const address = typeof this.address === "string" ? this.address : this.address();
    const [hostname, port] = address.split(":");
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          hostname,
          port: Number(port),
          method,
          path,
          agent: this.agent,
          timeout: 5000,
          headers: { host: this.host, ...(payload ? { "content-type": "application/json" } : {}), ...headers },
        },
        (res) => {
          readBody(res).then(({ json }) => {
            const retryAfter = res.headers["retry-after"];
            resolve({ address, status: res.statusCode ?? 0, body: json, ...(retryAfter ? { retryAfter: String(retryAfter) } : {}) });
          }, reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${path} to ${address} (${this.host}): no answer in 5 s`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** Every note of the tenant, page by page. */
  async allNotes(): Promise<{ id: number; text: string; idempotencyKey: string | null }[]> {
    const notes: { id: number; text: string; idempotencyKey: string | null }[] = [];
    for (let after = 0; ;) {
      const reply = await this.send("GET", `/notes?after=${after}&limit=1000`);
      if (reply.status !== 200) throw new Error(`GET /notes of ${this.host}: ${reply.status} ${JSON.stringify(reply.body)}`);
      notes.push(...reply.body.notes);
      if (reply.body.next === null) return notes;
      after = reply.body.next;
    }
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

/**
 * The routes of the cluster's Ingresses, as an ingress controller would follow them (the local cluster
 * has none: see the README): each host goes to the `api` Service of the namespace whose Ingress claims
 * it, the oldest claim winning as with ingress-nginx; re-read every 500 ms.
 */
export class IngressRoutes {
  private routes = new Map<string, string>();
  private timer?: NodeJS.Timeout;

  private constructor(private readonly kube: KubeClient) {}

  /** Reads the routes once, then keeps them current until {@link close}. */
  static async watch(kube: KubeClient): Promise<IngressRoutes> {
    const routes = new IngressRoutes(kube);
    await routes.refresh();
    routes.timer = setInterval(() => void routes.refresh().catch(() => undefined), 500);
    return routes;
  }

  /** The `ip:port` that serves `host` now; throws when no Ingress claims it. */
  address(host: string): string {
    const address = this.routes.get(host);
    if (!address) throw new Error(`no Ingress claims host ${host}`);
    return address;
  }

  /** Stops re-reading. */
  close(): void {
    clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    const list = await this.kube.get("/apis/networking.k8s.io/v1/ingresses");
    const claims = new Map<string, { namespace: string; created: string }>();
    for (const ingress of list.items)
      for (const rule of ingress.spec.rules ?? []) {
        const claim = { namespace: ingress.metadata.namespace, created: ingress.metadata.creationTimestamp };
        const held = claims.get(rule.host);
        if (!held || claim.created < held.created) claims.set(rule.host, claim);
      }
    const routes = new Map<string, string>();
    for (const [host, { namespace }] of claims) routes.set(host, await AppClient.serviceAddress(this.kube, namespace));
    this.routes = routes;
  }
}
