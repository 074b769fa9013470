/**
 * The one error family: every error class the package exports (`tenantstack`, `tenantstack/schema`,
 * `tenantstack/automation`) extends TenantstackError with a stable code of its own, is mapped once to an exit
 * code and an HTTP status (the table `ERROR_CODES`, documented in automation/README.md), and comes back as the
 * same class with the same fields through JSON, a real IPC boundary and the HTTP API's error body.
 */
import * as assert from "node:assert/strict";
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as automation from "../../../automation";
import {
  CancelledError,
  CheckpointUnreadableError,
  CommandError,
  ConflictError,
  DataServerError,
  ERROR_CODES,
  exitCodeOf,
  fromWire,
  HealthGateError,
  httpStatusOf,
  InputError,
  KubeApiError,
  MigrationError,
  MigrationStateError,
  NotFoundError,
  OperationFailedError,
  OperationNotFoundError,
  PassphraseIncorrectError,
  PayloadTooLargeError,
  PendingOperationsError,
  PlanMismatchError,
  ProtectedResourcesError,
  PulumiCliNotFoundError,
  PulumiPluginMissingError,
  StackLockedError,
  OperationLockedError,
  StackOperationError,
  stackOf,
  TargetConflictError,
  TenantExistsError,
  TenantNotFoundError,
  TenantStackLiveError,
  TenantstackError,
  toWire,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
  VerificationError,
  type WireError,
  WorkerCrashedError,
} from "../../../automation";
import { EXIT, exitCodeOfErrors } from "../../../automation/cli/exitCodes";
import { buildServer } from "../../../automation/http/server";
import { Driver } from "../../../automation/driver";
import * as components from "../../../components";
import { InvalidArgsError, ProviderPackageMissingError } from "../../../components";
import * as schema from "../../../schema";

const REPO = path.resolve(__dirname, "../../..");
const TOKEN = "errors-test-token-0123456789";

