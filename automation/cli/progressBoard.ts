/**
 * The CLI's live progress display on a terminal: one row per stack (its wave, status, time taken, the
 * health gate's verdict once it ran, and its latest detail: the resource step at work, or what the
 * stack's last event said), redrawn in place as events arrive and once a second while stacks are at
 * work. Other events and messages print above the board. Off a terminal the CLI prints `progressLine`s.
 */
import type { DriverEvent, StackStatus } from "../operations/events";
import { progressLine } from "./output";

/** Where the board draws: a terminal stream (`process.stderr` on a TTY). */
export interface Terminal {
  write(text: string): unknown;
  /** Width in characters; rows are cut to fit. */
  readonly columns?: number;
}

/** Statuses after which a stack's clock stops (until another status arrives). */
const RESTING: ReadonlySet<StackStatus> = new Set([
  "skipped",
  "succeeded",
  "failed",
  "cancelled",
  "healthy",
  "unhealthy",
  "rolled-back",
  "rollback-failed",
  "rollback-skipped",
]);

/** The health column a status sets; other statuses keep it. */
const HEALTH: Partial<Record<StackStatus, string>> = { "health-check": "checking", healthy: "healthy", unhealthy: "unhealthy" };

interface Row {
  wave?: number;
  status: StackStatus;
  /** The health gate's verdict once it ran (fleet upgrades). */
  health?: string;
  /** The latest detail a stack event gave. */
  said?: string;
  /** The latest resource step while the stack is at work. */
  step?: string;
  /** Resource steps seen. */
  steps: number;
  readonly since: number;
  until?: number;
}

/** What the detail column shows: a stack event's own detail, else the resource step at work, else how many ran. */
function detailOf(row: Row): string {
  if (row.step !== undefined) return row.step;
  if (row.said !== undefined) return row.said;
  return row.steps > 0 ? `${row.steps} resource step${row.steps === 1 ? "" : "s"}` : "";
}

/** A resource step as the detail column shows it: `create Deployment api`. */
function stepText(event: Extract<DriverEvent, { type: "step" }>): string {
  return `${event.op} ${event.resourceType.split(":").pop()} ${event.name}`;
}

/** A redrawn table of the stacks of a running operation. */
export class ProgressBoard {
  private readonly rows = new Map<string, Row>();
  private drawnLines = 0;
  private closed = false;
  private readonly timer: NodeJS.Timeout;

  /**
   * @param terminal where to draw
   * @param now the clock (milliseconds)
   * @param refreshMs how often running clocks are redrawn
   */
  constructor(
    private readonly terminal: Terminal,
    private readonly now: () => number = Date.now,
    refreshMs = 1000,
  ) {
    this.timer = setInterval(() => this.draw(), refreshMs);
    this.timer.unref();
  }

  /**
   * Takes one event: a stack event changes its row, a resource step becomes its row's detail while it
   * works, any other event prints its line above the board.
   */
  update(event: DriverEvent): void {
    if (event.type === "step") {
      const row = this.rows.get(event.stack);
      if (row === undefined || row.until !== undefined) return;
      row.step = stepText(event);
      row.steps++;
      this.draw();
      return;
    }
    if (event.type !== "stack") {
      const line = progressLine(event);
      if (line) this.print(line);
      return;
    }
    const row = this.rows.get(event.stack);
    const now = this.now();
    const detail = event.detail?.split("\n")[0];
    this.rows.set(event.stack, {
      wave: event.wave ?? row?.wave,
      status: event.status,
      health: HEALTH[event.status] ?? row?.health,
      // A new step of the operation (a restarted stack, a rollback) starts its detail afresh.
      said: detail ?? (event.status === "started" ? undefined : row?.said),
      step: undefined,
      steps: event.status === "started" ? 0 : (row?.steps ?? 0),
      since: row?.since ?? now,
      until: RESTING.has(event.status) ? now : undefined,
    });
    this.draw();
  }

  /** Prints a message above the board (or alone, once the board is closed). */
  print(text: string): void {
    if (this.closed) this.terminal.write(`${text}\n`);
    else this.draw(text);
  }

  /** Draws the last frame and stops redrawing; the board stays on screen above what follows. */
  close(): void {
    if (this.closed) return;
    clearInterval(this.timer);
    this.draw();
    this.closed = true;
  }

  private draw(above?: string): void {
    if (this.closed || (above === undefined && this.rows.size === 0)) return;
    const width = (this.terminal.columns ?? 120) - 1;
    const rows = [...this.rows];
    const nameWidth = Math.max(...rows.map(([name]) => name.length));
    // The health column only once a health gate ran (fleet upgrades).
    const healthWidth = Math.max(0, ...rows.map(([, row]) => (row.health === undefined ? 0 : row.health.length + 2)));
    const lines = rows.map(([stack, row]) => {
      const wave = row.wave === undefined ? "" : `${row.wave === 0 ? "canary" : `wave ${row.wave}`}`.padEnd(8);
      const took = `${Math.round(((row.until ?? this.now()) - row.since) / 1000)}s`.padStart(5);
      const health = healthWidth === 0 ? "" : `  ${(row.health ?? "").padEnd(healthWidth - 2)}`;
      const detail = detailOf(row);
      return `${wave}${stack.padEnd(nameWidth)}  ${row.status.padEnd(16)}${took}${health}${detail ? `  ${detail}` : ""}`
        .trimEnd()
        .slice(0, width);
    });
    // Back to the first line of the last frame, and clear from there down.
    const erase = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F\x1b[J` : "";
    this.terminal.write(`${erase}${above === undefined ? "" : `${above}\n`}${lines.map((line) => `${line}\n`).join("")}`);
    this.drawnLines = lines.length;
  }
}
