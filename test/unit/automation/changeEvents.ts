/**
 * Engine events of a dedicated stack's preview, shaped as the engine sends them to the Automation
 * API's `onEvent` with the Kubernetes provider: a step's changed keys in `detailedDiff` (its `diffs`
 * empty), its old and new inputs and outputs with secrets blinded, a pre-event and an outputs event
 * per step, a replacement as three steps.
 */
import { DiffKind, type EngineEvent, type OpType, type StepEventMetadata } from "@pulumi/pulumi/automation";

/** A secret as events carry it: blinded. */
export const BLINDED = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "[secret]" };

const urn = (chain: string, name: string) => `urn:pulumi:dev-acme::tenantstack::tenantstack:stack:AppStack$${chain}::${name}`;

/** The api Deployment, the credentials Secret and the Postgres StatefulSet of the stack `dev-acme`. */
export const API = urn("tenantstack:workload:Api$kubernetes:apps/v1:Deployment", "tenantstack-api-deployment");
export const CREDENTIALS = urn("tenantstack:security:Secrets$kubernetes:core/v1:Secret", "tenantstack-secrets-credentials");
export const POSTGRES = urn("tenantstack:data:Postgres$kubernetes:apps/v1:StatefulSet", "tenantstack-postgres-statefulset");
const SERVICE = urn("tenantstack:workload:Api$kubernetes:core/v1:Service", "tenantstack-api-service");
const WORKER = urn("tenantstack:workload:Worker$kubernetes:apps/v1:Deployment", "tenantstack-worker-deployment");

/** Plain values the events below carry: none may be shown. */
export const VALUES = ["hashicorp/http-echo:1.0.0", "9c1185a5c5e9fc54612808977ee8f548b2258d31", "acme.example.com"];
const [IMAGE, CHECKSUM, HOST] = VALUES;

/** The metadata of a step on `urn`: its type is the URN's last type. */
export function step(op: OpType, resourceUrn: string, extra: Partial<StepEventMetadata>): StepEventMetadata {
  const type = resourceUrn.split("::")[2].split("$").pop()!;
  return {
    op,
    urn: resourceUrn,
    type,
    provider: "urn:pulumi:dev-acme::tenantstack::pulumi:providers:kubernetes::default::04da6b54",
    ...extra,
  };
}

let sequence = 0;
export const preEvent = (metadata: StepEventMetadata): EngineEvent =>
  ({ sequence: ++sequence, timestamp: 1764633600, resourcePreEvent: { metadata, planning: true } }) as EngineEvent;
const outputsEvent = (metadata: StepEventMetadata): EngineEvent =>
  ({ sequence: ++sequence, timestamp: 1764633600, resOutputsEvent: { metadata, planning: true } }) as EngineEvent;
/** A step's two events. */
const both = (metadata: StepEventMetadata) => [preEvent(metadata), outputsEvent(metadata)];

/** A resource's state in a step. */
export const state = (resourceUrn: string, inputs: Record<string, unknown>, outputs: Record<string, unknown> = inputs) => ({
  urn: resourceUrn,
  type: resourceUrn.split("::")[2].split("$").pop()!,
  id: "tenantstack-dev-acme/api",
  parent: "",
  provider: "",
  inputs,
  outputs,
});

/** The annotation of the api's pods that changes with its settings. */
export const SETTINGS_CHECKSUM = 'spec.template.metadata.annotations["tenantstack.io/settings-checksum"]';
const deployment = (replicas: number, checksum: string) => ({
  metadata: { name: "api" },
  spec: {
    replicas,
    template: {
      metadata: { annotations: { "tenantstack.io/settings-checksum": checksum } },
      spec: { containers: [{ name: "api", image: IMAGE }] },
    },
  },
});

/** The api Deployment's update from `api.replicas` 1 to 2 (the settings' checksum on its pods changes with them). */
export function apiReplicasEvents(): EngineEvent[] {
  return both(
    step("update", API, {
      old: state(API, deployment(1, CHECKSUM)),
      new: state(API, deployment(2, "5d41402abc4b2a76b9719d911017c592ae3f8b2e"), {}),
      diffs: [],
      detailedDiff: {
        "spec.replicas": { diffKind: DiffKind.update, inputDiff: false },
        [SETTINGS_CHECKSUM]: { diffKind: DiffKind.update, inputDiff: false },
      },
    }),
  );
}

/** Two resources left as they are. */
export function sameEvents(): EngineEvent[] {
  return [SERVICE, WORKER].flatMap((resourceUrn) => both(step("same", resourceUrn, { old: state(resourceUrn, { spec: { host: HOST } }) })));
}

/** The credentials Secret's update: a tenant's database URL added, the Postgres password changed, a label with them. */
export function credentialsEvents(): EngineEvent[] {
  const secret = (version: string) => ({ metadata: { labels: { "app.kubernetes.io/version": version } }, type: "Opaque", data: BLINDED });
  return both(
    step("update", CREDENTIALS, {
      old: state(CREDENTIALS, secret("1.0.0")),
      new: state(CREDENTIALS, secret("1.0.1"), {}),
      diffs: [],
      detailedDiff: {
        'data["POSTGRES_PASSWORD"]': { diffKind: DiffKind.update, inputDiff: false },
        'data["DATABASE_URL_acme"]': { diffKind: DiffKind.add, inputDiff: false },
        'metadata.labels["app.kubernetes.io/version"]': { diffKind: DiffKind.update, inputDiff: false },
      },
    }),
  );
}

/** The Postgres StatefulSet replaced for a new volume size: the new one created, the replacement, the old one deleted. */
export function postgresResizeEvents(): EngineEvent[] {
  const detailedDiff = {
    "spec.volumeClaimTemplates[0].spec.resources.requests.storage": { diffKind: DiffKind.updateReplace, inputDiff: false },
  };
  const sized = (storage: string) => ({ spec: { volumeClaimTemplates: [{ spec: { resources: { requests: { storage } } } }] } });
  const common = { old: state(POSTGRES, sized("1Gi")), new: state(POSTGRES, sized("2Gi"), {}), diffs: [], keys: ["spec"] };
  return [
    ...both(step("create-replacement", POSTGRES, { ...common, detailedDiff })),
    ...both(step("replace", POSTGRES, { ...common, detailedDiff, logical: true })),
    ...both(step("delete-replaced", POSTGRES, { old: common.old })),
  ];
}
