/**
 * A small client of the Kubernetes API for the driver's health gate, the e2e tests and benchmarks: reads objects back and
 * applies them server-side (dry-run for the benchmark's floor). Client-certificate kubeconfigs only,
 * which is what the local control plane writes.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are untyped JSON here; callers read the fields they need */
import { readFileSync } from "node:fs";
import * as https from "node:https";
import * as yaml from "js-yaml";
import { TenantstackError } from "./errors";

interface Kubeconfig {
  "current-context": string;
  contexts: { name: string; context: { cluster: string; user: string } }[];
  clusters: { name: string; cluster: { server: string; "certificate-authority"?: string; "certificate-authority-data"?: string } }[];
  users: {
    name: string;
    user: { "client-certificate"?: string; "client-key"?: string; "client-certificate-data"?: string; "client-key-data"?: string } & Record<
      string,
      unknown
    >;
  }[];
}

/** The current context of the kubeconfig file at `path`: the context, and its cluster and user as written. */
function currentContext(path: string) {
  const config = yaml.load(readFileSync(path, "utf8")) as Kubeconfig;
  const context = config.contexts?.find((c) => c.name === config["current-context"]);
  const cluster = config.clusters?.find((c) => c.name === context?.context.cluster)?.cluster;
  const user = config.users?.find((u) => u.name === context?.context.user)?.user;
  if (!context || !cluster || !user) throw new Error(`${path}: no cluster and user for context ${config["current-context"]}`);
  return { context, cluster, user };
}

/** One resource of an API group version, as discovery lists it. */
interface ApiResource {
  readonly name: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

/**
 * A Kubernetes API server's refusal or failure, with its HTTP status: retryable when the server was
 * overloaded or failing (429, 5xx), when a rerun may find it well again.
 */
export class KubeApiError extends TenantstackError {
  constructor(
    /** The API server's HTTP status. */
    readonly status: number,
    message: string,
  ) {
    super("kube_api_error", message, { retryable: status === 429 || status >= 500 });
    this.name = "KubeApiError";
  }

  override wireArgs(): readonly unknown[] {
    return [this.status, this.message];
  }
}

TenantstackError.register(KubeApiError);

/** Reads a kubeconfig field given inline (base64) or as a file path. */
function material(data: string | undefined, file: string | undefined): Buffer | undefined {
  if (data) return Buffer.from(data, "base64");
  return file ? readFileSync(file) : undefined;
}

export class KubeClient {
  /** Discovered resources of each group version, by its path. */
  private readonly discovery = new Map<string, ApiResource[]>();

  private constructor(
    private readonly server: URL,
    private readonly agent: https.Agent,
  ) {}

  /** A client for the current context of a kubeconfig file. */
  static fromKubeconfig(path: string): KubeClient {
    const { cluster, user } = currentContext(path);
    const agent = new https.Agent({
      ca: material(cluster["certificate-authority-data"], cluster["certificate-authority"]),
      cert: material(user["client-certificate-data"], user["client-certificate"]),
      key: material(user["client-key-data"], user["client-key"]),
      keepAlive: true,
    });
    return new KubeClient(new URL(cluster.server), agent);
  }

