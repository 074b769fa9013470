/** The tests use the driver's Kubernetes client (the health gate reads workloads with it), and read back what stacks made. */
import type { KubeClient } from "../../automation/kube";

export * from "../../automation/kube";

/** The hosts of the api Ingress of a namespace, read from the API server ([] when there is none). */
export async function ingressHosts(kube: KubeClient, namespace: string): Promise<string[]> {
  const ingress = await kube.get(`/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses/api`);
  return (ingress?.spec.rules ?? []).map((rule: { host: string }) => rule.host);
}
