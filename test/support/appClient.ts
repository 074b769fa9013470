/**
 * A client of the reference app (examples/app) for the e2e tests: one tenant's API reached by its
 * Service's address, the tenant chosen by the `Host` header as an Ingress would pass it.
 */
import { Agent, request } from "node:http";
import type { KubeClient } from "./kube";

/** An answer of the app: its status, its `Retry-After` and its JSON body (undefined when not JSON). */
export interface AppReply {
  readonly status: number;
  readonly retryAfter?: string;
  readonly body: any;
}

/** One tenant of one stack's API. */
export class AppClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 8 });

  /**
   * @param address `ip:port` of the stack's `api` Service
   * @param host the tenant's host, sent as `Host`
   */
  constructor(
    readonly address: string,
    readonly host: string,
  ) {}

  /** The `api` Service's `ip:port` in `namespace`, read from the API server. */
  static async serviceAddress(kube: KubeClient, namespace: string): Promise<string> {
    const service = await kube.get(`/api/v1/namespaces/${namespace}/services/api`);
    return `${service.spec.clusterIP}:${service.spec.ports[0].port}`;
  }

  /** Sends one request (5 s at most); a connection error or a timeout rejects. */
  send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<AppReply> {
    const [hostname, port] = this.address.split(":");
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
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            const retryAfter = res.headers["retry-after"];
            resolve({ status: res.statusCode ?? 0, body: parsed, ...(retryAfter ? { retryAfter: String(retryAfter) } : {}) });
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${path} to ${this.address} (${this.host}): no answer in 5 s`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** Every note of the tenant, page by page. */
  async allNotes(): Promise<{ id: number; text: string; idempotencyKey: string | null }[]> {
    const notes: { id: number; text: string; idempotencyKey: string | null }[] = [];
    for (let after = 0; ; ) {
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