  /**
   * Sends a request; resolves the parsed JSON body, or rejects with a KubeApiError. A request sent on
   * a kept-alive connection that the server had closed meanwhile (after a long busy spell of the
   * event loop, the close is seen only then) is sent once more on a new one: it never reached the server.
   */
  async request<T>(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<T> {
    try {
      return await this.send<T>(method, path, body, contentType);
    } catch (error) {
      if (!(error as { staleConnection?: boolean }).staleConnection) throw error;
      return this.send<T>(method, path, body, contentType);
    }
  }

  private send<T>(method: string, path: string, body: unknown, contentType: string): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        new URL(path, this.server),
        { method, agent: this.agent, headers: { Accept: "application/json", ...(payload ? { "Content-Type": contentType } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(text ? (JSON.parse(text) as T) : (undefined as T));
            else reject(new KubeApiError(status, `${method} ${path}: ${status} ${text.slice(0, 500)}`));
          });
        },
      );
      req.on("error", (error: NodeJS.ErrnoException) =>
        reject(req.reusedSocket && error.code === "ECONNRESET" ? Object.assign(error, { staleConnection: true }) : error),
      );
      req.end(payload);
    });
  }

  /** An object, or undefined when it does not exist. */
  async get<T = any>(path: string): Promise<T | undefined> {
    try {
      return await this.request<T>("GET", path);
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** The items of a list. */
  async list<T = any>(path: string): Promise<T[]> {
    return (await this.request<{ items: T[] }>("GET", path)).items;
  }

  /** Server-side apply of one object at its path, optionally as a dry run. */
  apply<T = any>(path: string, object: unknown, options: { fieldManager: string; dryRun?: boolean }): Promise<T> {
    const query = `?fieldManager=${encodeURIComponent(options.fieldManager)}&force=true${options.dryRun ? "&dryRun=All" : ""}`;
    return this.request<T>("PATCH", `${path}${query}`, object, "application/apply-patch+yaml");
  }

  /** The REST path of an object (`apiVersion`, `kind`, `metadata.name` and `.namespace`), found by API discovery. */
  async pathOf(object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): Promise<string> {
    const base = object.apiVersion.includes("/") ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
    let resources = this.discovery.get(base);
    if (!resources) {
      resources = (await this.request<{ resources: ApiResource[] }>("GET", base)).resources;
      this.discovery.set(base, resources);
    }
    const resource = resources.find((r) => r.kind === object.kind && !r.name.includes("/"));
    if (!resource) throw new Error(`the API server has no ${object.kind} in ${object.apiVersion}`);
    const scope = resource.namespaced ? `/namespaces/${object.metadata.namespace}` : "";
    return `${base}${scope}/${resource.name}/${object.metadata.name}`;
  }

  /** Deletes an object; resolves whether it existed. `query` such as `gracePeriodSeconds=0&propagationPolicy=Background`. */
  async delete(path: string, query = ""): Promise<boolean> {
    try {
      await this.request("DELETE", query ? `${path}?${query}` : path);
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return false;
      throw error;
    }
  }

  /**
   * Streams the body of a GET (a pod's log with `follow=true`) line by line to `onLine` until the server
   * ends it or `signal` aborts (which resolves); rejects with a KubeApiError when the server refuses it.
   */
  stream(path: string, onLine: (line: string) => void, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return resolve();
      const req = https.request(new URL(path, this.server), { method: "GET", agent: this.agent, signal }, (res) => {
        const status = res.statusCode ?? 0;
        let pending = "";
        if (status < 200 || status >= 300) {
          res.on("data", (chunk: Buffer) => (pending += chunk.toString("utf8")));
          res.on("end", () => reject(new KubeApiError(status, `GET ${path}: ${status} ${pending.slice(0, 500)}`)));
          return;
        }
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          pending += chunk;
          let end: number;
          while ((end = pending.indexOf("\n")) !== -1) {
            onLine(pending.slice(0, end));
            pending = pending.slice(end + 1);
          }
        });
        res.on("end", () => {
          if (pending) onLine(pending);
          resolve();
        });
        res.on("error", (error) => (signal?.aborted ? resolve() : reject(error)));
      });
      req.on("error", (error) => (signal?.aborted ? resolve() : reject(error)));
      req.end();
    });
  }

  /** Polls `path` until `ready` holds for the object, or fails after `timeoutMs`. */
  async waitFor<T = any>(path: string, ready: (object: T) => boolean, timeoutMs = 120_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const object = await this.get<T>(path);
      if (object && ready(object)) return object;
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${path}: ${JSON.stringify(object)?.slice(0, 500)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** Closes the keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

/**
 * A kubeconfig that works on another machine: only the current context of the file at `path`, its
 * certificate authority and client credentials inlined (`*-data`), its server replaced by `server`
 * when given. Holds credentials: it goes only into a Kubernetes Secret.
 */
export function portableKubeconfig(path: string, server?: string): string {
  const { context, cluster, user } = currentContext(path);
  const inline = (data: string | undefined, file: string | undefined) => material(data, file)?.toString("base64");
  const { "client-certificate": certFile, "client-key": keyFile, "client-certificate-data": cert, "client-key-data": key, ...rest } = user;
  const [certData, keyData] = [inline(cert, certFile), inline(key, keyFile)];
  const portableUser = {
    ...rest,
    ...(certData ? { "client-certificate-data": certData } : {}),
    ...(keyData ? { "client-key-data": keyData } : {}),
  };
  const ca = inline(cluster["certificate-authority-data"], cluster["certificate-authority"]);
  return yaml.dump({
    apiVersion: "v1",
    kind: "Config",
    "current-context": context.name,
    contexts: [context],
    clusters: [
      {
        name: context.context.cluster,
        cluster: { server: server ?? cluster.server, ...(ca ? { "certificate-authority-data": ca } : {}) },
      },
    ],
    users: [{ name: context.context.user, user: portableUser }],
  });
}
