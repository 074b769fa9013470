/**
 * An S3-compatible object store on loopback (or the real node's bridge) for the tests: gofakes3's server (built from Go modules
 * by tools/cluster/build.sh), its objects in its memory for the test's time, one bucket made at
 * start. The engine reaches it as a `s3://` backend ({@link ObjectStore.backendUrl}) with the
 * credentials of {@link ObjectStore.env} (the store takes any).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import * as path from "node:path";
import { REPO } from "./controlPlane";

/** A free port on `host`. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The store; see the module's comment. */
export class ObjectStore {
  private stopping = false;

  private constructor(
    private readonly child: ChildProcess,
    /** `http://<host>:<port>`. */
    readonly endpoint: string,
    readonly bucket: string,
  ) {}

  /**
   * Builds the server if it is not cached, starts it with bucket `bucket` on `host` (loopback, or the
   * real node's bridge address, where its pods reach it too) and waits until it answers.
   */
  static async start(bucket = "tenantstack-state", host = "127.0.0.1"): Promise<ObjectStore> {
    // The control plane's toolchain build makes it (cached: nothing is built again).
    const dirs = execFileSync(path.join(REPO, "tools/cluster/build.sh"), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    const bin = dirs.split("\n").find((dir) => /\/gofakes3-[^/]+$/.test(dir));
    if (!bin) throw new Error(`tools/cluster/build.sh printed no gofakes3 directory: ${dirs}`);
    const port = await freePort(host);
    const child = spawn(
      path.join(bin, "gofakes3"),
      // In memory: gofakes3 v1.2.0's bolt backend ends the server (a fault) when it copies an object of
      // some size, as the engine does for its checkpoint's backup, and its files backend lists no bucket.
      ["-host", `${host}:${port}`, "-backend", "memory", "-initialbucket", bucket, "-quiet"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const store = new ObjectStore(child, `http://${host}:${port}`, bucket);
    // An end before stop() is a finding of the test's: say how it ended.
    child.once("exit", (code, signal) => {
      if (!store.stopping) console.error(`gofakes3 on ${store.endpoint} ended (${signal ?? `exit ${code}`}): ${stderr.trim()}`);
    });
    for (let attempt = 0; ; attempt++) {
      if (child.exitCode !== null) throw new Error(`gofakes3 exited ${child.exitCode}: ${stderr}`);
      const answered = await fetch(`${store.endpoint}/${bucket}`).then(
        (r) => r.status < 500,
        () => false,
      );
      if (answered) return store;
      if (attempt === 100) {
        await store.stop();
        throw new Error(`gofakes3 did not answer on ${store.endpoint}: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The engine's backend URL of the bucket (path-style, plain HTTP, checksums only where required). */
  backendUrl(): string {
    const query = new URLSearchParams({
      endpoint: this.endpoint,
      use_path_style: "true",
      region: "us-east-1",
      request_checksum_calculation: "when_required",
      response_checksum_validation: "when_required",
    });
    return `s3://${this.bucket}?${query}`;
  }

  /** The credentials the engine needs for the backend (any are accepted). */
  get env(): Record<string, string> {
    return { AWS_ACCESS_KEY_ID: "tenantstack", AWS_SECRET_ACCESS_KEY: "tenantstack-test", AWS_REGION: "us-east-1" };
  }

  /** Stops the server. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    await exited;
  }
}