/** One instance of every error class the package exports, with the code it must keep. */
const SAMPLES: Record<string, { readonly code: string; readonly make: () => TenantstackError }> = {
  TenantstackError: { code: "custom", make: () => new TenantstackError("custom", "a custom error", { retryable: true }) },
  ValidationError: {
    code: "invalid_input",
    make: () => new ValidationError("tenantstack stack settings", [{ propertyPath: "api.replicas", reason: "must be an integer (got 0)" }]),
  },
  InputError: {
    code: "invalid_input",
    make: () => new InputError("options", ["`--concurrency` must be an integer between 1 and 16 (got 0)", "give one tenant at most"]),
  },
  InvalidArgsError: {
    code: "invalid_input",
    make: () => new InvalidArgsError('Postgres "db"', [{ propertyPath: "spec.storageGi", reason: "must be an integer (got 0)" }]),
  },
  UnauthorizedError: { code: "unauthorized", make: () => new UnauthorizedError() },
  NotFoundError: { code: "not_found", make: () => new NotFoundError("operation op-1 is not in the journal") },
  TenantNotFoundError: { code: "not_found", make: () => new TenantNotFoundError("acme") },
  OperationNotFoundError: { code: "not_found", make: () => new OperationNotFoundError("op-1") },
  ConflictError: { code: "conflict", make: () => new ConflictError("operation op-1 is not running here") },
  TenantExistsError: { code: "conflict", make: () => new TenantExistsError("acme") },
  TenantStackLiveError: { code: "stack_live", make: () => new TenantStackLiveError("acme", "dev-acme", 31, false) },
  PayloadTooLargeError: { code: "payload_too_large", make: () => new PayloadTooLargeError(1024) },
  UnsupportedMediaTypeError: { code: "unsupported_media_type", make: () => new UnsupportedMediaTypeError("text/plain") },
  PulumiCliNotFoundError: {
    code: "pulumi_cli_missing",
    make: () => new PulumiCliNotFoundError(undefined, undefined, "3.259.0", [{ name: "kubernetes", version: "4.25.0" }]),
  },
  PulumiPluginMissingError: {
    code: "pulumi_plugin_missing",
    make: () => new PulumiPluginMissingError("dev-acme", "resource", "kubernetes", "4.25.0", [{ name: "kubernetes", version: "4.25.0" }]),
  },
  PassphraseIncorrectError: { code: "passphrase_incorrect", make: () => new PassphraseIncorrectError("dev-acme") },
  ProviderPackageMissingError: { code: "provider_package_missing", make: () => new ProviderPackageMissingError("aws", "@pulumi/aws") },
  StackLockedError: { code: "stack_locked", make: () => new StackLockedError("dev-acme", "operation op-1") },
  OperationLockedError: { code: "operation_locked", make: () => new OperationLockedError("op-1", 'driver "host-a"') },
  PendingOperationsError: { code: "pending_operations", make: () => new PendingOperationsError("dev-acme") },
  PlanMismatchError: { code: "plan_mismatch", make: () => new PlanMismatchError("dev-acme", "api: resource unexpectedly updated", 2) },
  ProtectedResourcesError: { code: "protected", make: () => new ProtectedResourcesError("dev-acme", ["postgres", "redis"]) },
  CancelledError: { code: "cancelled", make: () => new CancelledError("up of dev-acme") },
  StackOperationError: { code: "operation_failed", make: () => new StackOperationError("dev-acme", "up", "error: boom") },
  OperationFailedError: {
    code: "operation_unsuccessful",
    make: () => new OperationFailedError("op-1", "up", "failed", ['dev-acme: failed: up of stack "dev-acme" failed:\n    error: boom']),
  },
  DataServerError: {
    code: "data_server_unavailable",
    make: () => new DataServerError(['the source Postgres server of stack "dev-acme" at 127.0.0.1:5432 cannot be reached (ECONNREFUSED)']),
  },
  WorkerCrashedError: { code: "worker_crashed", make: () => new WorkerCrashedError("dev-acme", "exited with SIGKILL") },
  CheckpointUnreadableError: {
    code: "checkpoint_unreadable",
    make: () => new CheckpointUnreadableError("dev-acme", "/s/dev-acme.json", "is empty", ["/s/dev-acme.json.bak: is empty"], "/w"),
  },
  HealthGateError: { code: "health_gate_failed", make: () => new HealthGateError("dev-acme", "Deployment/api: 0/2 ready") },
  KubeApiError: { code: "kube_api_error", make: () => new KubeApiError(503, "GET /api/v1/namespaces: 503 unavailable") },
  MigrationError: { code: "migration_failed", make: () => new MigrationError("Job ns/copy failed", true) },
  TargetConflictError: { code: "target_conflict", make: () => new TargetConflictError("target Redis", ["acme:k1"]) },
  CommandError: { code: "command_failed", make: () => new CommandError("pg_dump", "SIGKILL", "") },
  VerificationError: { code: "verification_failed", make: () => new VerificationError(["table t: 2 rows, 3 on the source"]) },
  MigrationStateError: { code: "migration_state", make: () => new MigrationStateError("The routing switch has started") },
};

type ErrorClass = abstract new (...args: never[]) => TenantstackError;

/** Every class the package's entries export that is TenantstackError or extends it, by name. */
function exportedErrorClasses(): Map<string, ErrorClass> {
  const classes = new Map<string, ErrorClass>();
  for (const entry of [automation, components, schema] as Record<string, unknown>[]) {
    for (const [name, value] of Object.entries(entry)) {
      if (typeof value === "function" && (value === TenantstackError || value.prototype instanceof TenantstackError))
        classes.set(name, value as ErrorClass);
    }
  }
  return classes;
}

/**
 * An error's own fields (the wire form's, and each class's own), its class and its wire form, for comparing a
 * revived error with the original. `stack` only through the wire form: a class's `stack` field (a stack's name)
 * shares its name with the trace, which differs between two errors and whose property V8 may have defined first.
 */
