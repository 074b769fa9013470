import * as assert from "node:assert/strict";
import { InputError } from "../../../automation/errors";
import {
  atVersion,
  checkStack,
  fleetStacks,
  parseTenantInput,
  parseVersion,
  stackOf,
  withVersion,
  type Tenant,
} from "../../../automation/registry/tenant";
import { inFlight, migrationHold, placementOf, type TenantMigration } from "../../../automation/registry/migrationRecords";
import { stackConfigOf } from "../../../schema";
import { tenantSettings } from "./fixtures";

function tenant(name: string, plan: "shared" | "dedicated", cluster?: string): Tenant {
  return {
    ...parseTenantInput({ name, host: `${name}.example.com`, plan, version: "1.0.0", settings: tenantSettings(), cluster }),
    createdAt: "2026-01-01T00:00:00.000Z",
  };
}

function problems(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  assert.fail("expected an InputError");
}

describe("tenants", () => {
  it("applies defaults", () => {
    const parsed = parseTenantInput({ name: "acme", host: "acme.example.com", plan: "dedicated", version: "2.4.1" });
    assert.deepEqual(parsed, {
      name: "acme",
      host: "acme.example.com",
      plan: "dedicated",
      environment: "dev",
      version: "2.4.1",
      region: "local",
      cluster: "local",
      settings: {},
    });
  });

  it("names every bad field", () => {
    assert.deepEqual(
      problems(() => parseTenantInput({ name: "Acme", host: "acme", plan: "solo", version: "1.0 beta", settings: { tenancy: {} } })),
      [
        "`name` must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 40 characters (got \"Acme\")",
        '`host` must be a DNS-1123 host name of two or more dot-separated labels of 1-63 lowercase letters, digits and "-" (the last with a letter: no IP address, wildcard, port or URL), at most 253 characters, such as "acme.example.com" (got "acme")',
        '`plan` must be one of "shared", "dedicated" (got "solo")',
        '`version` must be an image tag such as "2.4.1": letters, digits, "_", "." and "-", at most 128 characters (got "1.0 beta")',
      ],
    );
  });

  it("refuses settings the registry owns", () =>
    assert.deepEqual(
      problems(() =>
        parseTenantInput({ name: "acme", host: "acme.example.com", plan: "dedicated", version: "1", settings: { tenancy: {} } }),
      ),
      ["`settings.tenancy` is set by the registry from the tenant's `plan`; remove it (got an object)"],
    ));

  it("checks a version given alone", () =>
    assert.deepEqual(
      problems(() => parseVersion("v2 final")),
      ['`version` must be an image tag such as "2.4.1": letters, digits, "_", "." and "-", at most 128 characters (got "v2 final")'],
    ));

  it("replaces tags and digests with the version", () => {
    assert.equal(withVersion("ghcr.io/acme/api:1.0.0", "2.0.0"), "ghcr.io/acme/api:2.0.0");
    assert.equal(withVersion(`registry:5000/api@sha256:${"a".repeat(64)}`, "2.0.0"), "registry:5000/api:2.0.0");
    assert.equal(withVersion("registry:5000/api", "2.0.0"), "registry:5000/api:2.0.0");
  });
});

