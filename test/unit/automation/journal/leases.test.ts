/**
 * The one rule of a takeover (`journal/leases.ts`), as a table: which lease a driver may take, and that
 * a pid is probed only for a lease of the driver's own identity on its own host.
 */
import * as assert from "node:assert/strict";
import { type LeaseHolder, takeover } from "../../../../automation/journal/leases";

const NOW = 1_800_000_000_000;
const me = { identity: "host-b", host: "vm-1", pid: 200 };
const lease = (identity: string | null, pid: number, expiresMs: number | undefined, host = "vm-1", holder = "op-1") => ({
  previous: { holder, identity: identity ?? host, host, pid } satisfies LeaseHolder,
  raw: { identity, expiresMs },
});

describe("a lease takeover", () => {
  const cases: [
    title: string,
    lease: ReturnType<typeof lease>,
    holder: string,
    dead: boolean,
    verdict: string | undefined,
    probed: number[],
  ][] = [
    ["this process's own lease for the same operation", lease("host-b", 200, NOW + 5000, "vm-1", "op-2"), "op-2", false, "mine", []],
    ["an expired lease of another identity", lease("host-a", 100, NOW - 1), "op-2", false, "expired", []],
    ["a lease expiring this very millisecond", lease("host-a", 100, NOW), "op-2", false, "expired", []],
    ["a live lease of another identity on this host, its pid gone", lease("host-a", 100, NOW + 5000), "op-2", true, undefined, []],
    ["a live lease of this identity on this host, its pid gone", lease("host-b", 100, NOW + 5000), "op-2", true, "dead", [100]],
    ["a live lease of this identity on this host, its pid running", lease("host-b", 100, NOW + 5000), "op-2", false, undefined, [100]],
    ["a live lease of this identity on another host", lease("host-b", 100, NOW + 5000, "vm-2"), "op-2", true, undefined, []],
    ["this process's lease for another operation", lease("host-b", 200, NOW + 5000), "op-2", true, undefined, []],
    ["a lease of an earlier version on this host, its pid gone", lease(null, 100, undefined), "op-2", true, "dead", [100]],
    ["a lease of an earlier version on another host", lease(null, 100, undefined, "vm-2"), "op-2", true, undefined, []],
  ];
  for (const [title, { previous, raw }, holder, dead, verdict, probed] of cases) {
    it(`${verdict ?? "refuses"}: ${title}`, () => {
      const asked: number[] = [];
      const isAlive = (pid: number) => {
        asked.push(pid);
        return !dead;
      };
      assert.equal(takeover(previous, raw, me, holder, NOW, isAlive), verdict);
      assert.deepEqual(asked, probed, "the pids probed");
    });
  }
});