function fields(error: Error): Record<string, unknown> {
  const own: Record<string, unknown> = { ...error };
  delete own.stack;
  return { ...own, name: error.name, message: error.message, constructor: error.constructor.name, wire: toWire(error) };
}

/** The rows of automation/README.md's table of codes: code, the classes named, retryable, exit code, HTTP status. */
function readmeCodes(): { code: string; classes: string[]; retryable: string; exit: number; status: number }[] {
  const readme = readFileSync(path.join(REPO, "automation/README.md"), "utf8");
  const section = readme.split(/^## /m).find((s) => s.startsWith("Errors\n")) ?? "";
  return section
    .split("\n")
    .filter((line) => /^\| `/.test(line))
    .map((line) => {
      const [code, classes, retryable, exit, status] = line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim());
      return {
        code: code.replace(/`/g, ""),
        classes: [...classes.matchAll(/`(\w+)`/g)].map((m) => m[1]),
        retryable,
        exit: Number(exit),
        status: Number(status),
      };
    });
}

describe("the error family", () => {
  const classes = exportedErrorClasses();

  it("has a sample here of every error class the package exports, and nothing else", () => {
    assert.deepEqual([...classes.keys()].sort(), Object.keys(SAMPLES).sort());
  });

  it("gives each class a stable code, its name as the class's, and only codes the one table maps", () => {
    for (const [name, sample] of Object.entries(SAMPLES)) {
      const error = sample.make();
      assert.ok(error instanceof classes.get(name)!, name);
      assert.equal(error.name, name);
      assert.equal(error.code, sample.code, name);
      if (name !== "TenantstackError") assert.ok(sample.code in ERROR_CODES, `${name}'s code ${sample.code} is not in ERROR_CODES`);
    }
    const used = new Set(Object.values(SAMPLES).map((s) => s.code));
    assert.deepEqual(
      Object.keys(ERROR_CODES).filter((code) => !used.has(code)),
      ["internal"],
      "every code but internal belongs to a class",
    );
  });

  it("gives each code to one class and the classes that extend it (no two unrelated classes share one)", () => {
    const byCode = new Map<string, ErrorClass[]>();
    for (const [name, sample] of Object.entries(SAMPLES)) {
      if (name !== "TenantstackError") byCode.set(sample.code, [...(byCode.get(sample.code) ?? []), classes.get(name)!]);
    }
    for (const [code, owners] of byCode) {
      const owner = owners.find((candidate) => owners.every((other) => other === candidate || other.prototype instanceof candidate));
      assert.ok(owner, `${code} is shared by unrelated classes: ${owners.map((c) => c.name).join(", ")}`);
    }
    assert.deepEqual(
      byCode.get("invalid_input")!.map((c) => c.name),
      ["ValidationError", "InputError", "InvalidArgsError"],
    );
  });

  it("comes back through JSON as the same class with the same fields, code and retryable", () => {
    for (const [name, sample] of Object.entries(SAMPLES)) {
      const error = sample.make();
      const wire = JSON.parse(JSON.stringify(error)) as WireError;
      assert.equal(wire.name, name);
      assert.equal(wire.code, sample.code);
      assert.equal(wire.retryable, error.retryable);
      assert.equal(wire.message, error.message);
      const back = fromWire(wire);
      assert.ok(back instanceof classes.get(name)!, `${name} came back as ${back.constructor.name}`);
      assert.deepEqual(fields(back), fields(error), name);
    }
  });

  it("crosses a real process boundary (IPC) intact, also through a process that does not know the class", async function () {
    // A Node process compiling the driver's entry: seconds, more on a busy machine.
    this.timeout(180_000);
    const wires = Object.values(SAMPLES).map((sample) => toWire(sample.make()));
    const child = fork(path.join(__dirname, "wireEcho.ts"), [], {
      execArgv: ["-r", "ts-node/register/transpile-only"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const echoed = await new Promise<{ revivedAs: string; wire: WireError }[]>((resolve, reject) => {
      child.once("message", (message) => resolve(message as { revivedAs: string; wire: WireError }[]));
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`the child exited with ${code} before answering`)));
      child.send(wires);
    });
    const names = Object.keys(SAMPLES);
    // The driver's entry knows its own classes and the schema's; a component's may be unknown there.
    for (const name of names.filter((n) => !["InvalidArgsError", "ProviderPackageMissingError"].includes(n)))
      assert.equal(echoed[names.indexOf(name)].revivedAs, name, `revived in the child as ${name}`);
    echoed.forEach(({ wire }, index) => {
      const original = Object.values(SAMPLES)[index].make();
      assert.deepEqual(wire, JSON.parse(JSON.stringify(toWire(original))), names[index]);
      const back = fromWire(wire);
      assert.ok(back instanceof classes.get(names[index])!, names[index]);
      assert.deepEqual(fields(back), fields(original), names[index]);
    });
  });

  it("revives a wire form from before codes (name and args) by its class, and an unknown class by its code", () => {
    const old = fromWire({ name: "StackLockedError", args: ["dev-acme", "operation op-1"], message: "m" } as unknown as WireError);
    assert.ok(old instanceof StackLockedError);
    assert.equal(old.code, "stack_locked");
    assert.equal(old.retryable, true);
    const unknown = fromWire({ name: "QuotaError", code: "quota", message: "over quota", retryable: true, args: [1] });
    assert.ok(unknown instanceof TenantstackError);
    assert.deepEqual([unknown.name, unknown.code, unknown.retryable, unknown.message], ["QuotaError", "quota", true, "over quota"]);
    assert.deepEqual(toWire(unknown).args, [1], "its arguments pass on unchanged");
    assert.equal(exitCodeOf(unknown), EXIT.internal, "a code the table does not know is internal");
    const internal = fromWire(toWire(new RangeError("x out of range")));
    assert.ok(!(internal instanceof TenantstackError));
    assert.deepEqual([internal.name, internal.message], ["RangeError", "x out of range"]);
  });

  it("says which errors are retryable: a lock, a crash, a cancellation, a command, the API server overloaded or failing", () => {
    const retryable = Object.entries(SAMPLES)
      .filter(([, sample]) => sample.make().retryable)
      .map(([name]) => name);
    assert.deepEqual(retryable, [
      "TenantstackError",
      "StackLockedError",
      "OperationLockedError",
      "CancelledError",
      "WorkerCrashedError",
      "KubeApiError",
      "MigrationError",
      "CommandError",
    ]);
    assert.deepEqual(
      [429, 500, 503, 404, 409, 422].map((status) => new KubeApiError(status, "x").retryable),
      [true, true, true, false, false, false],
    );
  });

  it("redacts the wire form: message and arguments", () => {
    const error = new StackOperationError("dev-acme", "up", "dial postgres://admin:hunter2@db/app failed");
    const wire = JSON.stringify(error);
    assert.doesNotMatch(wire, /hunter2/);
    assert.deepEqual(error.toJSON().args, ["dev-acme", "up", "dial postgres://admin:***@db/app failed"]);
  });

  it("is documented in automation/README.md's table exactly as ERROR_CODES maps it", () => {
    const rows = readmeCodes();
    assert.deepEqual(
      rows.map((r) => [r.code, r.exit, r.status]),
      Object.entries(ERROR_CODES).map(([code, m]) => [code, m.exit, m.status]),
    );
    for (const row of rows.filter((r) => r.code !== "internal")) {
      const expected = Object.entries(SAMPLES)
        .filter(([, sample]) => sample.code === row.code)
        .map(([name]) => name);
      assert.deepEqual(row.classes, expected, row.code);
      const retryable = expected.map((name) => SAMPLES[name].make().retryable);
      if (row.retryable === "yes" || row.retryable === "no")
        assert.deepEqual(
          retryable,
          expected.map(() => row.retryable === "yes"),
          row.code,
        );
    }
  });
});