describe("fleet stacks", () => {
  const fleet = fleetStacks([
    tenant("acme", "dedicated"),
    tenant("initech", "shared"),
    tenant("globex", "dedicated"),
    tenant("umbrella", "shared"),
  ]);

  it("gives each dedicated tenant a stack and the shared tenants one, in registration order", () => {
    assert.deepEqual(
      fleet.map((s) => [s.name, s.plan, s.tenants]),
      [
        ["dev-acme", "dedicated", ["acme"]],
        ["dev-shared", "shared", ["initech", "umbrella"]],
        ["dev-globex", "dedicated", ["globex"]],
      ],
    );
  });

  it("names a stack on any cluster but local after its cluster, and gives each environment a shared stack per cluster", () => {
    const spread = fleetStacks([
      tenant("acme", "dedicated", "eu-1"),
      tenant("initech", "shared", "eu-1"),
      tenant("umbrella", "shared"),
      tenant("globex", "shared", "eu-1"),
    ]);
    assert.deepEqual(
      spread.map((s) => [s.name, s.cluster, s.tenants]),
      [
        ["dev-acme.eu-1", "eu-1", ["acme"]],
        ["dev-shared.eu-1", "eu-1", ["initech", "globex"]],
        ["dev-shared", "local", ["umbrella"]],
      ],
    );
    assert.equal(stackOf({ name: "acme", plan: "dedicated", environment: "staging", cluster: "local" }), "staging-acme");
  });

  it("sets tenancy and the images' tags from the registry", () => {
    const shared = fleet[1].settings;
    assert.deepEqual(shared.tenancy, {
      mode: "shared",
      tenants: [
        { name: "initech", host: "initech.example.com" },
        { name: "umbrella", host: "umbrella.example.com" },
      ],
    });
    assert.equal(shared.environment, "dev");
    assert.equal(atVersion(fleet[0], "1.1.0").settings.api.image, "hashicorp/http-echo:1.1.0");
    assert.equal(atVersion(fleet[0], "1.1.0").settings.worker.image, "hashicorp/http-echo:1.1.0");
  });

  it("passes a tenant's scheduling to its stack's config unchanged, valid for the program", () => {
    const scheduling = {
      nodeSelector: { "tenantstack.dev/node": "real" },
      tolerations: [{ key: "tenantstack.dev/node", value: "real", effect: "NoSchedule" }],
    };
    const placed = { ...tenant("acme", "dedicated"), settings: { ...tenantSettings(), scheduling } };
    const [stack] = fleetStacks([placed]);
    assert.deepEqual(stack.settings.scheduling, scheduling);
    assert.equal(stackConfigOf(stack.settings)["tenantstack:scheduling"], JSON.stringify(scheduling));
    assert.deepEqual(checkStack(stack).scheduling.tolerations, [{ ...scheduling.tolerations[0], operator: "Equal" }]);
  });

  it("places a migrating tenant's spare copy, not routed, in the stack of its other plan", () => {
    const spare = { plan: "dedicated" as const, cluster: "local", settings: tenant("initech", "dedicated").settings };
    const copying = fleetStacks(
      [tenant("initech", "shared"), tenant("umbrella", "shared")],
      [{ tenant: "initech", spare, homeRouted: true }],
    );
    assert.deepEqual(
      copying.map((s) => [s.name, s.tenants, s.settings.tenancy]),
      [
        [
          "dev-shared",
          ["initech", "umbrella"],
          {
            mode: "shared",
            tenants: [
              { name: "initech", host: "initech.example.com" },
              { name: "umbrella", host: "umbrella.example.com" },
            ],
          },
        ],
        ["dev-initech", ["initech"], { mode: "dedicated", tenant: { name: "initech", host: "initech.example.com", routed: false } }],
      ],
    );
    // The switch's hand-over: the target claims the host too, before the source lets it go.
    const routing = fleetStacks([tenant("initech", "shared")], [{ tenant: "initech", spare, homeRouted: true, spareRouted: true }]);
    assert.deepEqual(
      routing.map((s) => s.settings.tenancy),
      [
        { mode: "shared", tenants: [{ name: "initech", host: "initech.example.com" }] },
        { mode: "dedicated", tenant: { name: "initech", host: "initech.example.com" } },
      ],
    );
    assert.deepEqual(
      ["copying", "serving", "routing", "unrouting", "switched"].map((phase) => {
        const p = placementOf({ operationId: "m", tenant: "initech", phase, source: spare, target: spare } as TenantMigration)!;
        return [p.homeRouted, p.spareRouted ?? false, p.spareServed ?? false];
      }),
      [
        [true, false, false],
        [true, false, true],
        [true, true, true],
        [false, false, true],
        [true, false, true],
      ],
    );
    // After the switch the source copy is served, fenced, until its Ingress lets the host go.
    const switched = fleetStacks([tenant("initech", "shared")], [{ tenant: "initech", spare, homeRouted: true, spareServed: true }]);
    assert.deepEqual(switched[1].settings.tenancy, {
      mode: "dedicated",
      tenant: { name: "initech", host: "initech.example.com", routed: false, served: true },
    });
    const unrouting = fleetStacks([tenant("initech", "shared")], [{ tenant: "initech", spare, homeRouted: false }]);
    assert.deepEqual(unrouting[0].settings.tenancy, {
      mode: "shared",
      tenants: [{ name: "initech", host: "initech.example.com", routed: false, served: true }],
    });
  });
});

describe("migrations in flight", () => {
  const side = { plan: "dedicated" as const, cluster: "local", settings: {} };
  const migration = (phase: TenantMigration["phase"], removeAfter?: string) =>
    ({
      operationId: "move-1",
      tenant: "initech",
      phase,
      source: side,
      target: side,
      ...(removeAfter ? { removeAfter } : {}),
    }) as TenantMigration;

  it("is under way in an active phase, and once switched until its source copy is marked for removal", () => {
    assert.deepEqual(
      (["copying", "serving", "routing", "unrouting"] as const).map((phase) => inFlight(migration(phase))),
      [true, true, true, true],
    );
    // A driver killed after the registry's switch, before the source let the host go: still under way.
    assert.equal(inFlight(migration("switched")), true);
    assert.equal(inFlight(migration("switched", "2026-12-10T00:00:00.000Z")), false);
    assert.deepEqual(
      (["failed", "removed", "rolled-back"] as const).map((phase) => inFlight(migration(phase))),
      [false, false, false],
    );
  });

  it("holds a tenant's changes as mid-migration while switched and unfinished, then for its spare copy", () => {
    assert.match(
      migrationHold([migration("switched")], "initech", "it is deleted") ?? "",
      /is mid-migration \(operation "move-1", switched\): finish it/,
    );
    assert.match(
      migrationHold([migration("switched", "2026-12-10T00:00:00.000Z")], "initech", "it is deleted") ?? "",
      /still has the spare copy of migration "move-1"/,
    );
  });
});
