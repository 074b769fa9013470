/**
 * The reference app's request handling that needs no server: routes, JSON bodies and their bounds,
 * field checks, the error family's statuses, and jobs.
 */
import * as assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { AppError, isUnavailable, STATUS, toAppError } from "../../../examples/app/src/errors";
import { errorReply, noRoute, readJsonBody, Router } from "../../../examples/app/src/http";
import { parseJob, runJob } from "../../../examples/app/src/jobs";
import { idempotencyKey, intQuery, jsonObject, positiveInt, stringField } from "../../../examples/app/src/validate";
import { errorFields } from "../../../examples/app/src/log";

/** A request body as the server hands it over: a stream with headers. */
function request(body: string | Buffer, headers: Record<string, string> = { "content-type": "application/json" }): IncomingMessage {
  return Object.assign(Readable.from([Buffer.from(body)]), { headers }) as unknown as IncomingMessage;
}

/** The AppError `work` throws or rejects with. */
async function refusal(work: () => unknown): Promise<AppError> {
  try {
    await work();
  } catch (error) {
    assert.ok(error instanceof AppError, String(error));
    return error;
  }
  assert.fail("accepted");
}

describe("reference app: requests", () => {
  it("routes by method and pattern, and says which methods a path has", () => {
    const router = new Router<string>()
      .add("GET", "/notes", () => ({ status: 200 }))
      .add("GET", "/notes/:id", () => ({ status: 200 }))
      .add("POST", "/notes", () => ({ status: 201 }));
    const match = router.match("GET", "/notes/a%20b");
    assert.ok("handler" in match);
    assert.deepEqual(match.params, { id: "a b" });
    assert.deepEqual(router.match("DELETE", "/notes"), { allow: ["GET", "POST"] });
    assert.deepEqual(router.match("GET", "/notes/"), { allow: [] });
    assert.deepEqual(router.match("GET", "/notes/%E0%A4%A"), { allow: [] }, "a bad escape matches nothing");
    const notAllowed = noRoute("DELETE", "/notes", ["GET", "POST"]);
    assert.deepEqual(errorReply(notAllowed), {
      status: 405,
      json: { error: { code: "method_not_allowed", message: "DELETE is not allowed on /notes; allowed: GET, POST" } },
      headers: { Allow: "GET, POST" },
    });
    assert.equal(noRoute("GET", "/x", []).status, 404);
  });

  it("reads bounded JSON bodies", async () => {
    assert.deepEqual(await readJsonBody(request('{"text":"é"}'), 100), { text: "é" });
    assert.deepEqual(await readJsonBody(request("[]", { "content-type": "application/json; charset=utf-8" }), 100), []);
    const cases: [IncomingMessage, number, string][] = [
      [request("{}", {}), 415, 'the request body must be JSON, with Content-Type: application/json (got "none")'],
      [request("x".repeat(101)), 413, "the request body must be at most 100 bytes"],
      [request("{}", { "content-type": "application/json", "content-length": "5000" }), 413, "the request body must be at most 100 bytes"],
      [request(""), 400, "the request body is empty: send a JSON object"],
      [
        request("{'a':1}"),
        400,
        "the request body is not valid JSON: Expected property name or '}' in JSON at position 1 (line 1 column 2)",
      ],
    ];
    for (const [req, status, message] of cases) {
      const error = await refusal(() => readJsonBody(req, 100));
      assert.deepEqual([error.status, error.message], [status, message]);
    }
  });

  it("checks fields, naming them, what came and what is allowed", async () => {
    const cases: [() => unknown, string][] = [
      [() => jsonObject("text", ["text"]), 'the request body must be a JSON object (got "text")'],
      [() => jsonObject(null, ["text"]), "the request body must be a JSON object (got null)"],
      [() => jsonObject({ text: "a", tags: [] }, ["text"]), 'unknown field "tags": allowed fields are "text"'],
      [() => stringField({ text: 5 }, "text", 1, 10), "`text` must be a string of 1 to 10 characters (got a number)"],
      [() => stringField({ text: "x".repeat(11) }, "text", 1, 10), "`text` must be a string of 1 to 10 characters (got 11 characters)"],
      [() => idempotencyKey("é"), 'the Idempotency-Key header must be 1 to 200 visible ASCII characters (got "é")'],
      [() => idempotencyKey(["a", "b"]), "the Idempotency-Key header must be 1 to 200 visible ASCII characters (got an array)"],
      [() => positiveInt("0", "id"), '`id` must be an integer between 1 and 9007199254740991 (got "0")'],
      [() => positiveInt("99999999999999999", "id"), '`id` must be an integer between 1 and 9007199254740991 (got "99999999999999999")'],
      [
        () => intQuery(new URLSearchParams("limit=-1"), "limit", 100, 1, 1000),
        'query parameter `limit` must be an integer between 1 and 1000 (got "-1")',
      ],
    ];
    for (const [check, message] of cases) {
      const error = await refusal(check);
      assert.deepEqual([error.status, error.message], [400, message]);
    }
    assert.equal(stringField({ text: "ok" }, "text", 1, 10), "ok");
    assert.equal(idempotencyKey(undefined), undefined);
    assert.equal(positiveInt("42", "id"), 42);
    assert.equal(intQuery(new URLSearchParams(), "limit", 100, 1, 1000), 100);
  });

  it("maps dependency failures to 503 with Retry-After, anything else to 500, and redacts URLs in logs", () => {
    const unavailable = [
      Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:5432"), { code: "ECONNREFUSED" }),
      Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }),
      Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" }),
      Object.assign(new Error("password authentication failed"), { code: "28P01" }),
      new Error("timeout exceeded when trying to connect"),
      new Error("Connection is closed."),
      new Error("Command timed out"),
      new Error("WRONGPASS invalid username-password pair or user is disabled."),
    ];
    for (const error of unavailable) {
      assert.ok(isUnavailable(error), error.message);
      const mapped = toAppError(error, 7);
      assert.deepEqual([mapped.status, mapped.code, mapped.headers], [503, "unavailable", { "Retry-After": "7" }]);
    }
    const bug = Object.assign(new Error('relation "x" does not exist'), { code: "42P01" });
    assert.ok(!isUnavailable(bug));
    assert.deepEqual([toAppError(bug, 7).status, toAppError(bug, 7).message], [500, "internal error"]);
    assert.equal(STATUS.read_only, 503);
    // A database a migration fenced read-only refuses the write as maintenance, not as a bug.
    const fenced = toAppError(Object.assign(new Error("cannot execute INSERT in a read-only transaction"), { code: "25006" }), 7);
    assert.deepEqual([fenced.status, fenced.code, fenced.headers], [503, "read_only", { "Retry-After": "7" }]);
    const noperm = toAppError(new Error("NOPERM User tenant-acme has no permissions to run the 'incr' command"), 7);
    assert.deepEqual([noperm.status, noperm.code], [503, "read_only"]);
    assert.deepEqual(errorFields(new Error("cannot parse postgresql://tenant_acme:s3cret@postgres:5432/x")), {
      errorCode: undefined,
      error: "cannot parse postgresql://***@postgres:5432/x",
    });
  });

  it("parses queue entries as jobs and runs them", () => {
    const job = { id: "j1", text: "  one two\tthree\n", enqueuedAt: "2026-12-01T00:00:00.000Z" };
    assert.deepEqual(parseJob(JSON.stringify({ ...job, extra: 1 })), job);
    for (const raw of ["nope", "{}", JSON.stringify({ ...job, id: 1 }), JSON.stringify({ ...job, enqueuedAt: "yesterday" })])
      assert.equal(parseJob(raw), undefined, raw);
    assert.deepEqual(runJob(job), { words: 3, sha256: "c680d7e8076b1ddd07356949ebbafcfec3522ca0ef3749b4fceacad9d799ba1a" });
  });
});
