/**
 * The operation journal: every operation by id, and each of its steps with its state (the one step
 * model, `steps.ts`), in the driver's database (SQLite or PostgreSQL). A re-run of an operation id
 * resumes it: finished steps are never run again.
 */
import type { OPERATION_STATUSES } from "../../schema/driverValues";
import { OperationListQuerySchema } from "../../schema/operations";
import type { SqlDatabase } from "../db/sqlDatabase";
import { InputError } from "../errors";
import { parseInput } from "../input";
import type { OperationListQuery } from "../types";
import type { OperationLeases } from "./leases";
import type { StepRecord, StepStatus } from "./steps";

export type { StepRecord, StepStatus } from "./steps";

/** How many of an operation's latest progress events the journal keeps. */
export const EVENTS_KEPT = 200;

/** States of an operation. */
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

/** A journaled operation. */
export interface OperationRecord {
  /** Its id, chosen by the caller or generated. */
  readonly id: string;
  /** What it does (`fleet-upgrade`, `up`, ...). */
  readonly kind: string;
  /** Its parameters, as given at its first run. */
  readonly params: Record<string, unknown>;
  /** Its state. */
  readonly status: OperationStatus;
  /** Its result once finished. */
  readonly result?: unknown;
  /** When it was first started and last changed (ISO 8601). */
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** An operation as a listing shows it: what it is and where it stands, not its parameters or result. */
export type OperationSummary = Pick<OperationRecord, "id" | "kind" | "status" | "createdAt" | "updatedAt">;

const now = () => new Date().toISOString();
const parse = (text: unknown) => (typeof text === "string" ? (JSON.parse(text) as unknown) : undefined);

/** Reads and writes operations and their steps. */
export class OperationJournal {
  /**
   * `leases`: the operation leases {@link begin} takes (the caller gives each back when its operation
   * ends, `OperationLeases.release`); every write of a leased operation's steps or result checks, in
   * its transaction, that this driver still holds the lease, else it is refused with OperationLockedError.
   * @default - none: operations are not leased (a journal inside a transaction, a journal of tests)
   */
  constructor(
    private readonly db: SqlDatabase,
    private readonly leases?: OperationLeases,
  ) {}

