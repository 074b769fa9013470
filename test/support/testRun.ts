/**
 * The marks of what a test run makes, so that `tools/cluster/gc.sh` removes what a finished or
 * killed run left on the cluster and in the temporary directory, and nothing else: the run's owner
 * (this process, as `<pid>.<start time>` so that a reused pid is not taken for it) is the value of
 * the label `tenantstack.dev/test-run` on the namespaces (set by the stacks themselves, through
 * `namespaceLabels`) and volumes of the run, and the content of a file `.tenantstack-test-run` in
 * each of its temporary directories.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { KubeClient } from "./kube";

/** The label that marks a test run's objects. */
export const TEST_RUN_LABEL = "tenantstack.dev/test-run";

/** This run's owner: the pid and the start time (clock ticks after boot, field 22 of `/proc/<pid>/stat`). */
export const TEST_RUN = `${process.pid}.${readFileSync("/proc/self/stat", "utf8").split(") ").pop()!.split(" ")[19]}`;

/** The labels of a namespace (or volume) this run makes; stack settings take them as `namespaceLabels`. */
export const TEST_RUN_LABELS: Readonly<Record<string, string>> = { [TEST_RUN_LABEL]: TEST_RUN };

/** A new directory `tenantstack-<prefix>-*` in the temporary directory, marked as this run's. */
export function testDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `tenantstack-${prefix}-`));
  writeFileSync(path.join(dir, ".tenantstack-test-run"), TEST_RUN);
  return dir;
}

/**
 * Deletes a namespace the run made, first marking the volumes of its claims as the run's: once
 * Released, they are recycled by the next `gc.sh` after this run.
 */
export async function removeNamespace(kube: KubeClient, namespace: string): Promise<void> {
  const claims = await kube.list(`/api/v1/namespaces/${namespace}/persistentvolumeclaims`).catch(() => []);
  for (const volume of claims.map((claim) => claim.spec?.volumeName).filter(Boolean)) {
    await kube
      .request("PATCH", `/api/v1/persistentvolumes/${volume}`, { metadata: { labels: TEST_RUN_LABELS } }, "application/merge-patch+json")
      .catch(() => undefined);
  }
  await kube.request("DELETE", `/api/v1/namespaces/${namespace}`).catch(() => undefined);
}
