import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { openDatabase } from "../../../automation/db/sqlDatabase";
import { databaseContract } from "./databaseSuite";

describe("SQLite database", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tenantstack-db-"));
  let n = 0;
  after(() => rmSync(dir, { recursive: true, force: true }));
  databaseContract(() => openDatabase(path.join(dir, `db-${n++}.sqlite`)));
});
