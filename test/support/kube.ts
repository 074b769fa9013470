/** The tests use the driver's Kubernetes client (the health gate reads workloads with it). */
export * from "../../automation/kube";