describe("errors on every surface", () => {
  /** What the registry of the served driver throws. */
  let thrown: unknown;
  const driver = Object.create(Driver.prototype) as Driver;
  Object.assign(driver, { registry: { show: () => Promise.reject(thrown) } });
  const app = buildServer(driver, { token: TOKEN });
  after(() => app.close());

  /** The response to `GET /tenants/x` when the registry throws `error`. */
  async function shown(error: unknown): Promise<{ status: number; body: { error: WireError & { problems?: string[] } } }> {
    thrown = error;
    const response = await app.inject({ method: "GET", url: "/tenants/x", headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: response.statusCode, body: response.json() };
  }

  it("render in the HTTP API with their code's status and their wire form, revived as the same class", async () => {
    for (const [name, sample] of Object.entries(SAMPLES)) {
      if (name === "TenantstackError") continue;
      const error = sample.make();
      const { status, body } = await shown(error);
      assert.equal(status, ERROR_CODES[sample.code as keyof typeof ERROR_CODES].status, name);
      assert.equal(status, httpStatusOf(error));
      assert.equal(body.error.code, sample.code);
      assert.equal(body.error.retryable, error.retryable);
      assert.equal(body.error.message, error.message);
      const back = fromWire(body.error);
      assert.ok(back instanceof error.constructor, `${name} came back as ${back.constructor.name}`);
      assert.deepEqual(fields(back), fields(error), name);
    }
  });

  it("name no CLI flag or command in the HTTP body's message and problems, each error of the family", async () => {
    // InputError's sample is given the CLI's words as its own problem; a driver's InputError gets each surface's.
    for (const [name, sample] of Object.entries(SAMPLES)) {
      if (name === "TenantstackError" || name === "InputError") continue;
      const { body } = await shown(sample.make());
      const { message, problems } = body.error;
      assert.doesNotMatch(JSON.stringify({ message, problems }), /`--[a-z]|`tenantstack |--[a-z-]+ [A-Z]/, name);
    }
  });

  it("render any other error as internal, 500, its message hidden", async () => {
    const { status, body } = await shown(new RangeError("secret detail"));
    assert.equal(status, 500);
    assert.deepEqual(body, { error: { name: "Error", code: "internal", message: "internal error", retryable: false, args: [] } });
  });

  it("map a schema ValidationError escaping from a library call to invalid input: exit 2, HTTP 400 with its problems", async () => {
    const escaped = (() => {
      try {
        stackOf({ plan: "dedicated", environment: "dev", name: "shared", cluster: "local" });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    assert.ok(escaped instanceof ValidationError && escaped.constructor === ValidationError, String(escaped));
    assert.equal(exitCodeOf(escaped), EXIT.invalidInput);
    assert.equal(exitCodeOfErrors([toWire(escaped)]), EXIT.invalidInput);
    const { status, body } = await shown(escaped);
    assert.equal(status, 400);
    assert.equal(body.error.code, "invalid_input");
    assert.equal(body.error.name, "ValidationError");
    assert.deepEqual(body.error.problems, escaped.problems);
    assert.match(body.error.problems![0], /^`tenant` must not be "shared"/);
  });

  it("give an operation's exit code from its stacks' errors: the first with a code of its own, else failed", () => {
    const wire = (error: Error) => toWire(error);
    assert.equal(exitCodeOfErrors([]), EXIT.ok);
    assert.equal(exitCodeOfErrors([wire(new StackOperationError("a", "up", "x")), wire(new StackLockedError("b", "op"))]), EXIT.locked);
    assert.equal(exitCodeOfErrors([wire(new PlanMismatchError("a", "x")), wire(new StackLockedError("b", "op"))]), EXIT.planMismatch);
    assert.equal(exitCodeOfErrors([wire(new HealthGateError("a", "x")), wire(new Error("bug"))]), EXIT.failed);
  });
});