  /**
   * Starts operation `id`, or resumes it when the journal holds it: then `kind` and `params` must be
   * those it was started with (a resumed operation does what it set out to do). First takes the
   * operation's lease: an OperationLockedError while another live driver runs it; taken over from a
   * driver whose lease expired.
   */
  async begin(id: string, kind: string, params: Record<string, unknown>): Promise<{ operation: OperationRecord; resumed: boolean }> {
    const heldAlready = this.leases?.holds(id) ?? true;
    await this.leases?.acquire(id);
    try {
      return await this.record(id, kind, params);
    } catch (error) {
      if (!heldAlready) await this.leases?.release(id).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Runs a write of operation `id` fenced by its lease: refused with OperationLockedError once a
   * heartbeat found the lease taken over; while this driver holds it, in one transaction that first
   * checks (and on PostgreSQL locks) the lease's row, so that no write lands after another driver took
   * the operation over. An operation this driver never leased (no `begin`) is written as it is.
   */
  private async fenced(id: string, write: (journal: OperationJournal) => Promise<void>): Promise<void> {
    const leases = this.leases!;
    leases.assertNotLost(id);
    if (!leases.holds(id)) return write(new OperationJournal(this.db));
    return this.db.transaction(async (tx) => {
      await leases.assertHeld(tx, id);
      await write(new OperationJournal(tx));
    });
  }

  /** {@link begin}'s record of the operation, in one transaction. */
  private async record(
    id: string,
    kind: string,
    params: Record<string, unknown>,
  ): Promise<{ operation: OperationRecord; resumed: boolean }> {
    return this.db.transaction(async (tx) => {
      const journal = new OperationJournal(tx);
      const existing = await journal.get(id);
      if (existing) {
        if (existing.kind !== kind || JSON.stringify(existing.params) !== JSON.stringify(params)) {
          throw new InputError("operation", [
            `\`operationId\` "${id}" is a ${existing.kind} started with other parameters (${JSON.stringify(existing.params)}); use a new id`,
          ]);
        }
        // A cancel asked of an earlier run is not this run's.
        await tx.run("UPDATE operations SET status = 'running', updated_at = ?, cancel_requested_at = NULL WHERE id = ?", [now(), id]);
        return { operation: { ...existing, status: "running" }, resumed: true };
      }
      const time = now();
      await tx.run("INSERT INTO operations (id, kind, params, status, created_at, updated_at) VALUES (?, ?, ?, 'running', ?, ?)", [
        id,
        kind,
        JSON.stringify(params),
        time,
        time,
      ]);
      return { operation: { id, kind, params, status: "running", createdAt: time, updatedAt: time }, resumed: false };
    });
  }

  /**
   * Asks whichever driver runs operation `id` to cancel it, through the journal: an HTTP API replica
   * other than the one that runs it records the request, the one that runs it reads it
   * ({@link cancelRequested}). False when the operation is not running.
   */
  async requestCancel(id: string): Promise<boolean> {
    return (await this.db.run("UPDATE operations SET cancel_requested_at = ? WHERE id = ? AND status = 'running'", [now(), id])) > 0;
  }

  /** Which of the running operations `ids` have a cancel request ({@link requestCancel}). */
  async cancelRequested(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.all(
      `SELECT id FROM operations WHERE status = 'running' AND cancel_requested_at IS NOT NULL AND id IN (${ids.map(() => "?").join(", ")})`,
      ids,
    );
    return rows.map((row) => row.id as string);
  }

  /**
   * Records a progress event of operation `id` (an HTTP API replica records those of the operations it
   * runs, so that every replica shows them); only the latest {@link EVENTS_KEPT} of an operation are kept.
   */
  async appendEvent(id: string, event: unknown): Promise<void> {
    await this.db.transaction(async (tx) => {
      // One driver runs an operation (its lease), and writes its events in order: no two writers of one operation.
      const [row] = await tx.all("SELECT COALESCE(MAX(seq), 0) AS seq FROM operation_events WHERE operation_id = ?", [id]);
      const seq = Number(row.seq) + 1;
      await tx.run("INSERT INTO operation_events (operation_id, seq, event, at) VALUES (?, ?, ?, ?)", [
        id,
        seq,
        JSON.stringify(event),
        now(),
      ]);
      if (seq > EVENTS_KEPT) await tx.run("DELETE FROM operation_events WHERE operation_id = ? AND seq <= ?", [id, seq - EVENTS_KEPT]);
    });
  }

  /** The recorded progress events of operation `id` ({@link appendEvent}), oldest first. */
  async events(id: string): Promise<unknown[]> {
    const rows = await this.db.all("SELECT event FROM operation_events WHERE operation_id = ? ORDER BY seq", [id]);
    return rows.map((row) => parse(row.event));
  }

  /** An operation, or undefined. */
  async get(id: string): Promise<OperationRecord | undefined> {
    const [row] = await this.db.all("SELECT * FROM operations WHERE id = ?", [id]);
    if (row === undefined) return undefined;
    return {
      id: row.id as string,
      kind: row.kind as string,
      params: parse(row.params) as Record<string, unknown>,
      status: row.status as OperationStatus,
      result: parse(row.result),
      createdAt: row.created_at as string,
      updatedAt: row.updated_at as string,
    };
  }

  /** The steps of an operation, in the order they were first started. */
  async steps(id: string): Promise<StepRecord[]> {
    const rows = await this.db.all("SELECT * FROM operation_steps WHERE operation_id = ? ORDER BY started_at, step", [id]);
    return rows.map((row) => ({
      step: row.step as string,
      status: row.status as StepStatus,
      detail: parse(row.detail),
      attempts: Number(row.attempts),
      updatedAt: row.updated_at as string,
    }));
  }

  /** The state of one step, or undefined when it has not started. */
  async step(id: string, step: string): Promise<StepRecord | undefined> {
    return (await this.steps(id)).find((s) => s.step === step);
  }

  /**
   * Records where a step stands in its attempt numbered `attempt` (1 for its first start; the step
   * runner numbers them, `runStep.ts`), `detail` replacing the step's detail. A step's first record
   * starts it: its place in {@link steps} is when it first started.
   */
  async recordStep(id: string, step: string, status: StepStatus, detail: unknown, attempt: number): Promise<void> {
    if (this.leases) return this.fenced(id, (journal) => journal.recordStep(id, step, status, detail, attempt));
    const json = detail === undefined ? null : JSON.stringify(detail);
    const changed = await this.db.run(
      "UPDATE operation_steps SET status = ?, detail = ?, attempts = ?, updated_at = ? WHERE operation_id = ? AND step = ?",
      [status, json, attempt, now(), id, step],
    );
    if (changed === 0) {
      await this.db.run(
        "INSERT INTO operation_steps (operation_id, step, status, detail, attempts, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [id, step, status, json, attempt, now(), now()],
      );
    }
  }

  /** Records how an operation ended. */
  async finish(id: string, status: Exclude<OperationStatus, "running">, result: unknown): Promise<void> {
    if (this.leases) return this.fenced(id, (journal) => journal.finish(id, status, result));
    await this.db.run("UPDATE operations SET status = ?, result = ?, updated_at = ? WHERE id = ?", [
      status,
      JSON.stringify(result),
      now(),
      id,
    ]);
  }

  /**
   * The most recent operations, newest first: at most `query.limit` (default 50), only those of
   * `query.status` and `query.kind` when given (checked: an InputError names a bad one).
   */
  async list(query: OperationListQuery = {}): Promise<OperationSummary[]> {
    const { status, kind, limit = 50 } = parseInput(OperationListQuerySchema, query, "operation listing");
    const where = [...(status !== undefined ? ["status = ?"] : []), ...(kind !== undefined ? ["kind = ?"] : [])];
    const rows = await this.db.all(
      `SELECT id, kind, status, created_at, updated_at FROM operations${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""} ` +
        "ORDER BY created_at DESC, id LIMIT ?",
      [...(status !== undefined ? [status] : []), ...(kind !== undefined ? [kind] : []), limit],
    );
    return rows.map((row) => ({
      id: row.id as string,
      kind: row.kind as string,
      status: row.status as OperationStatus,
      createdAt: row.created_at as string,
      updatedAt: row.updated_at as string,
    }));
  }
}
