import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Ingress, InvalidArgsError } from "../../../components";
import { capture, one, propsOf, resolve, T, settle } from "./capture";
import { rejectsArgs } from "./invalidArgs";

const HOST_NAME =
  'must be a DNS-1123 host name of two or more dot-separated labels of 1-63 lowercase letters, digits and "-" (the last with a letter: no IP address, wildcard, port or URL), at most 253 characters, such as "acme.example.com"';

describe("Ingress: hosts and issuer names from other resources", () => {
  it("may come from another resource: an Output host is routed and served", async () => {
    const { resources, opts } = capture();
    const ingress = new Ingress(
      "ingress",
      {
        namespace: "apps",
        spec: { tls: { issuer: "letsencrypt-staging", email: "ops@example.com" } },
        hosts: ["acme.example.com", pulumi.output("globex.example.com")],
      },
      opts,
    );
    const props = await propsOf(resources, T.ingress);
    assert.deepEqual(
      props.spec.rules.map((rule: { host: string }) => rule.host),
      ["acme.example.com", "globex.example.com"],
    );
    assert.deepEqual(props.spec.tls, [
      { hosts: ["acme.example.com"], secretName: "tls-acme-example-com" },
      { hosts: ["globex.example.com"], secretName: "tls-globex-example-com" },
    ]);
    assert.deepEqual(await Promise.all(ingress.urls.map(resolve)), ["https://acme.example.com", "https://globex.example.com"]);
    assert.ok(one(resources, T.ingress));
  });

  it("are checked when known now, before anything registers", () => {
    rejectsArgs(
      'Ingress "ingress"',
      (opts) =>
        new Ingress(
          "ingress",
          { namespace: "apps", spec: { tls: { issuer: "none" } }, hosts: [pulumi.output("later.example.com"), "Acme"] },
          opts,
        ),
      [`\`hosts[1]\` ${HOST_NAME} (got "Acme")`],
    );
  });

  it("are checked when an Output resolves, failing the deployment with the same message", async () => {
    const { opts } = capture();
    const ingress = new Ingress(
      "late",
      { namespace: "apps", spec: { tls: { issuer: "none" } }, hosts: ["acme.example.com", pulumi.output("Acme")] },
      opts,
    );
    await assert.rejects(settle(ingress.urls[1]), (error: unknown) => {
      assert.ok(error instanceof InvalidArgsError);
      assert.equal(error.message, `Invalid arguments of Ingress "late" (1 problem):\n  - \`hosts[1]\` ${HOST_NAME} (got "Acme")`);
      return true;
    });
    assert.equal(await settle(ingress.urls[0]), "http://acme.example.com");
  });

  it("an existing issuer's name may be an Output too, checked when it resolves", async () => {
    const { resources, opts } = capture();
    const tls = { issuer: "existing" as const, kind: "Issuer" as const, name: pulumi.output("team-issuer") };
    new Ingress("issued", { namespace: "apps", spec: { tls }, hosts: ["acme.example.com"] }, opts);
    const props = await propsOf(resources, T.ingress);
    assert.equal(props.metadata.annotations["cert-manager.io/issuer"], "team-issuer");

    const wrong = new Ingress(
      "wrong",
      { namespace: "apps", spec: { tls: { ...tls, name: pulumi.output("Team Issuer") } }, hosts: ["acme.example.com"] },
      opts,
    );
    await assert.rejects(settle(wrong.ingressName), (error: unknown) => {
      assert.ok(error instanceof InvalidArgsError, String(error));
      assert.match(
        error.message,
        /Invalid arguments of Ingress "wrong" \(1 problem\):\n  - `spec.tls.name` must be a DNS-1123 label: .* \(got "Team Issuer"\)$/,
      );
      return true;
    });
  });
});
