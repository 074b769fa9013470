/**
 * The keys of settings objects (schema/keys.ts): which known key an unknown one most likely meant, on every
 * surface the same, and the reserved keys no object may hold.
 */
import * as assert from "node:assert/strict";
import { reservedKeyProblems } from "../../../schema/errors";
import { closestKey, didYouMean, RESERVED_KEYS_TEXT, unknownKeyReason } from "../../../schema/keys";

const API = ["image", "replicas", "command", "args", "env", "resources", "autoscaling", "maxUnavailable", "port", "healthPath"];
const RESOURCES = ["cpuRequest", "memoryRequest", "cpuLimit", "memoryLimit", "ephemeralStorageRequest", "ephemeralStorageLimit"];
const QUERY = ["status", "kind", "limit"];
const FLAGS = ["--tenant", "--concurrency", "--operation-id", "--save-plan"];

describe("the known key an unknown one meant", () => {
  const cases: [key: string, allowed: readonly string[], meant: string | undefined][] = [
    // Near misses: one edit, a swap, case, separators.
    ["replicsa", API, "replicas"],
    ["replica", API, "replicas"],
    ["Replicas", API, "replicas"],
    ["REPLICAS", API, "replicas"],
    ["re-plicas", API, "replicas"],
    ["max_unavailable", API, "maxUnavailable"],
    ["health-path", API, "healthPath"],
    ["imgae", API, "image"],
    ["ports", API, "port"],
    ["hots", ["name", "host", "routed"], "host"],
    ["cpuLimt", RESOURCES, "cpuLimit"],
    ["memorylimit", RESOURCES, "memoryLimit"],
    ["concurency", ["tenants", "concurrency", "operationId"], "concurrency"],
    ["--concurency", FLAGS, "--concurrency"],
    ["--operationid", FLAGS, "--operation-id"],
    // Two edits in a longer key.
    ["autoscailng", API, "autoscaling"],
    ["postgresql", ["postgres", "redis", "ollama"], "postgres"],
    // The start of exactly one key, at least half of it.
    ["stat", QUERY, "status"],
    ["storage", ["storageGi", "backup"], "storageGi"],
    ["maxmemory", ["maxmemoryMb", "image"], "maxmemoryMb"],
    // The closest wins; of equally close ones, the first.
    ["minReplica", ["enabled", "minReplicas", "maxReplicas"], "minReplicas"],
    ["maxReplica", ["enabled", "minReplicas", "maxReplicas"], "maxReplicas"],
    // Too far, too short, or the start of several keys: nothing.
    ["id", API, undefined],
    ["age", API, undefined],
    ["rep", API, undefined],
    ["replicaCount", API, undefined],
    ["memory", RESOURCES, undefined],
    ["cpu", RESOURCES, undefined],
    ["x", ["a", "b"], undefined],
    ["", API, undefined],
    ["tenant", ["tenant create", "tenant list"], undefined],
  ];
  for (const [key, allowed, meant] of cases) {
    it(`${JSON.stringify(key)} means ${meant === undefined ? "nothing" : JSON.stringify(meant)}`, () =>
      assert.equal(closestKey(key, allowed), meant));
  }

  it("says so in one way on every surface", () => {
    assert.equal(didYouMean("replicsa", API), ' (did you mean "replicas"?)');
    assert.equal(didYouMean("id", API), "");
    assert.equal(unknownKeyReason("hots", ["name", "host"]), 'is not a known setting (did you mean "host"?); allowed: name, host');
    assert.equal(unknownKeyReason("id", ["name", "host"]), "is not a known setting; allowed: name, host");
  });
});

describe("reserved keys", () => {
  const RESERVED = `is not allowed: no key may be named ${RESERVED_KEYS_TEXT}`;

  it("names every reserved key at any depth, in lists too, by its path", () => {
    const input = JSON.parse(
      '{"__proto__": {"a": 1}, "api": {"env": {"constructor": "x"}}, "list": [{"prototype": 1}], "ok": {"constructors": 1}}',
    );
    assert.deepEqual(reservedKeyProblems(input, "settings"), [
      { propertyPath: "settings.__proto__", reason: RESERVED },
      { propertyPath: "settings.api.env.constructor", reason: RESERVED },
      { propertyPath: "settings.list[0].prototype", reason: RESERVED },
    ]);
  });

  it("leaves out a path already reported and objects of other classes", () => {
    const input = { api: JSON.parse('{"__proto__": 1}'), when: new Date(0), signal: new AbortController().signal };
    assert.deepEqual(reservedKeyProblems(input, "", [{ propertyPath: "api.__proto__", reason: "is not a known setting" }]), []);
  });

  it("names them in an object without a prototype", () => {
    const input = Object.create(null) as Record<string, unknown>;
    input["constructor"] = "x";
    assert.deepEqual(reservedKeyProblems(input, "tenantstack:"), [{ propertyPath: "tenantstack:constructor", reason: RESERVED }]);
  });
});
