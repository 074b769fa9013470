/**
 * Real PostgreSQL and Redis servers from Debian's packages (tools/dataservers.sh), started on free
 * loopback ports in temporary directories and stopped (directories removed) by `stop()`. Each
 * server gets the parent-death signal, so it also stops when the test process is killed.
 * As root, Postgres runs as the `postgres` user (initdb refuses root).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import Redis from "ioredis";

const REPO = path.join(__dirname, "../../../..");

/** Puts the servers' and clients' directories on this process's PATH (installing the packages if missing). */
export function useDataServerBinaries(): void {
  const dirs = execFileSync(path.join(REPO, "tools/dataservers.sh"), ["path"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  process.env.PATH = `${dirs}:${process.env.PATH}`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The uid and gid of `user`. */
function ids(user: string): { uid: number; gid: number } {
  const [uid, gid] = ["-u", "-g"].map((flag) => Number(execFileSync("id", [flag, user], { encoding: "utf8" }).trim()));
  return { uid, gid };
}

/** Starts `program` under `setpriv` with the parent-death signal (and as `user` when given). */
function startProcess(program: string, args: string[], user?: string): ChildProcess {
  const as = user ? ["--reuid", user, "--regid", user, "--init-groups"] : [];
  const child = spawn("setpriv", [...as, "--pdeathsig", "TERM", "--", program, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.on("exit", (code, signal) => {
    if (code !== 0 && signal === null && !(child as { stopping?: boolean }).stopping)
      process.stderr.write(`${program} exited ${code}: ${stderr}\n`);
  });
  return child;
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  (child as { stopping?: boolean }).stopping = true;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  await exited;
}

async function until(what: string, check: () => Promise<unknown>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs} ms: ${error}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A connected client of `database` on the server of `url`. */
async function connect(url: string, database: string): Promise<Client> {
  const parsed = new URL(url);
  const client = new Client({
    host: parsed.hostname,
    port: Number(parsed.port),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
  });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/** Runs `sql` (with `params`) in `database` on the server of `url` and resolves its rows. */
export async function query<R extends Record<string, any> = any>(
  url: string,
  database: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = await connect(url, database);
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Runs `during` while a transaction on `server` holds an ACCESS EXCLUSIVE lock on `table` of
 * `database`, which stops a `pg_dump` of it at its start (it waits for the lock), however fast the
 * machine; the lock is released after.
 */
export async function sourceTableLocked<T>(server: PostgresServer, database: string, table: string, during: () => Promise<T>): Promise<T> {
  const client = await connect(server.url, database);
  try {
    await client.query("BEGIN");
    await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    return await during();
  } finally {
    await client.query("ROLLBACK").catch(() => undefined);
    await client.end();
  }
}

/** A Postgres cluster of its own: superuser `postgres` with a random password, on 127.0.0.1. */
export class PostgresServer {
  private constructor(
    readonly url: string,
    private readonly dir: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(name: string): Promise<PostgresServer> {
    const dir = mkdtempSync(path.join(tmpdir(), `tenantstack-pg-${name}-`));
    const user = process.getuid?.() === 0 ? "postgres" : undefined;
    const password = randomBytes(12).toString("hex");
    writeFileSync(path.join(dir, "pwfile"), `${password}\n`, { mode: 0o600 });
    if (user) {
      const { uid, gid } = ids(user);
      chownSync(dir, uid, gid);
      chownSync(path.join(dir, "pwfile"), uid, gid);
    }
    const data = path.join(dir, "data");
    const run = (program: string, args: string[]) =>
      execFileSync("setpriv", [...(user ? ["--reuid", user, "--regid", user, "--init-groups"] : []), "--", program, ...args], {
        stdio: "pipe",
      });
    run("initdb", [
      "-D",
      data,
      "-U",
      "postgres",
      "--auth=scram-sha-256",
      `--pwfile=${path.join(dir, "pwfile")}`,
      "--encoding=UTF8",
      "--locale=C.UTF-8",
    ]);
    const port = await freePort();
    const child = startProcess(
      "postgres",
      [
        "-D",
        data,
        "-p",
        String(port),
        "-h",
        "127.0.0.1",
        "-k",
        dir,
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
      ],
      user,
    );
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    const server = new PostgresServer(url, dir, child);
    await until(`postgres ${name}`, () => server.query("postgres", "SELECT 1"));
    return server;
  }

  /** Runs `sql` (with `params`) in `database` as the superuser and resolves its rows. */
  query<R extends Record<string, any> = any>(database: string, sql: string, params: unknown[] = []): Promise<R[]> {
    return query<R>(this.url, database, sql, params);
  }

  /** The server's URL with another user and password. */
  urlOf(user: string, password: string): string {
    const url = new URL(this.url);
    url.username = user;
    url.password = password;
    return url.toString();
  }

  /** Fast shutdown, then removes the cluster's directory. */
  async stop(): Promise<void> {
    await stopProcess(this.child, "SIGINT");
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A Redis server of its own, with a random default-user password, no persistence, on 127.0.0.1. */
export class RedisServer {
  private constructor(
    readonly url: string,
    private readonly dir: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(name: string, extraConfig: string[] = []): Promise<RedisServer> {
    const dir = mkdtempSync(path.join(tmpdir(), `tenantstack-redis-${name}-`));
    const password = randomBytes(12).toString("hex");
    const port = await freePort();
    const config = [`port ${port}`, "bind 127.0.0.1", `dir ${dir}`, 'save ""', "appendonly no", `requirepass ${password}`, ...extraConfig];
    writeFileSync(path.join(dir, "redis.conf"), `${config.join("\n")}\n`, { mode: 0o600 });
    const child = startProcess("redis-server", [path.join(dir, "redis.conf")]);
    const url = `redis://:${password}@127.0.0.1:${port}`;
    const server = new RedisServer(url, dir, child);
    await until(`redis ${name}`, () => server.with((client) => client.ping()));
    return server;
  }

  /** Runs `work` with a connected client. */
  async with<T>(work: (client: Redis) => Promise<T>): Promise<T> {
    const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on("error", () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      client.disconnect();
    }
  }

  async stop(): Promise<void> {
    await stopProcess(this.child, "SIGTERM");
    rmSync(this.dir, { recursive: true, force: true });
  }
}
