/**
 * The worker's side of a tenant's queue, taking each job reliably: `BLMOVE` moves it from
 * `<prefix>jobs` to the worker's own `<prefix>jobs:processing:<worker>` list, where it stays until
 * its result is written (then removed) or it is given back (read-only, a failed write). A worker
 * keeps `<prefix>jobs:worker:<worker>` alive while it runs; a processing list whose worker's key
 * expired (a crash) is moved back onto the queue by any worker, and a worker's own list from a
 * previous run of the same pod at its start.
 */
import type Redis from "ioredis";
import type { RedisClients } from "./redis";
import { queueKey } from "./jobs";

/** How long a worker's liveness key lives without a refresh, in seconds. */
export const WORKER_TTL_SECONDS = 30;

/** A worker name usable in a key and in a `SCAN` pattern. */
function safeName(worker: string): string {
  return worker.replace(/[^A-Za-z0-9._-]/g, "_");
}

/** `text` with the glob characters of a `SCAN MATCH` pattern escaped. */
function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

/** One worker's view of one tenant's queue. */
export class TenantQueue {
  private readonly worker: string;

  constructor(
    /** Connections for commands. */
    private readonly redis: RedisClients,
    /** Connections for `BLMOVE`, which holds its connection while it waits. */
    private readonly blocking: RedisClients,
    private readonly tenant: string,
    worker: string,
  ) {
    this.worker = safeName(worker);
  }

  private get client(): Redis {
    return this.redis.client(this.tenant);
  }

  private get queue(): string {
    return queueKey(this.redis, this.tenant);
  }

  private processing(worker = this.worker): string {
    return this.redis.key(this.tenant, `jobs:processing:${worker}`);
  }

  private alive(worker = this.worker): string {
    return this.redis.key(this.tenant, `jobs:worker:${worker}`);
  }

  /** Takes the oldest job, waiting up to `seconds`; `null` when none came. */
  take(seconds: number): Promise<string | null> {
    return this.blocking.client(this.tenant).blmove(this.queue, this.processing(), "RIGHT", "LEFT", seconds);
  }

  /** The job is done: removes it from the processing list. */
  async done(raw: string): Promise<void> {
    await this.client.lrem(this.processing(), 1, raw);
  }

  /** Puts a taken job back at the queue's taking end (it is the next one taken). */
  async giveBack(raw: string): Promise<void> {
    await this.client.multi().lrem(this.processing(), 1, raw).rpush(this.queue, raw).exec();
  }

  /** Marks this worker alive for {@link WORKER_TTL_SECONDS}. */
  async heartbeat(): Promise<void> {
    await this.client.set(this.alive(), "1", "EX", WORKER_TTL_SECONDS);
  }

  /**
   * Moves the jobs of dead workers' processing lists back onto the queue (with `own`, this worker's
   * list too: it is left from an earlier run); resolves how many.
   */
  async recover(own: boolean): Promise<number> {
    const prefix = this.processing("");
    let moved = 0;
    let cursor = "0";
    do {
      const [next, keys] = await this.client.scan(cursor, "MATCH", `${globLiteral(prefix)}*`, "COUNT", 100);
      cursor = next;
      for (const key of keys) {
        const worker = key.slice(prefix.length);
        if (worker === this.worker ? !own : (await this.client.exists(this.alive(worker))) === 1) continue;
        while ((await this.client.lmove(key, this.queue, "RIGHT", "RIGHT")) !== null) moved++;
      }
    } while (cursor !== "0");
    return moved;
  }
}
