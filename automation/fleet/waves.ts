/** The waves of a fleet rollout: a canary wave first, then waves of a fixed size. */

/** How a fleet is split into waves. */
export interface WaveOptions {
  /**
   * Stacks in the canary wave.
   * @default 1
   */
  readonly canary?: number;
  /**
   * Stacks in each later wave.
   * @default 5
   */
  readonly waveSize?: number;
}

/** Splits `items` into waves, keeping their order. */
export function planWaves<T>(items: readonly T[], options: WaveOptions = {}): T[][] {
  const canary = options.canary ?? 1;
  const size = options.waveSize ?? 5;
  if (!Number.isInteger(canary) || canary < 0) throw new RangeError(`canary must be an integer of at least 0 (got ${canary})`);
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`waveSize must be an integer of at least 1 (got ${size})`);
  const waves: T[][] = canary > 0 && items.length > 0 ? [items.slice(0, canary)] : [];
  for (let i = Math.min(canary, items.length); i < items.length; i += size) waves.push(items.slice(i, i + size));
  return waves;
}

/** Runs `work` on each item with at most `limit` at once; stops starting new items once `stop()` holds. */
export async function boundedEach<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
  stop: () => boolean,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length && !stop()) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}
