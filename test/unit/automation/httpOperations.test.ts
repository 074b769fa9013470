/**
 * The HTTP API's operations and its contract: `GET /operations` (newest first, filtered), cancel and
 * resume with their statuses (an unknown id is 404), messages that name the request's fields and never
 * a CLI flag, and every body the server sends checked against the response schemas its OpenAPI
 * document is made of; the README's 202 body is that schema's. Stack jobs run on a recording
 * executor, against a real SQLite journal.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import { Driver } from "../../../automation/driver";
import { CancelledError } from "../../../automation/errors";
import {
  AcceptedSchema,
  CancellingSchema,
  ErrorBodySchema,
  openApiDocument,
  OperationSchema,
  OperationSummarySchema,
  TenantSchema,
} from "../../../automation/http/openapi";
import { buildServer } from "../../../automation/http/server";
import { finishedOperation } from "../../support/httpOperation";
import { fakePulumiCli, RecordingExecutor, tenantSettings } from "./fixtures";

const token = "unit-test-token-0123456789";
const headers = { authorization: `Bearer ${token}` };
/** A CLI flag or command named in a message. */
const CLI_WORDS = /`--[a-z]|`tenantstack |--[a-z-]+ [A-Z]/;

/**
 * The routes a server serves, `METHOD /path/{param}`, read from its printed route tree (each level
 * indented by 4 characters; the HEAD routes Fastify adds to each GET left out).
 */
function servedRoutes(app: FastifyInstance): string[] {
  const prefixes: string[] = [];
  return app
    .printRoutes({ commonPrefix: false })
    .split("\n")
    .flatMap((line) => {
      const match = /^([\s│├└─]*?)(\/\S*) \(([A-Z, ]+)\)$/.exec(line);
      if (!match) return [];
      const depth = match[1].length / 4;
      prefixes.length = depth;
      const route = `${prefixes.join("")}${match[2]}`.replace(/:(\w+)/g, "{$1}");
      prefixes.push(match[2]);
      return match[3]
        .split(", ")
        .filter((method) => method !== "HEAD")
        .map((method) => `${method} ${route}`);
    });
}

