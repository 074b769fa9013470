/** Waiting on an operation of the driver's HTTP API, as a client does: polling it until it ends. */
import type { FastifyInstance } from "fastify";

/**
 * Polls `GET /operations/<id>` every 200 ms until the operation is no longer running; resolves its
 * body, or fails after `timeoutMs`.
 */
export async function finishedOperation(
  app: FastifyInstance,
  id: string,
  headers: Record<string, string>,
  timeoutMs = 300_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const operation = (await app.inject({ method: "GET", url: `/operations/${id}`, headers })).json();
    if (operation.status !== undefined && operation.status !== "running") return operation;
    if (Date.now() > deadline) throw new Error(`operation ${id} still running after ${timeoutMs} ms: ${JSON.stringify(operation)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
