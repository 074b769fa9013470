/**
 * A bounded load on the reference app for the live-traffic tests: one sequential client per tenant,
 * alternating a write (`POST /notes` with an Idempotency-Key of its own) and a read (`GET /notes`),
 * one request every `intervalMs`, until stopped. Every answer is recorded, so that a test can check
 * that each acknowledged write is in the tenant's database afterwards, none twice, and which requests
 * failed, and when.
 */
import { randomBytes } from "node:crypto";
import type { AppClient } from "./appClient";

/** One request and its outcome. */
export interface TrafficRecord {
  readonly tenant: string;
  readonly kind: "write" | "read";
  /** The write's Idempotency-Key (also its note's text). */
  readonly key?: string;
  /** When it was sent, ms since the epoch. */
  readonly at: number;
  /** The `ip:port` that answered. */
  readonly address?: string;
  /** Its status, or 0 when no answer came (the error says why). */
  readonly status: number;
  /** The app's error code (`read_only`, `unavailable`, ...) or the client's error. */
  readonly error?: string;
}

/** What the load saw of one tenant. */
export interface TenantTraffic {
  readonly records: readonly TrafficRecord[];
  /** Keys of the writes the app acknowledged (201, or 200 for a key it had). */
  readonly acknowledged: readonly string[];
  /** Requests that failed: any answer but 2xx, or none; `read_only` refusals among them. */
  readonly failed: readonly TrafficRecord[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The time from the first to the last of some records, in ms (0 when none). */
export function spanMs(records: readonly TrafficRecord[]): number {
  return records.length ? records[records.length - 1].at - records[0].at : 0;
}

/** The load; see the module's comment. */
export class TrafficLoad {
  private readonly records: TrafficRecord[] = [];
  /** Makes this load's keys its own: `<tenant>-<id>-<seq>`. */
  private readonly id = randomBytes(3).toString("hex");
  private running = false;
  private loops: Promise<void>[] = [];

  /**
   * @param clients the app client of each tenant, by tenant name
   * @param intervalMs the pause between one tenant's requests
   */
  constructor(
    private readonly clients: Readonly<Record<string, AppClient>>,
    private readonly intervalMs = 100,
  ) {}

  /** Starts one loop per tenant. */
  start(): void {
    this.running = true;
    this.loops = Object.entries(this.clients).map(([tenant, client]) => this.loop(tenant, client));
  }

  /** Stops the loops once their requests in flight are answered. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** What the load saw of `tenant` so far. */
  of(tenant: string): TenantTraffic {
    const records = this.records.filter((r) => r.tenant === tenant);
    return {
      records,
      acknowledged: records.filter((r) => r.kind === "write" && (r.status === 201 || r.status === 200)).map((r) => r.key!),
      failed: records.filter((r) => r.status < 200 || r.status > 299),
    };
  }

  /**
   * The failed requests of `tenant` during a migration, by kind: writes refused as read-only (503
   * `read_only`, the drain), requests while its host reached no stack serving it (no Ingress claimed it,
   * or a stack answered 404: the switch), and anything else.
   */
  failures(tenant: string): { readOnly: TrafficRecord[]; unrouted: TrafficRecord[]; other: TrafficRecord[] } {
    const failed = this.of(tenant).failed;
    const readOnly = failed.filter((r) => r.kind === "write" && r.status === 503 && r.error === "read_only");
    const unrouted = failed.filter((r) => r.status === 404 || (r.status === 0 && /no Ingress claims host/.test(r.error ?? "")));
    return { readOnly, unrouted, other: failed.filter((r) => !readOnly.includes(r) && !unrouted.includes(r)) };
  }

  /** The time from the first to the last `read_only` refusal of `tenant`'s writes, in ms (0 when none). */
  readOnlyWindow(tenant: string, since = 0): number {
    return spanMs(this.failures(tenant).readOnly.filter((r) => r.at >= since));
  }

  private async loop(tenant: string, client: AppClient): Promise<void> {
    for (let seq = 0; this.running; seq++) {
      const write = seq % 2 === 0;
      const key = `${tenant}-${this.id}-${seq}`;
      const at = Date.now();
      try {
        const reply = write
          ? await client.send("POST", "/notes", { text: key }, { "idempotency-key": key })
          : await client.send("GET", "/notes?limit=1");
        this.records.push({
          tenant,
          kind: write ? "write" : "read",
          ...(write ? { key } : {}),
          at,
          address: reply.address,
          status: reply.status,
          ...(reply.status >= 300 ? { error: String(reply.body?.error?.code ?? reply.status) } : {}),
        });
      } catch (error) {
        this.records.push({
          tenant,
          kind: write ? "write" : "read",
          ...(write ? { key } : {}),
          at,
          status: 0,
          error: (error as Error).message,
        });
      }
      await sleep(this.intervalMs);
    }
  }
}
