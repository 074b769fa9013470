/**
 * The local control planes under the e2e suites and benchmarks: the toolchain built and on this
 * process's PATH, a cluster running (started here when it was down, and stopped again on release
 * only then), and cleaned of what finished or killed test runs left on it (`tools/cluster/gc.sh`).
 * The main cluster is also a mocha root-hook plugin: each cluster suite's `.mocharc.json` requires
 * this file, so any one suite runs on its own on a fresh machine or a used cluster. A second
 * cluster, `EDGE_CLUSTER`, on other ports and its own data, serves the tests that span two clusters.
 * `TENANTSTACK_CLUSTER_DIR` and `TENANTSTACK_CLUSTER_PORT_OFFSET` move the main cluster (as they do
 * `cluster.sh`'s), and the second one with it: its data dir `<main dir>-edge`, its ports 100 above.
 * `TENANTSTACK_TEST_KUBECONFIG` points the suites at a cluster of one's own instead (kind, minikube,
 * a cloud one): nothing is started or stopped there, only the engine is built.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";

export const REPO = path.join(__dirname, "../..");
const CLUSTER = path.join(REPO, "tools/cluster/cluster.sh");
const GC = path.join(REPO, "tools/cluster/gc.sh");
const CACHE = path.join(process.env.HOME ?? "/root", ".cache/tenantstack");

let toolchainOnPath = false;

/**
 * Builds what is missing of the toolchain and puts it first on PATH; once per process. The driver only
 * looks the built toolchain up (`automation/toolchain.ts`), never builds it: every suite that opens a
 * `Driver` runs this first (the root hooks below).
 */
function useToolchain(): void {
  if (toolchainOnPath) return;
  const toolchain = execFileSync(path.join(REPO, "tools/toolchain.sh"), ["path"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  process.env.PATH = `${toolchain}:${process.env.PATH}`;
  toolchainOnPath = true;
}

/** One instance of `tools/cluster/cluster.sh`: its data directory and the offset of its ports. */
export class ControlPlane {
  private started = false;
  private ready = false;

  constructor(
    /** The data directory (kubeconfig, certificates, etcd data, logs). */
    readonly dir: string,
    /** Added to each of the cluster's ports. */
    readonly portOffset = 0,
    /** The kubeconfig of a cluster of one's own, used as it is instead of a local one. */
    readonly ownKubeconfig?: string,
  ) {}

  /** Its admin kubeconfig (it exists once `ensure` has returned). */
  get kubeconfig(): string {
    return this.ownKubeconfig ?? path.join(this.dir, "kubeconfig");
  }

  /** Its `kubectl`: the one built with the local cluster, or the one on PATH for a cluster of one's own. */
  get kubectl(): string {
    return this.ownKubeconfig ? "kubectl" : path.join(this.dir, "bin/kubectl");
  }

  /**
   * Builds what is missing, puts the toolchain first on PATH, starts the cluster if it is down and
   * removes what earlier test runs, now gone, left on it; idempotent.
   */
  ensure(): void {
    if (this.ready) return;
    useToolchain();
    if (this.ownKubeconfig) {
      this.ready = true;
      return;
    }
    try {
      execFileSync(CLUSTER, ["status"], { stdio: "ignore", env: this.env() });
    } catch {
      execFileSync(CLUSTER, ["start"], { stdio: ["ignore", "inherit", "inherit"], env: this.env() });
      this.started = true;
    }
    execFileSync(GC, [], { stdio: ["ignore", "inherit", "inherit"], env: { ...this.env(), KUBECONFIG: this.kubeconfig } });
    this.ready = true;
  }

  /** Stops the cluster if `ensure` started it. */
  release(): void {
    if (this.started) execFileSync(CLUSTER, ["stop"], { stdio: "inherit", env: this.env() });
    this.started = false;
    this.ready = false;
  }

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, TENANTSTACK_CLUSTER_DIR: this.dir, TENANTSTACK_CLUSTER_PORT_OFFSET: String(this.portOffset) };
  }
}

/** The main local cluster. */
export const MAIN_CLUSTER = new ControlPlane(
  process.env.TENANTSTACK_CLUSTER_DIR ?? path.join(CACHE, "cluster"),
  Number(process.env.TENANTSTACK_CLUSTER_PORT_OFFSET ?? 0),
  process.env.TENANTSTACK_TEST_KUBECONFIG || undefined,
);

/** Whether the suites run on a cluster of one's own (`TENANTSTACK_TEST_KUBECONFIG`) rather than the local one. */
export const OWN_CLUSTER = MAIN_CLUSTER.ownKubeconfig !== undefined;

/** A second local cluster, its ports 100 above the main one's. */
export const EDGE_CLUSTER = new ControlPlane(`${MAIN_CLUSTER.dir}-edge`, MAIN_CLUSTER.portOffset + 100);

/** The main cluster's kubeconfig. */
export const KUBECONFIG = MAIN_CLUSTER.kubeconfig;

/** Brings the main cluster up; see {@link ControlPlane.ensure}. */
export const ensureControlPlane = (): void => MAIN_CLUSTER.ensure();

/** Stops the main cluster if it was started here. */
export const releaseControlPlane = (): void => MAIN_CLUSTER.release();

/** Mocha root hooks: the main cluster up before the first suite, released after the last. */
export const mochaHooks = {
  beforeAll(this: Mocha.Context) {
    this.timeout(0); // a first toolchain build on a fresh machine takes as long as it takes
    ensureControlPlane();
  },
  afterAll: releaseControlPlane,
};
