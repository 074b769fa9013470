/**
 * The local control plane under the e2e suites and benchmarks: the toolchain built and on this
 * process's PATH, the cluster running (started here when it was down, and stopped again by
 * `releaseControlPlane` only then). Also a mocha root-hook plugin: each cluster suite's
 * `.mocharc.json` requires this file, so any one suite runs on its own on a fresh machine.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";

export const REPO = path.join(__dirname, "../..");
const CLUSTER = path.join(REPO, "tools/cluster/cluster.sh");
const CLUSTER_DIR = process.env.TENANTSTACK_CLUSTER_DIR ?? path.join(process.env.HOME ?? "/root", ".cache/tenantstack/cluster");

/** The kubeconfig the local cluster writes (it exists once `ensureControlPlane` has returned). */
export const KUBECONFIG = path.join(CLUSTER_DIR, "kubeconfig");

let ready = false;
let startedCluster = false;

/** Builds what is missing, puts the toolchain first on PATH and starts the cluster if it is down; idempotent. */
export function ensureControlPlane(): void {
  if (ready) return;
  const toolchain = execFileSync(path.join(REPO, "tools/toolchain.sh"), ["path"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  process.env.PATH = `${toolchain}:${process.env.PATH}`;
  try {
    execFileSync(CLUSTER, ["status"], { stdio: "ignore" });
  } catch {
    execFileSync(CLUSTER, ["start"], { stdio: ["ignore", "inherit", "inherit"] });
    startedCluster = true;
  }
  ready = true;
}

/** Stops the cluster if `ensureControlPlane` started it. */
export function releaseControlPlane(): void {
  if (startedCluster) execFileSync(CLUSTER, ["stop"], { stdio: "inherit" });
  startedCluster = false;
  ready = false;
}

/** Mocha root hooks: the control plane up before the first suite, released after the last. */
export const mochaHooks = {
  beforeAll(this: Mocha.Context) {
    this.timeout(0); // a first toolchain build on a fresh machine takes as long as it takes
    ensureControlPlane();
  },
  afterAll: releaseControlPlane,
};
