/**
 * The data plane of stacks that run their own Postgres and Redis (the default): each stack's servers
 * are its `postgres-0` and `redis-0` pods in its namespace, reached at their pod addresses, as the
 * superuser (`postgres`) and the default user with the passwords of its `credentials` Secret. Both are
 * read from the stack's cluster at each use, through the driver's kubeconfig of that cluster.
 */
import { CREDENTIALS_SECRET, CREDENTIAL_KEYS, PORTS } from "../../components/contract";
import { DataServerError } from "../errors";
import type { KubeApi } from "./data/kubeDrain";
import type { DataEndpoints } from "./data/settings";
import { type FleetStack, namespaceOf } from "../registry/tenant";
import type { DataPlaneAccess, MigrationDataPlane } from "./config";

/** A lookup that failed, as the data servers' error: the stack, what was missing and what to do; never a value. */
function lookupError(stack: string, problem: string): DataServerError {
  return new DataServerError([`stack "${stack}": ${problem}; deploy the stack (\`tenantstack up\`) and check its pods`]);
}

interface Pod {
  status?: { podIP?: string; phase?: string };
}
interface Secret {
  data?: Record<string, string>;
}

/** The URL-encoded password of `key` in the Secret, or a lookup error naming the key (never its value). */
function password(secret: Secret, key: string, stack: string, namespace: string): string {
  const value = secret.data?.[key];
  if (value === undefined) throw lookupError(stack, `the Secret ${namespace}/${CREDENTIALS_SECRET} has no key ${key}`);
  return encodeURIComponent(Buffer.from(value, "base64").toString("utf8"));
}

/** The `--data-plane` value (and TENANTSTACK_DATA_PLANE) that chooses the cluster data plane instead of a file. */
export const CLUSTER_DATA_PLANE = "cluster";

/**
 * The cluster data plane (see the module's comment). The driver must reach the pods' addresses: run it
 * in the cluster, or beside the local cluster's real node, whose pod range is this machine's bridge.
 */
export function clusterDataPlane(): MigrationDataPlane {
  return {
    async endpoints(stack: FleetStack, access?: DataPlaneAccess): Promise<DataEndpoints> {
      const kube: KubeApi | undefined = access?.kube(stack.cluster);
      if (!kube) throw lookupError(stack.name, `the driver has no kubeconfig of its cluster "${stack.cluster}"`);
      const namespace = namespaceOf(stack);
      const get = async <T>(path: string, what: string): Promise<T> => {
        try {
          return await kube.request<T>("GET", path);
        } catch (error) {
          throw lookupError(stack.name, `reading ${what} in namespace ${namespace} failed (${(error as Error).message})`);
        }
      };
      const secret = await get<Secret>(`/api/v1/namespaces/${namespace}/secrets/${CREDENTIALS_SECRET}`, `the Secret ${CREDENTIALS_SECRET}`);
      const address = async (pod: string) => {
        const found = await get<Pod>(`/api/v1/namespaces/${namespace}/pods/${pod}`, `the pod ${pod}`);
        if (!found.status?.podIP || found.status.phase !== "Running")
          throw lookupError(stack.name, `the pod ${namespace}/${pod} is ${found.status?.phase ?? "not scheduled"}, without an address`);
        return found.status.podIP;
      };
      const postgres = password(secret, CREDENTIAL_KEYS.postgresPassword, stack.name, namespace);
      const redis = password(secret, CREDENTIAL_KEYS.redisPassword, stack.name, namespace);
      return {
        postgresUrl: `postgres://postgres:${postgres}@${await address("postgres-0")}:${PORTS.postgres}/postgres`,
        redisUrl: `redis://:${redis}@${await address("redis-0")}:${PORTS.redis}`,
      };
    },
  };
}
