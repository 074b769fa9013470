/** Whether a stack was deployed before a time, read from its update history (newest first). */
import * as assert from "node:assert/strict";
import { deployedBefore, type HistoryEntry, stackDeployedBefore } from "../../../automation/operations/earlierDeployment";
import type { Stack } from "@pulumi/pulumi/automation";

const cutoff = new Date("2026-12-01T12:00:00Z");
const at = (time: string, kind: HistoryEntry["kind"], result: HistoryEntry["result"]): HistoryEntry => ({
  startTime: new Date(`2026-12-01T${time}Z`),
  kind,
  result,
});

describe("a stack's deployment before a time", () => {
  const cases: [string, HistoryEntry[], boolean][] = [
    ["no history at all (a stack the failed upgrade created)", [], false],
    ["only the failed upgrade's own update", [at("12:00:05", "update", "failed")], false],
    [
      "the upgrade's update succeeded, nothing before (a first deployment by the upgrade itself)",
      [at("12:00:05", "update", "succeeded")],
      false,
    ],
    ["a succeeded update before", [at("12:00:05", "update", "failed"), at("11:00:00", "update", "succeeded")], true],
    [
      "failed updates and refreshes before, over a succeeded one",
      [at("11:30:00", "refresh", "succeeded"), at("11:20:00", "update", "failed"), at("10:00:00", "update", "succeeded")],
      true,
    ],
    ["an import before", [at("11:00:00", "import", "succeeded")], true],
    ["destroyed since its last update", [at("11:30:00", "destroy", "succeeded"), at("10:00:00", "update", "succeeded")], false],
    [
      "deployed again after a destroy",
      [at("11:40:00", "update", "succeeded"), at("11:30:00", "destroy", "succeeded"), at("10:00:00", "update", "succeeded")],
      true,
    ],
    ["only previews and refreshes before", [at("11:00:00", "preview", "succeeded"), at("10:00:00", "refresh", "succeeded")], false],
    ["an update still running before (a killed engine)", [at("11:00:00", "update", "in-progress")], false],
  ];
  for (const [title, history, expected] of cases) it(title, () => assert.equal(deployedBefore(history, cutoff), expected));

  it("pages through the history, never asking for secrets, until an entry decides", async () => {
    const older = [...Array.from({ length: 50 }, () => at("11:59:00", "refresh", "succeeded"))];
    const pages = [older, [at("09:00:00", "update", "succeeded")]];
    const asked: unknown[][] = [];
    const stack = {
      history: async (...args: unknown[]) => {
        asked.push(args);
        return pages[(args[1] as number) - 1] ?? [];
      },
    } as unknown as Stack;
    assert.equal(await stackDeployedBefore(stack, cutoff), true);
    assert.deepEqual(asked, [
      [50, 1, false],
      [50, 2, false],
    ]);
    pages[1] = [at("09:00:00", "update", "failed")];
    assert.equal(await stackDeployedBefore(stack, cutoff), false, "the history ends undecided: never deployed");
  });
});
