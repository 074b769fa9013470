import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as assert from "node:assert/strict";
import { openDatabase } from "../../../automation/db/sqlDatabase";
import { StackLockedError } from "../../../automation/errors";
import { StackLeases } from "../../../automation/journal/leases";
import { databaseContract } from "./databaseSuite";

describe("SQLite database", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tenantstack-db-"));
  let n = 0;
  after(() => rmSync(dir, { recursive: true, force: true }));
  databaseContract(() => openDatabase(path.join(dir, `db-${n++}.sqlite`)));
});

describe("SQLite shared by two drivers of one process", () => {
  it("gives a stack's lease to one of them at once, without blocking on the file lock", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "tenantstack-db-"));
    const [one, two] = [await openDatabase(path.join(dir, "db.sqlite")), await openDatabase(path.join(dir, "db.sqlite"))];
    try {
      const started = Date.now();
      const outcomes = await Promise.allSettled([
        new StackLeases(one).acquire("dev-a", "op-1"),
        new StackLeases(two).acquire("dev-a", "op-2"),
      ]);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ["fulfilled", "rejected"],
      );
      assert.ok((outcomes[1] as PromiseRejectedResult).reason instanceof StackLockedError);
      assert.ok(Date.now() - started < 5000, "no wait for the busy timeout (10 s)");
    } finally {
      await one.close();
      await two.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
