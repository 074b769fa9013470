import * as assert from "node:assert/strict";
import { volumeGuardProvider } from "../../../components/volumeGuard";

const postgres = (storageGi: number, storageClass = "") => ({ field: "postgres", storageGi, storageClass });

describe("VolumeGuard check", () => {
  const check = volumeGuardProvider.check!;

  it("lets a new volume through", async () => {
    assert.deepEqual((await check({}, { volume: postgres(10), allowVolumeReplacement: false })).failures, []);
  });

  it("lets an unchanged volume through", async () => {
    const inputs = { volume: postgres(10), allowVolumeReplacement: false };
    assert.deepEqual((await check(inputs, inputs)).failures, []);
  });

  it("fails a resize with the way to opt in", async () => {
    const result = await check(
      { volume: postgres(10), allowVolumeReplacement: false },
      { volume: postgres(20), allowVolumeReplacement: false },
    );
    assert.deepEqual(result.failures, [
      {
        property: "volume",
        reason:
          "`postgres.storageGi` changed from 10 to 20: StatefulSet volume claim templates are immutable, so this replaces the StatefulSet and detaches its data volume. " +
          "Nothing was changed. To keep the data, revert the setting (to grow a volume, expand its PersistentVolumeClaim in place). " +
          "To replace it anyway, back up the data and set `postgres.allowVolumeReplacement: true`.",
      },
    ]);
  });

  it("fails a storage class change too, one failure per changed setting", async () => {
    const result = await check(
      { volume: postgres(10, ""), allowVolumeReplacement: false },
      { volume: postgres(20, "gp3"), allowVolumeReplacement: false },
    );
    assert.deepEqual(
      result.failures?.map((f) => f.reason.split(":")[0]),
      ["`postgres.storageGi` changed from 10 to 20", '`postgres.storageClass` changed from "" to "gp3"'],
    );
  });

  it("lets a change through when replacement is allowed", async () => {
    const result = await check(
      { volume: postgres(10), allowVolumeReplacement: false },
      { volume: postgres(20), allowVolumeReplacement: true },
    );
    assert.deepEqual(result.failures, []);
  });
});
