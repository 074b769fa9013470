/** The body of an HTTP message, read whole (a response of the reference app, a request to a test webhook). */
import type { IncomingMessage } from "node:http";

/** Resolves the response's body as text and as parsed JSON (undefined when it is not JSON). */
export function readBody(res: IncomingMessage): Promise<{ text: string; json: unknown }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (chunk: Buffer) => chunks.push(chunk));
    res.on("error", reject);
    res.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      resolve({ text, json });
    });
  });
}
