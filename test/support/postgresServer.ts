/**
 * A throwaway PostgreSQL server for tests: `initdb` into a temporary directory and `pg_ctl start` on a
 * free port, as the `postgres` user when running as root (the server refuses root).
 */
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** A running server; `stop()` stops it and deletes its files. */
export class PostgresServer {
  private constructor(
    private readonly dir: string,
    /** A superuser connection URL. */
    readonly url: string,
    private readonly asUser: (command: string, args: string[]) => void,
  ) {}

  static async start(): Promise<PostgresServer> {
    const dir = mkdtempSync(path.join(tmpdir(), "tenantstack-pg-"));
    const root = process.getuid?.() === 0;
    const uid = root ? Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })) : undefined;
    if (uid !== undefined) chownSync(dir, uid, Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })));
    const asUser = (command: string, args: string[]) =>
      execFileSync(root ? "runuser" : command, root ? ["-u", "postgres", "--", command, ...args] : args, { stdio: "ignore" });
    const data = path.join(dir, "data");
    const port = await freePort();
    asUser("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
    asUser("pg_ctl", ["-D", data, "-w", "-l", path.join(dir, "log"), "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, "start"]);
    return new PostgresServer(dir, `postgres://postgres@127.0.0.1:${port}/postgres`, asUser);
  }

  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): string {
    const url = new URL(this.url);
    execFileSync("psql", [this.url, "-c", `CREATE DATABASE "${name}"`], { stdio: "ignore" });
    url.pathname = `/${name}`;
    return url.toString();
  }

  stop(): void {
    try {
      this.asUser("pg_ctl", ["-D", path.join(this.dir, "data"), "-m", "fast", "-w", "stop"]);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
