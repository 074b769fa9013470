import type * as pulumi from "@pulumi/pulumi";
import { cloudSecretName, type StackSpec } from "../../schema";
import { credentialKey, CREDENTIALS_SECRET } from "../contract";
import { AwsIntegration } from "./aws";
import { AzureIntegration } from "./azure";
import type { CloudIntegration, CloudIntegrationArgs } from "./base";
import { GcpIntegration } from "./gcp";

/**
 * The cloud integration of a validated stack, serving what its settings ask of the cloud: the credentials
 * with `secrets.source: cloud`, the object store backup, DNS-01 on the cloud's DNS. None with `cloud: none`.
 * The cloud's provider package is loaded only here, when its integration is built.
 * @internal
 */
export function stackCloudIntegration(
  name: string,
  instance: string,
  spec: StackSpec,
  namespace: string,
  cloudValues: Readonly<Record<string, pulumi.Input<string>>> | undefined,
  opts: pulumi.ComponentResourceOptions,
): CloudIntegration | undefined {
  if (spec.cloud === undefined || spec.cloud === "none") return undefined;
  const secrets = spec.secrets;
  const backup = spec.postgres.backup;
  const tls = spec.ingress.tls;
  const solver = tls.issuer === "letsencrypt-staging" || tls.issuer === "letsencrypt-prod" ? tls.solver : undefined;
  const args: CloudIntegrationArgs = {
    namespace,
    instance,
    secrets:
      secrets.source === "cloud" && cloudValues
        ? {
            target: CREDENTIALS_SECRET,
            refreshInterval: secrets.refreshInterval,
            entries: Object.fromEntries(
              Object.entries(cloudValues).map(([credential, value]) => [
                cloudSecretName(namespace, credential),
                { secretKey: credentialKey(credential), value },
              ]),
            ),
          }
        : undefined,
    backup:
      backup.enabled && backup.destination.type !== "volume"
        ? { destination: backup.destination, retentionDays: backup.retentionDays }
        : undefined,
    dns01Zone: solver?.type === "dns01" ? solver.zone : undefined,
  };
  const integrationName = `${name}-cloud`;
  switch (spec.cloud) {
    case "aws":
      return new AwsIntegration(integrationName, { ...args, settings: spec.aws }, opts);
    case "gcp":
      return new GcpIntegration(integrationName, { ...args, settings: spec.gcp }, opts);
    case "azure":
      return new AzureIntegration(integrationName, { ...args, settings: spec.azure }, opts);
  }
}
