/**
 * Per-stack leases in the driver's database: one operation at a time per stack, across drivers that
 * share the database. A lease whose holder process is gone (same host, pid dead) is taken over.
 */
import * as os from "node:os";
import type { SqlDatabase } from "../db/sqlDatabase";
import { StackLockedError } from "../errors";

/** Who holds a lease. */
export interface LeaseHolder {
  /** The operation id. */
  readonly holder: string;
  /** Host and pid of the driver process. */
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

/** Takes and gives back stack leases. */
export class StackLeases {
  constructor(private readonly db: SqlDatabase) {}

  /**
   * Takes the lease of `stack` for operation `holder` in this process. Resolves the previous holder
   * when it was taken over from a dead driver (the stack may then need recovery), else undefined.
   * Throws StackLockedError while a live driver holds it.
   */
  async acquire(stack: string, holder: string): Promise<LeaseHolder | undefined> {
    const me: LeaseHolder = { holder, host: os.hostname(), pid: process.pid };
    return this.db.transaction(async (tx) => {
      const [row] = await tx.all("SELECT holder, host, pid FROM stack_leases WHERE stack = ?", [stack]);
      const previous = row ? { holder: row.holder as string, host: row.host as string, pid: Number(row.pid) } : undefined;
      if (
        previous &&
        (previous.host !== me.host || alive(previous.pid)) &&
        !(previous.pid === me.pid && previous.host === me.host && previous.holder === holder)
      ) {
        throw new StackLockedError(stack, `operation ${previous.holder} (pid ${previous.pid} on ${previous.host})`);
      }
      await tx.run("DELETE FROM stack_leases WHERE stack = ?", [stack]);
      await tx.run("INSERT INTO stack_leases (stack, holder, host, pid, acquired_at) VALUES (?, ?, ?, ?, ?)", [
        stack,
        holder,
        me.host,
        me.pid,
        new Date().toISOString(),
      ]);
      return previous && previous.pid !== me.pid ? previous : undefined;
    });
  }

  /** Gives a lease back (only if `holder` in this process still holds it). */
  async release(stack: string, holder: string): Promise<void> {
    await this.db.run("DELETE FROM stack_leases WHERE stack = ? AND holder = ? AND pid = ?", [stack, holder, process.pid]);
  }

  /** Every held lease. */
  async list(): Promise<(LeaseHolder & { stack: string })[]> {
    const rows = await this.db.all("SELECT stack, holder, host, pid FROM stack_leases ORDER BY stack");
    return rows.map((r) => ({ stack: r.stack as string, holder: r.holder as string, host: r.host as string, pid: Number(r.pid) }));
  }
}
