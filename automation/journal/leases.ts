/**
 * Leases in the driver's database, so that drivers on many hosts share one registry: one operation at a
 * time per stack (`stack_leases`) and one driver at a time per operation (`operation_leases`). A lease
 * names its holder's host identity and process. Its driver renews it (a heartbeat, {@link LeaseKeeper});
 * a lease not renewed within its time to live has expired and any driver may take it over. A driver
 * that took it over then recovers the stack, or resumes the operation without its finished steps.
 *
 * Every time is the database's own clock (`SqlDatabase.nowMs`): a heartbeat is written, and expiry
 * judged, by the one clock every driver shares, so a driver whose clock runs ahead cannot expire a live
 * holder's lease, nor one whose clock lags keep a dead holder's alive.
 */
import * as os from "node:os";
import { defaultHeartbeatSeconds, LEASE_TTL_SECONDS_DEFAULT } from "../../schema/driverValues";
import type { Row, SqlDatabase } from "../db/sqlDatabase";
import { OperationLockedError, StackLockedError } from "../errors";

/** Who holds a lease. */
export interface LeaseHolder {
  /** The operation id. */
  readonly holder: string;
  /** The host identity of its driver (for a lease a driver of an earlier version took: its host). */
  readonly identity: string;
  /** Host and pid of the driver process. */
  readonly host: string;
  readonly pid: number;
  /**
   * Its last heartbeat and when it expires without another, by the database's clock (ISO 8601).
   * @default - none: a lease a driver of an earlier version took, which is never renewed and never expires
   */
  readonly heartbeatAt?: string;
  readonly expiresAt?: string;
}

/** How a driver holds its leases. */
export interface LeaseSettings {
  /**
   * The driver's host identity: drivers sharing the database must each have their own. A lease of another
   * identity is only ever taken over once it has expired; one of this identity, on this host, also as soon
   * as the process that holds it is gone.
   * @default - the host name
   */
  readonly identity?: string;
  /**
   * Seconds a lease lives without a heartbeat.
   * @default 60
   */
  readonly leaseTtlSeconds?: number;
  /**
   * Seconds between heartbeats.
   * @default - a third of `leaseTtlSeconds`
   */
  readonly heartbeatSeconds?: number;
}

/** A lease table: its key column and the error that refuses a lease held by another. */
interface LeaseTable {
  readonly table: "stack_leases" | "operation_leases";
  readonly key: "stack" | "operation_id";
  /** The error refusing `key`, held by `holder` at database time `nowMs` (undefined: taken at the same moment). */
  readonly locked: (key: string, holder: LeaseHolder | undefined, nowMs: number) => Error;
}

/** A lease this driver holds, renewed by its heartbeat. */
interface HeldLease {
  readonly table: LeaseTable;
  readonly key: string;
  readonly holder: string;
  /** Called when a heartbeat finds it taken over (its holder was silent past its time to live). */
  readonly onLost?: () => void;
}

/** The process a lease is held by. */
interface LeaseOwner {
  readonly identity: string;
  readonly host: string;
  readonly pid: number;
}

