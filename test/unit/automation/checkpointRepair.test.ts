/**
 * The repair of a stack's files in a file backend, on the layout the engine (Pulumi 3.259.0, gocloud.dev
 * fileblob) writes, made of real files in a temporary directory: each file with its `.attrs` sidecar,
 * the checkpoint's `.bak`, the history's and the backups' checkpoints, a lock.
 */
import * as assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { writeFileAtomic } from "../../../automation/atomicFile";
import {
  checkpointCopies,
  lockFiles,
  repairCheckpoint,
  stackBackendFiles,
  type StackBackendFiles,
} from "../../../automation/checkpointRepair";
import { CheckpointUnreadableError, fromWire, toWire } from "../../../automation/errors";

const STACK = "dev-acme";
/** A checkpoint as the engine writes it, with one resource per name. */
const checkpoint = (...names: string[]) =>
  JSON.stringify({
    version: 3,
    checkpoint: {
      stack: `organization/tenantstack/${STACK}`,
      latest: {
        manifest: { time: "2026-12-02T11:13:14Z", magic: "m", version: "v3.259.0" },
        secrets_providers: { type: "passphrase", state: { salt: "v1:salt" } },
        resources: names.map((name) => ({ urn: `urn:pulumi:${STACK}::tenantstack::kubernetes:core/v1:ConfigMap::${name}`, custom: true })),
      },
    },
  });
const SIDECAR =
  '{"user.cache_control":"","user.content_type":"text/plain; charset=utf-8","user.metadata":null,"md5":"DtWY4I9hlMUt8StkZxNz0g=="}\n';

/** Writes a blob the way fileblob leaves it: the file and its sidecar, `seconds` ago. */
function blob(file: string, content: string, seconds: number, sidecar = SIDECAR): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  writeFileSync(`${file}.attrs`, sidecar);
  const time = new Date(Date.now() - seconds * 1000);
  utimesSync(file, time, time);
}

