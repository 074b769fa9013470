/**
 * Jobs: the API enqueues one on the tenant's Redis list `<prefix>jobs`; a worker takes it, counts
 * the words of its text and hashes it, and writes the result to the tenant's table `job_results`,
 * once per job id (a job taken twice, after a crash, writes nothing the second time).
 */
import { createHash, randomUUID } from "node:crypto";
import type { PoolClient } from "pg";
import { isUndefinedTable } from "./schema";
import type { RedisClients } from "./redis";

/** A job on the queue. */
export interface Job {
  readonly id: string;
  readonly text: string;
  readonly enqueuedAt: string;
}

/** A job's result as the API returns it. */
export interface JobResult {
  readonly id: string;
  readonly words: number;
  readonly sha256: string;
  readonly enqueuedAt: string;
  readonly completedAt: string;
  readonly worker: string;
}

/** The longest text of a job, in characters. */
export const MAX_JOB_CHARS = 10_000;

/** How long an idempotency key of an enqueued job is remembered, in seconds. */
const SEEN_TTL_SECONDS = 24 * 3600;

/** The tenant's queue: the list jobs are pushed on (left) and taken from (right). */
export function queueKey(redis: RedisClients, tenant: string): string {
  return redis.key(tenant, "jobs");
}

/**
 * Enqueues a job of `text`; with `key` (the Idempotency-Key) it is the job's id and a repeat within
 * a day enqueues nothing. Resolves the id and whether it was enqueued now.
 */
export async function enqueueJob(
  redis: RedisClients,
  tenant: string,
  text: string,
  key: string | undefined,
): Promise<{ id: string; enqueued: boolean }> {
  const client = redis.client(tenant);
  const id = key ?? randomUUID();
  const seen = redis.key(tenant, `jobs:seen:${id}`);
  if (key !== undefined && (await client.set(seen, "1", "EX", SEEN_TTL_SECONDS, "NX")) === null) return { id, enqueued: false };
  const job: Job = { id, text, enqueuedAt: new Date().toISOString() };
  try {
    await client.lpush(queueKey(redis, tenant), JSON.stringify(job));
  } catch (error) {
    if (key !== undefined) await client.del(seen).catch(() => undefined);
    throw error;
  }
  return { id, enqueued: true };
}

/** A job read from the queue, or `undefined` when it is not one (it is dropped). */
export function parseJob(raw: string): Job | undefined {
  try {
    const job = JSON.parse(raw) as Partial<Job>;
    if (
      typeof job.id === "string" &&
      typeof job.text === "string" &&
      typeof job.enqueuedAt === "string" &&
      !Number.isNaN(Date.parse(job.enqueuedAt))
    )
      return { id: job.id, text: job.text, enqueuedAt: job.enqueuedAt };
  } catch {
    // not JSON
  }
  return undefined;
}

/** What the worker computes of a job: its text's word count and SHA-256. */
export function runJob(job: Job): { words: number; sha256: string } {
  const words = job.text.split(/\s+/).filter((w) => w !== "").length;
  return { words, sha256: createHash("sha256").update(job.text).digest("hex") };
}

/** Writes a job's result unless the job has one; resolves whether it was written now. */
export async function saveJobResult(client: PoolClient, job: Job, worker: string): Promise<boolean> {
  const { words, sha256 } = runJob(job);
  const result = await client.query(
    "INSERT INTO job_results (job_id, words, sha256, enqueued_at, worker) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (job_id) DO NOTHING",
    [job.id, words, sha256, job.enqueuedAt, worker],
  );
  return result.rowCount === 1;
}

/** The result of job `id`, if it has one. */
export async function getJobResult(client: PoolClient, id: string): Promise<JobResult | undefined> {
  try {
    const result = await client.query(
      "SELECT job_id, words, sha256, enqueued_at, completed_at, worker FROM job_results WHERE job_id = $1",
      [id],
    );
    if (!result.rows.length) return undefined;
    const row = result.rows[0];
    return {
      id: row.job_id,
      words: row.words,
      sha256: row.sha256,
      enqueuedAt: row.enqueued_at.toISOString(),
      completedAt: row.completed_at.toISOString(),
      worker: row.worker,
    };
  } catch (error) {
    if (isUndefinedTable(error)) return undefined;
    throw error;
  }
}
