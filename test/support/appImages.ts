/**
 * Versions of the reference app's image for upgrade tests, made from the image tools/images builds
 * (never pulled) and imported into the real node's containerd: a healthy next version (the same app,
 * `APP_VERSION` changed) and a broken one (its entry point names a file the release lacks, so the
 * process exits at start, as a bad release does). umoci and skopeo are Debian's, installed by
 * tools/cluster/build.sh; no value reaches a shell.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { MAIN_CLUSTER, REPO } from "./controlPlane";

/** The node's containerd socket (tools/cluster/node.sh). */
const CONTAINERD = "/run/tenantstack-node/containerd/containerd.sock";

/** The refs of the app's versions; each one's tag is the version a fleet upgrade names. */
export interface AppVersions {
  /** The image tools/images builds: `localhost/tenantstack/app:1.0.0-bookworm`. */
  readonly current: string;
  /** The same app reporting `APP_VERSION` 1.0.1. */
  readonly next: string;
  /** A release whose process exits at start. */
  readonly broken: string;
}

/** The tag of an image ref: the version a fleet upgrade names to get it. */
export const tagOf = (ref: string): string => ref.slice(ref.lastIndexOf(":") + 1);

/** Builds (if missing) and imports the app's image, then makes and imports its next and broken versions. */
export function appVersions(): AppVersions {
  const [current, archive] = execFileSync(path.join(REPO, "tools/images/build.sh"), ["app"], { encoding: "utf8" }).trim().split(" ");
  const repository = current.slice(0, current.lastIndexOf(":"));
  const versions = { current, next: `${repository}:1.0.1-bookworm`, broken: `${repository}:1.0.2-broken` };
  const work = mkdtempSync(path.join(tmpdir(), "tenantstack-app-versions-"));
  const run = (command: string, args: string[]) => execFileSync(command, args, { cwd: work, stdio: ["ignore", "pipe", "pipe"] });
  const ctr = (args: string[]) => run(path.join(MAIN_CLUSTER.dir, "bin/ctr"), ["--address", CONTAINERD, "-n", "k8s.io", ...args]);
  try {
    run("skopeo", ["copy", "--quiet", `oci-archive:${archive}`, "oci:oci:current"]);
    run("umoci", ["config", "--image", "oci:current", "--tag", "next", "--config.env", "APP_VERSION=1.0.1"]);
    run("umoci", [
      "config",
      "--image",
      "oci:current",
      "--tag",
      "broken",
      "--clear=config.entrypoint",
      "--config.entrypoint",
      "/usr/local/bin/node",
      "--config.entrypoint",
      "/app/not-in-this-release.js",
    ]);
    for (const [tag, ref] of [
      ["current", versions.current],
      ["next", versions.next],
      ["broken", versions.broken],
    ]) {
      run("skopeo", ["copy", "--quiet", `oci:oci:${tag}`, `oci-archive:${tag}.tar:${ref}`]);
      ctr(["images", "import", `${tag}.tar`]);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return versions;
}