/** Whether a process of this host is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A number column (`pg` reads BIGINT as text), or undefined for null. */
function numberOrNone(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

/** The holder a row names. */
function holderOf(row: Row): LeaseHolder {
  const heartbeat = numberOrNone(row.heartbeat_ms);
  const expires = numberOrNone(row.expires_ms);
  return {
    holder: row.holder as string,
    identity: (row.identity as string | null) ?? (row.host as string),
    host: row.host as string,
    pid: Number(row.pid),
    ...(heartbeat !== undefined ? { heartbeatAt: new Date(heartbeat).toISOString() } : {}),
    ...(expires !== undefined ? { expiresAt: new Date(expires).toISOString() } : {}),
  };
}

/** The driver holding a lease, as an error names it; undefined: one that took it at the same moment. */
function driverOf(holder: LeaseHolder | undefined, nowMs: number): string {
  if (holder === undefined) return "another driver, which took it at the same moment";
  if (holder.heartbeatAt === undefined || holder.expiresAt === undefined) return `pid ${holder.pid} on ${holder.host}`;
  const seconds = (iso: string) => Math.round(Math.abs(Date.parse(iso) - nowMs) / 100) / 10;
  return (
    `driver "${holder.identity}" (pid ${holder.pid} on ${holder.host}; last heartbeat ${seconds(holder.heartbeatAt)} s ago, ` +
    `its lease expires in ${seconds(holder.expiresAt)} s without another)`
  );
}

/**
 * Why a lease held by `previous` may be taken by `me` for `holder` at database time `nowMs`, or undefined
 * while its holder is live: `mine` (this process holds it for this holder already), `expired` (no
 * heartbeat within its time to live), `dead` (of this identity on this host, and its process is gone: a
 * pid is only ever probed on the host and identity that wrote it; a lease of an earlier driver version,
 * which has no identity, on this host).
 * @internal
 */
export function takeover(
  previous: LeaseHolder,
  raw: { readonly identity: string | null; readonly expiresMs: number | undefined },
  me: LeaseOwner,
  holder: string,
  nowMs: number,
  isAlive: (pid: number) => boolean = alive,
): "mine" | "expired" | "dead" | undefined {
  if (previous.identity === me.identity && previous.host === me.host && previous.pid === me.pid && previous.holder === holder)
    return "mine";
  if (raw.expiresMs !== undefined && raw.expiresMs <= nowMs) return "expired";
  const sameIdentity = raw.identity === null || raw.identity === me.identity;
  if (sameIdentity && previous.host === me.host && previous.pid !== me.pid && !isAlive(previous.pid)) return "dead";
  return undefined;
}

/**
 * A driver's heartbeat: one timer (unref'd: it never keeps a process alive) that renews every lease the
 * driver holds, running only while it holds one. A renewal that finds a lease no longer its own (another
 * driver took it over after it expired) drops it and tells its holder (`onLost`).
 */
export class LeaseKeeper {
  /** The driver's host identity. */
  readonly identity: string;
  /** A lease's time to live, and the time between heartbeats, in milliseconds. */
  readonly ttlMs: number;
  readonly heartbeatMs: number;
  private readonly held = new Map<string, HeldLease>();
  /** Leases a heartbeat found taken over, until taken again. */
  private readonly lost = new Set<string>();
  private timer?: NodeJS.Timeout;
  private beat?: Promise<void>;

  constructor(
    private readonly db: SqlDatabase,
    settings: LeaseSettings = {},
  ) {
    this.identity = settings.identity ?? os.hostname();
    const ttlSeconds = settings.leaseTtlSeconds ?? LEASE_TTL_SECONDS_DEFAULT;
    this.ttlMs = Math.round(ttlSeconds * 1000);
    this.heartbeatMs = Math.round((settings.heartbeatSeconds ?? defaultHeartbeatSeconds(ttlSeconds)) * 1000);
  }

  /** This process, as its leases name it. */
  get owner(): LeaseOwner {
    return { identity: this.identity, host: os.hostname(), pid: process.pid };
  }

  /** Whether the heartbeat runs (it does while the driver holds a lease). */
  get beating(): boolean {
    return this.timer !== undefined;
  }

  /** The leases held, as `<table>/<key>/<holder>`. */
  get holding(): string[] {
    return [...this.held.keys()].sort();
  }

  /** Whether this driver holds the lease (as far as its last heartbeat knows; nothing is read). @internal */
  holds(lease: Omit<HeldLease, "onLost">): boolean {
    return this.held.has(idOf(lease));
  }

  /** Whether a heartbeat found the lease taken over by another driver (since this one last took it). @internal */
  lostIt(lease: Omit<HeldLease, "onLost">): boolean {
    return this.lost.has(idOf(lease));
  }

  /** Records that the lease was found taken over (outside a heartbeat); its holder is told. @internal */
  lose(lease: Omit<HeldLease, "onLost">): void {
    const held = this.held.get(idOf(lease));
    this.drop(lease);
    this.lost.add(idOf(lease));
    held?.onLost?.();
  }

  /** @internal */
  hold(lease: HeldLease): void {
    this.lost.delete(idOf(lease));
    this.held.set(idOf(lease), lease);
    if (this.timer === undefined) {
      this.timer = setInterval(() => void this.renew(), this.heartbeatMs);
      this.timer.unref();
    }
  }

  /** @internal */
  drop(lease: Omit<HeldLease, "onLost">): void {
    this.held.delete(idOf(lease));
    if (this.held.size === 0) this.stop();
  }

  /**
   * One heartbeat now: each held lease's heartbeat set to the database's time, and its expiry a time to
   * live after it. A failure to reach the database is left to the next heartbeat.
   */
  renew(): Promise<void> {
    // One heartbeat at a time: a slow database does not pile them up.
    this.beat ??= this.renewAll().finally(() => (this.beat = undefined));
    return this.beat;
  }

  private async renewAll(): Promise<void> {
    const { identity, host, pid } = this.owner;
    const lost: HeldLease[] = [];
    for (const lease of [...this.held.values()]) {
      const { table, key } = lease.table;
      let renewed: number;
      try {
        renewed = await this.db.run(
          `UPDATE ${table} SET heartbeat_ms = ${this.db.nowMs}, expires_ms = ${this.db.nowMs} + ? ` +
            `WHERE ${key} = ? AND holder = ? AND identity = ? AND host = ? AND pid = ?`,
          [this.ttlMs, lease.key, lease.holder, identity, host, pid],
        );
      } catch {
        continue;
      }
      if (renewed === 0 && this.held.has(idOf(lease))) {
        this.drop(lease);
        this.lost.add(idOf(lease));
        lost.push(lease);
      }
    }
    // Told once every loss is known: a job stopped for its stack's lease finds its operation's lost too.
    for (const lease of lost) lease.onLost?.();
  }

  /** Stops the heartbeat and gives back every lease still held (a driver closing). */
  async close(): Promise<void> {
    this.stop();
    await this.beat;
    const { identity, host, pid } = this.owner;
    for (const lease of [...this.held.values()]) {
      this.held.delete(idOf(lease));
      await this.db
        .run(`DELETE FROM ${lease.table.table} WHERE ${lease.table.key} = ? AND holder = ? AND identity = ? AND host = ? AND pid = ?`, [
          lease.key,
          lease.holder,
          identity,
          host,
          pid,
        ])
        .catch(() => undefined);
    }
  }

  private stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}

function idOf(lease: Omit<HeldLease, "onLost">): string {
  return `${lease.table.table}/${lease.key}/${lease.holder}`;
}

/** Takes and gives back the leases of one table, renewed by the driver's {@link LeaseKeeper}. */
class Leases {
  constructor(
    protected readonly db: SqlDatabase,
    /** The driver's heartbeat, shared by its stack and operation leases. */
    readonly keeper: LeaseKeeper,
    private readonly table: LeaseTable,
  ) {}

  /**
   * Takes the lease of `key` for `holder` in this process. Resolves the previous holder when it was taken
   * over (expired, or its process gone), else undefined. Throws the table's locked error while a live
   * driver holds it, unless `inherits` says this one may take it.
   */
  protected async take(
    key: string,
    holder: string,
    onLost?: () => void,
    inherits?: (db: SqlDatabase, previous: LeaseHolder) => Promise<boolean>,
  ): Promise<LeaseHolder | undefined> {
    const me = this.keeper.owner;
    const { table, key: column, locked } = this.table;
    const previous = await this.db.transaction(async (tx) => {
      const [{ now_ms }] = await tx.all(`SELECT ${tx.nowMs} AS now_ms`);
      const nowMs = Number(now_ms);
      const values = [holder, me.identity, me.host, me.pid, new Date(nowMs).toISOString(), nowMs, nowMs + this.keeper.ttlMs];
      const [row] = await tx.all(
        `SELECT holder, identity, host, pid, heartbeat_ms, expires_ms FROM ${table} WHERE ${column} = ?${tx.forUpdate}`,
        [key],
      );
      if (row === undefined) {
        const inserted = await tx.run(
          `INSERT INTO ${table} (${column}, holder, identity, host, pid, acquired_at, heartbeat_ms, expires_ms) ` +
            `VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (${column}) DO NOTHING`,
          [key, ...values],
        );
        // Another driver inserted it since the read (PostgreSQL; SQLite's write transactions do not interleave).
        if (inserted === 0) throw locked(key, undefined, nowMs);
        return undefined;
      }
      const found = holderOf(row);
      const why = takeover(
        found,
        { identity: (row.identity as string | null) ?? null, expiresMs: numberOrNone(row.expires_ms) },
        me,
        holder,
        nowMs,
      );
      if (why === undefined && !(await inherits?.(tx, found))) throw locked(key, found, nowMs);
      await tx.run(
        `UPDATE ${table} SET holder = ?, identity = ?, host = ?, pid = ?, acquired_at = ?, heartbeat_ms = ?, expires_ms = ? WHERE ${column} = ?`,
        [...values, key],
      );
      return why === "mine" ? undefined : found;
    });
    this.keeper.hold({ table: this.table, key, holder, onLost });
    return previous;
  }

  /** Whether this driver holds the lease of `key` for `holder` (nothing is read). */
  protected held(key: string, holder: string): boolean {
    return this.keeper.holds({ table: this.table, key, holder });
  }

  /** Gives a lease back (only if `holder` in this process still holds it); its heartbeat stops. */
  protected async give(key: string, holder: string): Promise<void> {
    const { identity, host, pid } = this.keeper.owner;
    this.keeper.drop({ table: this.table, key, holder });
    await this.db.run(
      `DELETE FROM ${this.table.table} WHERE ${this.table.key} = ? AND holder = ? AND identity = ? AND host = ? AND pid = ?`,
      [key, holder, identity, host, pid],
    );
  }

  /** Every held lease, by key. */
  protected async rows(): Promise<(LeaseHolder & { key: string })[]> {
    const { table, key } = this.table;
    const rows = await this.db.all(
      `SELECT ${key} AS lease_key, holder, identity, host, pid, heartbeat_ms, expires_ms FROM ${table} ORDER BY ${key}`,
    );
    return rows.map((r) => ({ key: r.lease_key as string, ...holderOf(r) }));
  }
}

const STACK_LEASES: LeaseTable = {
  table: "stack_leases",
  key: "stack",
  locked: (stack, holder, nowMs) =>
    new StackLockedError(
      stack,
      holder === undefined
        ? driverOf(holder, nowMs)
        : holder.expiresAt === undefined
          ? `operation ${holder.holder} (${driverOf(holder, nowMs)})`
          : `operation ${holder.holder} of ${driverOf(holder, nowMs)}`,
    ),
};
const OPERATION_LEASES: LeaseTable = {
  table: "operation_leases",
  key: "operation_id",
  locked: (operation, holder, nowMs) => new OperationLockedError(operation, driverOf(holder, nowMs)),
};

/** The refusal of a write of operation `id`, whose lease another driver took over. */
function lostOperation(id: string): OperationLockedError {
  return new OperationLockedError(
    id,
    "another driver, which took its lease over when this driver's heartbeat was late past its time to live",
  );
}

/** Takes and gives back stack leases: one operation at a time per stack. */
export class StackLeases extends Leases {
  /** `keeper`: the driver's heartbeat (default: one of its own, with the default settings). */
  constructor(db: SqlDatabase, keeper: LeaseKeeper = new LeaseKeeper(db)) {
    super(db, keeper, STACK_LEASES);
  }

  /**
   * Takes the lease of `stack` for operation `holder` in this process. Resolves the previous holder
   * when it was taken over from a dead driver (the stack may then need recovery), else undefined.
   * Throws StackLockedError while a live driver holds it, unless it holds it for the same operation and
   * this driver holds that operation's lease now: then that driver lost the operation (its lease
   * expired) and its stack leases go with it. `onLost` is called if a heartbeat finds the lease taken over.
   */
  async acquire(stack: string, holder: string, onLost?: () => void): Promise<LeaseHolder | undefined> {
    const { identity, host, pid } = this.keeper.owner;
    return this.take(stack, holder, onLost, async (db, previous) => {
      if (previous.holder !== holder) return false;
      const owned = await db.all(
        "SELECT holder FROM operation_leases WHERE operation_id = ? AND holder = ? AND identity = ? AND host = ? AND pid = ?",
        [holder, holder, identity, host, pid],
      );
      return owned.length > 0;
    });
  }

  /** Gives a lease back (only if `holder` in this process still holds it). */
  async release(stack: string, holder: string): Promise<void> {
    await this.give(stack, holder);
  }

  /** Every held lease. */
  async list(): Promise<(LeaseHolder & { stack: string })[]> {
    return (await this.rows()).map(({ key, ...holder }) => ({ stack: key, ...holder }));
  }
}

/**
 * Takes and gives back operation leases: one driver at a time runs an operation. A driver that resumes an
 * operation another driver holds is refused (OperationLockedError) until that driver's lease expires.
 */
export class OperationLeases extends Leases {
  constructor(db: SqlDatabase, keeper: LeaseKeeper = new LeaseKeeper(db)) {
    super(db, keeper, OPERATION_LEASES);
  }

  /** Takes the lease of operation `id`; resolves the previous holder when taken over from a driver whose lease expired. */
  async acquire(id: string): Promise<LeaseHolder | undefined> {
    return this.take(id, id);
  }

  /** Gives it back (only if this process holds it). */
  async release(id: string): Promise<void> {
    await this.give(id, id);
  }

  /** Whether this driver holds the lease of operation `id` (nothing is read). */
  holds(id: string): boolean {
    return this.held(id, id);
  }

  /**
   * Throws OperationLockedError when a heartbeat found the lease of operation `id` taken over: another
   * driver runs it now, and this one must not write its journal (nothing is read).
   */
  assertNotLost(id: string): void {
    if (this.keeper.lostIt({ table: OPERATION_LEASES, key: id, holder: id })) throw lostOperation(id);
  }

  /**
   * Throws OperationLockedError unless this driver holds the lease of operation `id` now, read in the
   * transaction `tx` (its row locked until the transaction ends, on PostgreSQL: a takeover waits for it).
   */
  async assertHeld(tx: SqlDatabase, id: string): Promise<void> {
    const { identity, host, pid } = this.keeper.owner;
    const rows = await tx.all(
      `SELECT holder FROM operation_leases WHERE operation_id = ? AND holder = ? AND identity = ? AND host = ? AND pid = ?${tx.forUpdate}`,
      [id, id, identity, host, pid],
    );
    if (rows.length > 0) return;
    this.keeper.lose({ table: OPERATION_LEASES, key: id, holder: id });
    throw lostOperation(id);
  }

  /** Every held lease. */
  async list(): Promise<(LeaseHolder & { operationId: string })[]> {
    return (await this.rows()).map(({ key, ...holder }) => ({ operationId: key, ...holder }));
  }
}
