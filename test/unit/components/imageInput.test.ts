import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Api, InvalidArgsError, Worker } from "../../../components";
import { capture, propsOf, T, settle } from "./capture";

const CREDENTIALS = { credentialsSecretName: "credentials", tenantCredentialsSecretName: "tenant-credentials" };
const WIRING = { credentialKeys: ["POSTGRES_PASSWORD"], tenancyMode: "dedicated" as const, tenants: ["acme"], ollama: false };
const IMAGE =
  'must be a container image reference (lowercase repository, one tag and/or a digest) with an explicit tag or digest, such as "ghcr.io/acme/api:1.2.3"; ":latest" and untagged images are not reproducible';

describe("the API's and worker's image", () => {
  it("may come from another resource: an Output image runs, with the settings checksum of the same image given plainly", async () => {
    const { resources, opts } = capture();
    const image = "ghcr.io/example/api:1.0.0";
    new Api("plain", { namespace: "apps", credentials: CREDENTIALS, spec: { image }, wiring: WIRING }, opts);
    new Api("built", { namespace: "apps", credentials: CREDENTIALS, spec: { image: pulumi.output(image) }, wiring: WIRING }, opts);
    const plain = await propsOf(resources, T.deployment, "plain-deployment");
    const built = await propsOf(resources, T.deployment, "built-deployment");
    assert.equal(built.spec.template.spec.containers[0].image, image);
    assert.equal(
      built.spec.template.metadata.annotations["tenantstack.io/settings-checksum"],
      plain.spec.template.metadata.annotations["tenantstack.io/settings-checksum"],
    );
  });

  it("is checked when an Output resolves, failing the deployment with the message it would have had", async () => {
    const { opts } = capture();
    const worker = new Worker(
      "worker",
      { namespace: "apps", credentials: CREDENTIALS, spec: { image: pulumi.output("worker") }, wiring: WIRING },
      opts,
    );
    await assert.rejects(settle(worker.deploymentName), (error: unknown) => {
      assert.ok(error instanceof InvalidArgsError, String(error));
      // The SDK names the property whose Output failed, before the message.
      assert.equal(
        error.message,
        `error serializing property "spec": Invalid arguments of Worker "worker" (1 problem):\n  - \`spec.image\` ${IMAGE} (got "worker")`,
      );
      return true;
    });
  });
});
