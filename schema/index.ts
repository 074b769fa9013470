export * from "./data";
export { ValidationError } from "./errors";
export * from "./ingress";
export * from "./naming";
export * from "./secrets";
export * from "./stack";
export * from "./tenant";
export * from "./workloads";
export * from "./config";