describe("checkpoint repair (file backend)", () => {
  let root: string;
  let files: StackBackendFiles;
  const workDir = "/var/lib/tenantstack/stacks/dev-acme";

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), "tenantstack-backend-"));
    files = stackBackendFiles(root, "tenantstack", STACK);
    blob(path.join(root, ".pulumi/meta.yaml"), "version: 1\n", 600);
    blob(path.join(files.historyDir, `${STACK}-1764670000000000000.history.json`), '{"kind":"update"}', 400);
    blob(path.join(files.historyDir, `${STACK}-1764670000000000000.checkpoint.json`), checkpoint("a"), 400);
    blob(path.join(files.historyDir, `${STACK}-1764670100000000000.history.json`), '{"kind":"update"}', 300);
    blob(path.join(files.historyDir, `${STACK}-1764670100000000000.checkpoint.json`), checkpoint("a", "b"), 300);
    blob(path.join(files.backupsDir, `${STACK}.1764670100000000000.json`), checkpoint("a", "b"), 310);
    blob(`${files.checkpoint}.bak`, checkpoint("a", "b", "c"), 20);
    blob(files.checkpoint, checkpoint("a", "b", "c", "d"), 10);
    // Another stack's files are never touched.
    blob(path.join(path.dirname(files.checkpoint), "dev-other.json"), checkpoint("x"), 10, "");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("leaves a healthy stack as it is", () => {
    const repair = repairCheckpoint(files, workDir);
    assert.deepEqual(repair, { sidecarsRemoved: [], tempFilesRemoved: [] });
    assert.equal(readFileSync(files.checkpoint, "utf8"), checkpoint("a", "b", "c", "d"));
    assert.equal(readFileSync(`${files.checkpoint}.attrs`, "utf8"), SIDECAR);
  });

  it("removes the empty sidecar and the temporary file a kill leaves, keeping the checkpoint itself (its content was whole)", () => {
    // Killed between fileblob's os.Create of the sidecar and its write, before the rename of the new checkpoint.
    writeFileSync(`${files.checkpoint}.attrs`, "");
    const temp = `${files.checkpoint}.18b2c4d5e6f70812.tmp`;
    writeFileSync(temp, checkpoint("a", "b", "c", "d", "e"));
    const repair = repairCheckpoint(files, workDir);
    assert.deepEqual(repair, { sidecarsRemoved: [`${files.checkpoint}.attrs`], tempFilesRemoved: [temp] });
    assert.equal(readFileSync(files.checkpoint, "utf8"), checkpoint("a", "b", "c", "d"));
    assert.equal(existsSync(`${files.checkpoint}.attrs`), false);
    assert.equal(
      readFileSync(path.join(path.dirname(files.checkpoint), "dev-other.json.attrs"), "utf8"),
      "",
      "another stack's sidecar untouched",
    );
  });

  it("removes truncated sidecars of the backup, the history and a lock, and an orphaned one", () => {
    const historySidecar = path.join(files.historyDir, `${STACK}-1764670100000000000.history.json.attrs`);
    writeFileSync(`${files.checkpoint}.bak.attrs`, SIDECAR.slice(0, 50));
    writeFileSync(historySidecar, "");
    const lock = path.join(files.locksDir, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0.json");
    blob(lock, '{"pid":4242}', 5, "");
    const orphan = path.join(files.locksDir, "11111111-2222-3333-4444-555555555555.json.attrs");
    writeFileSync(orphan, SIDECAR);
    const repair = repairCheckpoint(files, workDir);
    assert.deepEqual([...repair.sidecarsRemoved].sort(), [`${files.checkpoint}.bak.attrs`, historySidecar, `${lock}.attrs`, orphan].sort());
    assert.deepEqual(lockFiles(files), [lock], "the lock itself stays, for `pulumi cancel`");
    assert.equal(readFileSync(`${files.checkpoint}.bak`, "utf8"), checkpoint("a", "b", "c"));
  });

  it("restores a truncated checkpoint from its .bak, atomically, and drops its stale sidecar", () => {
    const whole = checkpoint("a", "b", "c", "d");
    writeFileSync(files.checkpoint, whole.slice(0, whole.length / 2));
    const repair = repairCheckpoint(files, workDir);
    assert.equal(repair.restoredFrom, `${files.checkpoint}.bak`);
    assert.match(repair.unreadable ?? "", /^is not whole JSON \(.*, \d+ bytes\)$/);
    assert.equal(readFileSync(files.checkpoint, "utf8"), checkpoint("a", "b", "c"));
    assert.equal(existsSync(`${files.checkpoint}.attrs`), false);
    assert.deepEqual(
      readdirSync(path.dirname(files.checkpoint)).filter((name) => name.endsWith(".tmp")),
      [],
      "no temporary file is left",
    );
  });

  it("restores an empty checkpoint from the newest history checkpoint when the .bak is unreadable too", () => {
    writeFileSync(files.checkpoint, "");
    writeFileSync(`${files.checkpoint}.bak`, "");
    const newest = path.join(files.historyDir, `${STACK}-1764670100000000000.checkpoint.json`);
    assert.deepEqual(checkpointCopies(files).slice(0, 2), [`${files.checkpoint}.bak`, newest], "newest first");
    const repair = repairCheckpoint(files, workDir);
    assert.equal(repair.unreadable, "is empty");
    assert.equal(repair.restoredFrom, newest);
    assert.equal(readFileSync(files.checkpoint, "utf8"), checkpoint("a", "b"));
  });

  it("restores from the backups when only they are left", () => {
    writeFileSync(files.checkpoint, "{");
    rmSync(`${files.checkpoint}.bak`);
    rmSync(files.historyDir, { recursive: true });
    const repair = repairCheckpoint(files, workDir);
    assert.equal(repair.restoredFrom, path.join(files.backupsDir, `${STACK}.1764670100000000000.json`));
  });

  it("refuses a copy of another stack", () => {
    writeFileSync(files.checkpoint, "");
    writeFileSync(`${files.checkpoint}.bak`, checkpoint("a").replace(`/${STACK}"`, '/dev-other"'));
    rmSync(files.historyDir, { recursive: true });
    rmSync(files.backupsDir, { recursive: true });
    assert.throws(
      () => repairCheckpoint(files, workDir),
      (error: CheckpointUnreadableError) =>
        error.copies[0] === `${files.checkpoint}.bak is the checkpoint of another stack (organization/tenantstack/dev-other)`,
    );
  });

  it("fails with CheckpointUnreadableError naming every file examined and the import command when no copy is readable", () => {
    writeFileSync(files.checkpoint, "");
    writeFileSync(`${files.checkpoint}.bak`, "");
    for (const dir of [files.historyDir, files.backupsDir])
      for (const name of readdirSync(dir))
        if (name.endsWith(".json") && !name.includes("history")) writeFileSync(path.join(dir, name), "{");
    let thrown: unknown;
    try {
      repairCheckpoint(files, workDir);
    } catch (error) {
      thrown = error;
    }
    assert.ok(thrown instanceof CheckpointUnreadableError, String(thrown));
    assert.equal(thrown.code, "checkpoint_unreadable");
    assert.equal(thrown.copies.length, 4);
    assert.ok(
      thrown.copies.every((copy) => / (is empty|is not whole JSON .*)$/.test(copy)),
      thrown.copies.join("\n"),
    );
    assert.match(thrown.message, new RegExp(`checkpoint ${files.checkpoint} is empty`));
    assert.ok(thrown.message.includes(`${files.checkpoint}.bak is empty`));
    assert.ok(thrown.message.includes(`in ${workDir}, with PULUMI_BACKEND_URL`));
    assert.ok(thrown.message.includes(`pulumi stack import --stack ${STACK} --file <state.json>`));
    const back = fromWire(JSON.parse(JSON.stringify(toWire(thrown))));
    assert.ok(back instanceof CheckpointUnreadableError);
    assert.equal(back.message, thrown.message);
    assert.equal(readFileSync(files.checkpoint, "utf8"), "", "nothing was written");
  });

  it("says so when the backend keeps no copy at all", () => {
    writeFileSync(files.checkpoint, "");
    rmSync(`${files.checkpoint}.bak`);
    rmSync(files.historyDir, { recursive: true });
    rmSync(files.backupsDir, { recursive: true });
    assert.throws(() => repairCheckpoint(files, workDir), /and the backend keeps no readable copy of it; copies examined: none exists\n/);
  });
});

describe("atomic file writes", () => {
  it("replaces a file's content whole, with the mode asked, leaving no temporary file", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "tenantstack-atomic-"));
    try {
      const file = path.join(dir, "state.json");
      writeFileSync(file, "old");
      writeFileAtomic(file, "new content", 0o640);
      assert.equal(readFileSync(file, "utf8"), "new content");
      assert.deepEqual(readdirSync(dir), ["state.json"]);
      writeFileAtomic(path.join(dir, "fresh.json"), Buffer.from("x"), 0o640);
      assert.equal(statSync(path.join(dir, "fresh.json")).mode & 0o777, 0o640);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
