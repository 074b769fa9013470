/**
 * The CLI's live progress display on a terminal: one row per stack (its wave, status, time taken
 * and latest detail), redrawn in place as events arrive and once a second while stacks are at work.
 * Other events and messages print above the board. Off a terminal the CLI prints `progressLine`s.
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
const RESTING: ReadonlySet<StackStatus> = new Set(["skipped", "succeeded", "failed", "healthy", "rolled-back", "rollback-failed"]);

interface Row {
  wave?: number;
  status: StackStatus;
  detail?: string;
  readonly since: number;
  until?: number;
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

  /** Takes one event: a stack event changes its row, any other event prints its line above the board. */
  update(event: DriverEvent): void {
    if (event.type !== "stack") {
      const line = progressLine(event);
      if (line) this.print(line);
      return;
    }
    const row = this.rows.get(event.stack);
    const now = this.now();
    this.rows.set(event.stack, {
      wave: event.wave ?? row?.wave,
      status: event.status,
      detail: event.detail?.split("\n")[0],
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
    const nameWidth = Math.max(...[...this.rows.keys()].map((name) => name.length));
    const lines = [...this.rows].map(([stack, row]) => {
      const wave = row.wave === undefined ? "" : `${row.wave === 0 ? "canary" : `wave ${row.wave}`}`.padEnd(8);
      const took = `${Math.round(((row.until ?? this.now()) - row.since) / 1000)}s`.padStart(5);
      const detail = row.detail ? `  ${row.detail}` : "";
      return `${wave}${stack.padEnd(nameWidth)}  ${row.status.padEnd(15)}${took}${detail}`.slice(0, width);
    });
    // Back to the first line of the last frame, and clear from there down.
    const erase = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F\x1b[J` : "";
    this.terminal.write(`${erase}${above === undefined ? "" : `${above}\n`}${lines.map((line) => `${line}\n`).join("")}`);
    this.drawnLines = lines.length;
  }
}
