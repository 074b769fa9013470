/** The waves of a fleet rollout: a canary wave first, then waves of a fixed size. */
import { WaveOptionsSchema } from "../../schema/operations";
import { parseInput } from "../input";

/** How a fleet is split into waves. */
export interface WaveOptions {
  /**
   * Stacks in the canary wave, an integer from 0 to 1000.
   * @default 1
   */
  readonly canary?: number;
  /**
   * Stacks in each later wave, an integer from 1 to 1000.
   * @default 5
   */
  readonly waveSize?: number;
}

/** Splits `items` into waves, keeping their order; bad options are an InputError naming them. */
export function planWaves<T>(items: readonly T[], options: WaveOptions = {}): T[][] {
  const checked = parseInput(WaveOptionsSchema, options, "wave options");
  const canary = checked.canary ?? 1;
  const size = checked.waveSize ?? 5;
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
