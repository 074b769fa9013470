/**
 * The clusters a fleet's stacks run on, by name (a tenant's `cluster`): each stack's engine, health
 * gate and migration drain reach the API server of its own cluster through that cluster's kubeconfig.
 * Pure checks, so a bad cluster list fails before any stack is touched.
 */
import { accessSync, constants } from "node:fs";
import * as path from "node:path";
import { CLUSTER_NAME_MAX, DEFAULT_CLUSTER } from "../schema/driverValues";
import { InputError } from "./errors";

export { CLUSTER_NAME_MAX, DEFAULT_CLUSTER } from "../schema/driverValues";

const CLUSTER_NAME = new RegExp(`^(?=.{1,${CLUSTER_NAME_MAX}}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$`);

/** The problem with `cluster` when it is not one of the driver's `clusters`, for an InputError. */
export function unknownCluster(clusters: readonly string[], cluster: string): string | undefined {
  return clusters.includes(cluster)
    ? undefined
    : `\`cluster\` must be one of the driver's clusters ${JSON.stringify(clusters)} (got "${cluster}")`;
}

/** How the driver reaches one cluster. */
export interface ClusterOptions {
  /** The kubeconfig file of the cluster (its current context is used); holds credentials: never logged. */
  readonly kubeconfig: string;
}

/** Each cluster's kubeconfig file; `undefined` for the default cluster reached with the engine's own `KUBECONFIG` (or `~/.kube/config`). */
export type ClusterKubeconfigs = Readonly<Record<string, string | undefined>>;

/**
 * The clusters of a driver with their kubeconfigs, and the problems with them (names that are not
 * DNS labels of at most 40 characters, kubeconfig files that cannot be read). Given none, the one
 * cluster `local` is reached with `defaultKubeconfig`.
 */
export function resolveClusters(
  clusters: Readonly<Record<string, ClusterOptions>> | undefined,
  defaultKubeconfig: string | undefined,
): { clusters: ClusterKubeconfigs; problems: string[] } {
  if (clusters === undefined) return { clusters: { [DEFAULT_CLUSTER]: defaultKubeconfig }, problems: [] };
  const problems: string[] = [];
  const resolved: Record<string, string> = {};
  if (Object.keys(clusters).length === 0) problems.push("`clusters` must name at least one cluster, or be omitted (got {})");
  for (const [name, cluster] of Object.entries(clusters)) {
    if (!CLUSTER_NAME.test(name))
      problems.push(
        `\`clusters\` keys must be DNS-1123 labels of at most ${CLUSTER_NAME_MAX} characters: lowercase letters, digits and '-' (got "${name}")`,
      );
    const file = cluster?.kubeconfig;
    if (typeof file !== "string" || file === "") {
      problems.push(`\`clusters.${name}.kubeconfig\` must be the path of a kubeconfig file (got ${JSON.stringify(file)})`);
      continue;
    }
    try {
      accessSync(file, constants.R_OK);
      resolved[name] = path.resolve(file);
    } catch (error) {
      problems.push(
        `\`clusters.${name}.kubeconfig\` must be a readable kubeconfig file (got "${file}": ${(error as NodeJS.ErrnoException).code})`,
      );
    }
  }
  return { clusters: resolved, problems };
}

/**
 * Parses `name=kubeconfig,name=kubeconfig` (the CLI's `--clusters`) into cluster options, or
 * throws an InputError naming each bad entry.
 */
export function parseClusterList(list: string): Record<string, ClusterOptions> {
  const clusters: Record<string, ClusterOptions> = {};
  const problems: string[] = [];
  for (const entry of list.split(",").map((e) => e.trim())) {
    const at = entry.indexOf("=");
    if (at <= 0 || at === entry.length - 1)
      problems.push(`\`--clusters\` entries must be NAME=KUBECONFIG, such as local=/root/.kube/config (got "${entry}")`);
    else clusters[entry.slice(0, at)] = { kubeconfig: entry.slice(at + 1) };
  }
  if (problems.length > 0) throw new InputError("options", problems);
  return clusters;
}