describe("operations over the HTTP API", () => {
  let stateDir: string;
  let executor: RecordingExecutor;
  let driver: Driver;
  let app: ReturnType<typeof buildServer>;

  /** A request's status and body, the body checked against `schema` (strict: no field the document does not name). */
  async function call<S extends z.ZodType>(
    method: "GET" | "POST",
    url: string,
    schema: S,
    payload?: object,
  ): Promise<{ status: number; body: z.output<S>; location?: string }> {
    const response = await app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    const parsed = schema.safeParse(response.json());
    assert.ok(parsed.success, `${method} ${url} ${response.statusCode}: ${response.body}\n${parsed.error?.message}`);
    return { status: response.statusCode, body: parsed.data, location: response.headers.location as string | undefined };
  }
  /** An error response: its status, and its body in the one error shape, naming no CLI flag or command. */
  async function refused(method: "GET" | "POST", url: string, status: number, payload?: object) {
    const { status: got, body } = await call(method, url, ErrorBodySchema, payload);
    assert.equal(got, status, JSON.stringify(body));
    // The message and problems are the API's; the wire form's `args` rebuild the error with every surface's words.
    const { message, problems } = body.error;
    assert.doesNotMatch(
      JSON.stringify({ message, problems }),
      CLI_WORDS,
      "an HTTP message names the request's fields, never a CLI flag or command",
    );
    return body.error;
  }
  const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
  /** Another replica: a driver of its own identity on the same state and journal, and its server. */
  async function openReplica(identity: string): Promise<{ other: Driver; replica: FastifyInstance }> {
    const other = await Driver.open({
      workspace: { stateDir, pulumiPath: fakePulumiCli(path.join(stateDir, "fake")), passphrase: "unit-test-passphrase" },
      executor: new RecordingExecutor(),
      identity,
    });
    return { other, replica: buildServer(other, { token }) };
  }
  const operationList = OperationSummarySchema.array();
  const ListSchema = { safeParse: (v: unknown) => operationList.safeParse((v as { operations?: unknown })?.operations) } as z.ZodType<
    z.output<typeof operationList>
  >;

  before(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), "tenantstack-http-"));
    executor = new RecordingExecutor();
    driver = await Driver.open({
      workspace: { stateDir, pulumiPath: fakePulumiCli(path.join(stateDir, "fake")), passphrase: "unit-test-passphrase" },
      executor,
    });
    app = buildServer(driver, { token });
    for (const name of ["acme", "globex"])
      await driver.registry.create({ name, host: `${name}.example.com`, plan: "dedicated", version: "1.0.0", settings: tenantSettings() });
    await driver.up({ tenants: ["acme"], operationId: "up-ok" });
    await pause();
    executor.failing.add("dev-globex");
    await driver.up({ tenants: ["globex"], operationId: "up-failed" });
    await pause();
    executor.failing.clear();
    await driver.preview({ operationId: "preview-1" });
    executor.failing.add("dev-globex");
  });
  after(async () => {
    await app.close();
    await driver.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("lists the journal's operations newest first, filtered by status, kind and limit", async () => {
    const ids = async (query: string) => {
      const { status, body } = await call("GET", `/operations${query}`, ListSchema);
      assert.equal(status, 200);
      return body.map((o) => `${o.id}:${o.kind}:${o.status}:${o.href}`);
    };
    assert.deepEqual(await ids(""), [
      "preview-1:preview:succeeded:/operations/preview-1",
      "up-failed:up:failed:/operations/up-failed",
      "up-ok:up:succeeded:/operations/up-ok",
    ]);
    assert.deepEqual(await ids("?status=failed"), ["up-failed:up:failed:/operations/up-failed"]);
    assert.deepEqual(await ids("?kind=up&status=succeeded"), ["up-ok:up:succeeded:/operations/up-ok"]);
    assert.deepEqual(await ids("?limit=1"), ["preview-1:preview:succeeded:/operations/preview-1"]);
  });

  it("refuses a bad listing query, naming the parameter (400)", async () => {
    assert.deepEqual((await refused("GET", "/operations?status=done", 400)).problems, [
      '`status` must be one of "running", "succeeded", "failed", "cancelled" (got "done")',
    ]);
    assert.match(
      (await refused("GET", "/operations?limit=0", 400)).problems![0],
      /`limit` must be an integer between 1 and 1000 \(got 0\)/,
    );
    assert.match(
      (await refused("GET", "/operations?stat=failed", 400)).problems![0],
      /`stat` is not a known setting \(did you mean "status"\?\)/,
    );
  });

  it("shows an operation with its steps, and answers 404 for an unknown one", async () => {
    const { status, body } = await call("GET", "/operations/up-failed", OperationSchema);
    assert.equal(status, 200);
    assert.equal(body.status, "failed");
    assert.deepEqual(
      body.steps.map((s) => [s.step, s.status, (s.detail as { name?: string }).name]),
      [["dev-globex:up", "failed", "StackOperationError"]],
    );
    const missing = await refused("GET", "/operations/nope", 404);
    assert.equal(missing.code, "not_found");
    assert.equal(
      missing.message,
      'Operation "nope" is not in the journal; list operations with `GET /operations` (the library\'s `driver.journal.list()`).',
    );
  });

  it("cancels an operation it runs (202), refuses one it does not run (409) and an unknown one (404)", async () => {
    let release!: () => void;
    executor.hold = new Promise<void>((resolve) => (release = resolve));
    const started = await call("POST", "/operations", AcceptedSchema, { kind: "up", tenants: ["acme"], operationId: "up-held" });
    assert.equal(started.status, 202);
    assert.deepEqual(started.body, { id: "up-held", status: "running", href: "/operations/up-held" });
    assert.equal(started.location, "/operations/up-held");
    const cancelling = await call("POST", "/operations/up-held/cancel", CancellingSchema);
    assert.equal(cancelling.status, 202);
    assert.deepEqual(cancelling.body, { id: "up-held", status: "cancelling" });
    release();
    executor.hold = undefined;
    assert.equal((await finishedOperation(app, "up-held", headers)).status, "cancelled");

    assert.equal((await refused("POST", "/operations/nope/cancel", 404)).code, "not_found");
    const done = await refused("POST", "/operations/up-ok/cancel", 409);
    const message = "operation up-ok is not running (it is succeeded): nothing to cancel";
    assert.deepEqual(done, { name: "ConflictError", code: "conflict", message, retryable: false, args: [message] });
  });

  it("replicas sharing the journal: a cancel reaching one that does not run the operation stops it where it runs (202), and both answer alike", async () => {
    const { other, replica } = await openReplica("replica-b");
    let release!: () => void;
    executor.hold = new Promise<void>((resolve) => (release = resolve));
    try {
      await call("POST", "/operations", AcceptedSchema, { kind: "up", tenants: ["acme"], operationId: "up-elsewhere" });
      const cancel = await replica.inject({ method: "POST", url: "/operations/up-elsewhere/cancel", headers });
      assert.equal(cancel.statusCode, 202, cancel.body);
      assert.deepEqual(cancel.json(), { id: "up-elsewhere", status: "cancelling" });
      // The replica that runs it reads the request within a poll; its job is cancelled while still held.
      let here = await finishedOperation(app, "up-elsewhere", headers);
      assert.equal(here.status, "cancelled");
      // The last events are recorded a write behind the operation's end: the replicas agree once they are.
      const show = async (server: FastifyInstance) =>
        (await server.inject({ method: "GET", url: "/operations/up-elsewhere", headers })).json();
      let there = await show(replica);
      for (const deadline = Date.now() + 5000; JSON.stringify(there) !== JSON.stringify(here) && Date.now() < deadline;) {
        await pause();
        [here, there] = [await show(app), await show(replica)];
      }
      assert.deepEqual(there, here, "the replica answers from the same journal, progress events included");
      assert.ok(
        here.events.some((e: any) => e.type === "operation" && e.status === "started"),
        JSON.stringify(here.events),
      );
      const again = await replica.inject({ method: "POST", url: "/operations/up-elsewhere/cancel", headers });
      assert.equal(again.statusCode, 409, "a finished operation is not cancelled again");
      assert.match(again.json().error.message, /is not running \(it is cancelled\)/);
    } finally {
      release();
      executor.hold = undefined;
      await replica.close();
      await other.close();
    }
  });

  it("a cancel through a replica reaches an operation a driver runs without a server (a CLI's): it stops, cancelled", async () => {
    const { other, replica } = await openReplica("replica-c");
    let release!: () => void;
    executor.hold = new Promise<void>((resolve) => (release = resolve));
    try {
      const running = driver.up({ tenants: ["acme"], operationId: "up-in-cli" }).then(
        (result) => result,
        (error: unknown) => error,
      );
      while ((await driver.journal.get("up-in-cli"))?.status !== "running") await pause();
      const cancel = await replica.inject({ method: "POST", url: "/operations/up-in-cli/cancel", headers });
      assert.equal(cancel.statusCode, 202, cancel.body);
      const outcome = await running;
      assert.ok(outcome instanceof CancelledError, String(outcome));
      assert.equal((await driver.journal.get("up-in-cli"))?.status, "cancelled");
    } finally {
      release();
      executor.hold = undefined;
      await replica.close();
      await other.close();
    }
  });

  it("resumes a failed or cancelled operation with its journaled parameters (202), running only what is left", async () => {
    assert.equal((await refused("POST", "/operations/nope/resume", 404)).code, "not_found");
    assert.deepEqual((await refused("POST", "/operations/up-ok/resume", 400)).problems, [
      'operation "up-ok" (up) succeeded: there is nothing to resume',
    ]);
    assert.match(
      (await refused("POST", "/operations/up-failed/resume", 400, { concurrency: 0 })).problems![0],
      /`concurrency` must be an integer between 1 and 16 \(got 0\)/,
    );
    assert.match(
      (await refused("POST", "/operations/up-failed/resume", 400, { concurency: 1 })).problems![0],
      /`concurency` is not a known setting \(did you mean "concurrency"\?\)/,
    );

    executor.failing.clear();
    executor.jobs.length = 0;
    const resumed = await call("POST", "/operations/up-failed/resume", AcceptedSchema, { concurrency: 1 });
    assert.equal(resumed.status, 202);
    assert.deepEqual(resumed.body, { id: "up-failed", status: "running", href: "/operations/up-failed" });
    const operation = await finishedOperation(app, "up-failed", headers);
    assert.equal(operation.status, "succeeded");
    assert.deepEqual(
      operation.steps.map((s: { step: string; status: string; attempts: number }) => [s.step, s.status, s.attempts]),
      [["dev-globex:up", "done", 2]],
    );
    assert.deepEqual(
      executor.jobs.map((j) => `${j.kind} ${j.stack}`),
      ["up dev-globex"],
    );

    const again = await call("POST", "/operations/up-held/resume", AcceptedSchema);
    assert.equal(again.status, 202, "a cancelled operation resumes without a body");
    assert.equal((await finishedOperation(app, "up-held", headers)).status, "succeeded");
  });

  it("names the request's fields in its messages, never a CLI flag or command", async () => {
    const tenant = await refused("POST", "/operations", 404, { kind: "preview", tenants: ["nobody"] });
    assert.match(tenant.message, /^Tenant "nobody" is not registered; list tenants with `GET \/tenants`/);
    const migration = await refused("POST", "/operations", 400, { kind: "migrate", tenant: "acme", to: "shared" });
    assert.deepEqual(migration.problems, [
      'the driver has no `migration.dataPlane`: it must know where each stack\'s Postgres and Redis servers are (automation/README.md, "A data plane")',
      'the driver has no kubeconfig of cluster "local" (`workspace.clusters`): the drain needs its API',
    ]);
    assert.deepEqual((await refused("POST", "/operations", 400, { kind: "gc" })).problems, [
      'the driver has no `migration.dataPlane`: it must know where each stack\'s Postgres and Redis servers are (automation/README.md, "A data plane")',
    ]);
  });

  it("sends tenants in the shape its document gives", async () => {
    const created = await call("POST", "/tenants", TenantSchema, {
      name: "initech",
      host: "initech.example.com",
      plan: "dedicated",
      version: "1.0.0",
      settings: tenantSettings(),
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.environment, "dev", "defaults applied");
    assert.equal((await call("GET", "/tenants/initech", TenantSchema)).body.createdAt, created.body.createdAt);
    const list = TenantSchema.array();
    const listed = await call("GET", "/tenants", {
      safeParse: (v: unknown) => list.safeParse((v as { tenants?: unknown })?.tenants),
    } as z.ZodType<z.output<typeof list>>);
    assert.deepEqual(
      listed.body.map((t) => t.name),
      ["acme", "globex", "initech"],
    );
  });

  it("documents every route it serves, each with a response schema, and the one error body for every error", async () => {
    const doc = openApiDocument() as {
      components: { schemas: Record<string, object>; responses: Record<string, object> };
      paths: Record<
        string,
        Record<string, { responses?: Record<string, { $ref?: string; content?: Record<string, { schema?: { $ref?: string } }> }> }>
      >;
    };
    const routes: string[] = [];
    for (const [route, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (method === "parameters") continue;
        routes.push(`${method.toUpperCase()} ${route}`);
        const statuses = Object.keys(operation.responses ?? {});
        assert.ok(
          statuses.some((status) => Number(status) < 400),
          `${method} ${route} documents a response when it succeeds (got ${statuses.join(", ")})`,
        );
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          if (Number(status) >= 400) {
            assert.equal(response.$ref, "#/components/responses/Error", `${method} ${route} ${status}`);
            continue;
          }
          if (status === "204" || route === "/openapi.json") continue;
          const ref = response.content?.["application/json"]?.schema?.$ref ?? "";
          const name = ref.replace("#/components/schemas/", "");
          assert.ok(doc.components.schemas[name], `${method} ${route} ${status} refers to a schema (${ref})`);
        }
      }
    }
    assert.deepEqual(routes.sort(), [
      "DELETE /tenants/{name}",
      "GET /openapi.json",
      "GET /operations",
      "GET /operations/{id}",
      "GET /tenants",
      "GET /tenants/{name}",
      "PATCH /tenants/{name}",
      "POST /operations",
      "POST /operations/{id}/cancel",
      "POST /operations/{id}/resume",
      "POST /tenants",
    ]);
    await app.ready();
    assert.deepEqual(servedRoutes(app).sort(), routes.sort(), "the server serves exactly the documented routes");
    const accepted = doc.components.schemas.Accepted as { required: string[]; additionalProperties: boolean };
    assert.deepEqual(accepted.required, ["id", "status", "href"]);
    assert.equal(accepted.additionalProperties, false);
  });

  it("has the README say the 202 body the server sends, wherever it gives one", () => {
    const readme = readFileSync(path.join(__dirname, "../../../automation/README.md"), "utf8");
    // `POST /operations` (and resume, "as `POST /operations`") and `PATCH /tenants/{name}?dryRun=true`.
    const said = [...readme.matchAll(/`202` with `\{ ([^}]*) \}`/g)];
    assert.equal(said.length, 2, "the README states the 202 body of an operation started and of a dry run's preview");
    for (const [, body] of said)
      assert.deepEqual(
        body.split(",").map((field) => field.trim().replace(/:.*$/, "")),
        Object.keys(AcceptedSchema.shape),
        body,
      );
    assert.match(readme, /only then `202` with `\{ id, status: "running", href \}`/);
  });
});
