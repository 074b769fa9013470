/**
 * A validating admission webhook that refuses a second Ingress claiming a host, as ingress-nginx's
 * does (its `checkOverlap`: same host and path in another Ingress, neither a canary), with the same
 * message. It listens on loopback with a certificate of its own for 127.0.0.1 (openssl, from Debian),
 * where the local control plane's API server reaches it, and applies to the given namespaces only.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { KubeClient } from "./kube";
import { readBody } from "./httpBody";

const CONFIGURATION = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations";

interface IngressObject {
  metadata: { name: string; namespace: string };
  spec?: { rules?: { host?: string; http?: { paths?: { path?: string }[] } }[] };
}

/** Host and path pairs an Ingress claims. */
function claims(ingress: IngressObject): string[] {
  return (ingress.spec?.rules ?? []).flatMap((rule) => (rule.http?.paths ?? [{}]).map((p) => `${rule.host ?? "_"} ${p.path || "/"}`));
}

/** The webhook; see the module's comment. */
export class OneIngressPerHost {
  /** The refusals it answered, as their messages. */
  readonly refused: string[] = [];

  private constructor(
    private readonly kube: KubeClient,
    private readonly server: Server,
    private readonly name: string,
  ) {}

  /** Starts the server and registers the webhook for `namespaces`. */
  static async start(kube: KubeClient, name: string, namespaces: readonly string[]): Promise<OneIngressPerHost> {
    const dir = mkdtempSync(path.join(os.tmpdir(), "ingress-webhook-"));
    let key: Buffer, cert: Buffer;
    try {
      execFileSync(
        "openssl",
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"].concat([
          "-addext",
          "subjectAltName=IP:127.0.0.1",
          "-keyout",
          path.join(dir, "key.pem"),
          "-out",
          path.join(dir, "cert.pem"),
        ]),
        { stdio: "ignore" },
      );
      [key, cert] = [readFileSync(path.join(dir, "key.pem")), readFileSync(path.join(dir, "cert.pem"))];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const server = createServer({ key, cert });
    const webhook = new OneIngressPerHost(kube, server, name);
    server.on("request", (req, res) => {
      void (async () => {
        const review = (await readBody(req)).json as { request: { uid: string; object: IngressObject } };
        const response = await webhook.review(review.request);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response }));
      })().catch((error: Error) => {
        res.writeHead(500);
        res.end(error.message);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    await kube.request("POST", CONFIGURATION, {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: { name },
      webhooks: [
        {
          name: "validate.nginx.ingress.kubernetes.io",
          clientConfig: { url: `https://127.0.0.1:${port}/validate`, caBundle: cert.toString("base64") },
          rules: [{ apiGroups: ["networking.k8s.io"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["ingresses"] }],
          namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [...namespaces] }] },
          failurePolicy: "Fail",
          sideEffects: "None",
          admissionReviewVersions: ["v1"],
          timeoutSeconds: 10,
        },
      ],
    });
    return webhook;
  }

  /** Removes the webhook and stops the server. */
  async close(): Promise<void> {
    await this.kube.request("DELETE", `${CONFIGURATION}/${this.name}`).catch(() => undefined);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async review(request: { uid: string; object: IngressObject }): Promise<Record<string, unknown>> {
    const { uid, object } = request;
    const mine = new Set(claims(object));
    for (const other of await this.kube.list<IngressObject>("/apis/networking.k8s.io/v1/ingresses")) {
      if (other.metadata.namespace === object.metadata.namespace && other.metadata.name === object.metadata.name) continue;
      const clash = claims(other).find((claim) => mine.has(claim));
      if (clash) {
        const [host, pathName] = clash.split(" ");
        // The API server puts `admission webhook "<name>" denied the request: ` before it.
        const message = `host "${host}" and path "${pathName}" is already defined in ingress ${other.metadata.namespace}/${other.metadata.name}`;
        this.refused.push(message);
        return { uid, allowed: false, status: { code: 400, message } };
      }
    }
    return { uid, allowed: true };
  }
}
