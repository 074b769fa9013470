/** A bound on jobs at once, shared by the executors: a job waits for a slot, and a finishing one hands its slot to the next. */
export class Slots {
  private readonly waiting: (() => void)[] = [];
  private active = 0;

  constructor(private readonly size: number) {}

  /** Waits for a free slot. */
  async take(): Promise<void> {
    if (this.active < this.size) {
      this.active++;
      return;
    }
    // A finishing job hands its slot over.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Frees a slot, or hands it to the next waiting job. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
