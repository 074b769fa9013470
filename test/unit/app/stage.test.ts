/**
 * The reference app's image stage (tools/images/app/stage.ts): the compiled app with only pg,
 * ioredis and their dependencies runs from a directory outside the repo, where nothing else
 * resolves; a second stage with unchanged inputs does nothing.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { dependencyClosure, stage } from "../../../tools/images/app/stage";

describe("reference app: the image's stage", function () {
  this.timeout(120_000);
  const dir = path.join(tmpdir(), `tenantstack-app-stage-${process.pid}`);
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}.inputs`, { force: true });
  });

  it("takes pg, ioredis and what they depend on, nothing else", () => {
    const closure = dependencyClosure(["pg", "ioredis"]);
    for (const name of ["pg", "pg-pool", "pg-protocol", "pg-types", "postgres-array", "ioredis", "denque", "redis-parser", "debug", "ms"])
      assert.ok(closure.includes(`node_modules/${name}`), name);
    for (const name of ["zod", "fastify", "js-yaml", "@pulumi/pulumi", "typescript"])
      assert.ok(!closure.includes(`node_modules/${name}`), name);
    assert.throws(
      () => dependencyClosure(["no-such-package-here"]),
      /no-such-package-here \(needed from the repo\) is not installed: run npm ci/,
    );
  });

  it("runs the staged API with nothing but its own node_modules, and skips a current stage", async () => {
    assert.equal(stage(dir), true);
    assert.deepEqual(readdirSync(path.join(dir, "node_modules")).includes("zod"), false);
    assert.ok(existsSync(path.join(dir, "main.js")));
    const child = spawn(process.execPath, [path.join(dir, "main.js"), "api"], {
      cwd: tmpdir(),
      env: { TENANTS: "demo", PORT: "0", LISTEN_HOST: "127.0.0.1", TENANTS_DIR: dir, APP_VERSION: "staged" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let output = "";
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout!.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          const started = /"port":(\d+)/.exec(output);
          if (started) resolve(Number(started[1]));
        });
        child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.on("exit", (code) => reject(new Error(`exited ${code}: ${output}`)));
      });
      const reply = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.deepEqual([reply.status, await reply.json()], [200, { status: "ok", version: "staged" }]);
    } finally {
      child.kill("SIGKILL");
    }
    assert.equal(stage(dir), false, "a second stage with the same inputs does nothing");
  });
});
