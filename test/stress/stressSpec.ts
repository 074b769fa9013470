/** The spec of the engine-kill stress test's program (`killProgram.ts`): what a stack holds at one generation. */
import * as path from "node:path";

/** One object of the spec. */
export interface StressItem {
  /** The Pulumi resource name, and the item label's value. */
  readonly item: string;
  readonly kind: "ConfigMap" | "Secret";
  /** The object's name; none: the provider names it (`<item>-<random>`). */
  readonly name?: string;
  readonly data: Readonly<Record<string, string>>;
}

/** What a stack holds at one generation. */
export interface StressSpec {
  readonly run: string;
  readonly namespace: string;
  readonly generation: number;
  readonly items: readonly StressItem[];
}

/** The labels the test finds objects by. */
export const RUN_LABEL = "stress.tenantstack.dev/run";
export const ITEM_LABEL = "stress.tenantstack.dev/item";

/** The spec file of a stack. */
export function specFile(dir: string, stack: string): string {
  return path.join(dir, `${stack}.json`);
}

/** The items a stack may hold: named and auto-named ConfigMaps and Secrets, and one renamed every third generation (a replacement). */
const POOL: readonly Omit<StressItem, "data">[] = [
  { item: "cfg-a", kind: "ConfigMap", name: "cfg-a" },
  { item: "cfg-b", kind: "ConfigMap", name: "cfg-b" },
  { item: "cfg-c", kind: "ConfigMap", name: "cfg-c" },
  { item: "auto-a", kind: "ConfigMap" },
  { item: "auto-b", kind: "ConfigMap" },
  { item: "sec-a", kind: "Secret", name: "sec-a" },
  { item: "sec-b", kind: "Secret" },
  { item: "rep", kind: "ConfigMap", name: "rep" },
];

/**
 * The spec of generation `generation`: every item of the pool but one left out at random (so an
 * update deletes one and creates another), about half of the items' data changed, and `rep` renamed
 * every third generation (replaced).
 */
export function nextSpec(previous: StressSpec, random: () => number): StressSpec {
  const generation = previous.generation + 1;
  const absent = POOL[Math.floor(random() * POOL.length)].item;
  const items = POOL.filter((item) => item.item !== absent).map((item) => {
    const before = previous.items.find((p) => p.item === item.item)?.data.value;
    const value = before === undefined || random() < 0.5 ? `g${generation}` : before;
    const name = item.item === "rep" ? `rep-${Math.floor(generation / 3)}` : item.name;
    return { ...item, ...(name ? { name } : {}), data: { value, generation: item.item === "cfg-a" ? String(generation) : "0" } };
  });
  return { ...previous, generation, items };
}
