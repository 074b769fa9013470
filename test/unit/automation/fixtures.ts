import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/** Small valid tenant settings for the driver's tests: no Ollama, no TLS, no ingress controller. */
export function tenantSettings(): Record<string, any> {
  const small = { cpuRequest: "10m", memoryRequest: "16Mi", cpuLimit: "100m", memoryLimit: "64Mi" };
  return {
    api: {
      image: "hashicorp/http-echo:1.0.0",
      args: ["-listen=:8080", "-text=api"],
      autoscaling: { enabled: false },
      replicas: 1,
      healthPath: "/",
      readyPath: "/",
      resources: small,
    },
    worker: {
      image: "hashicorp/http-echo:1.0.0",
      args: ["-listen=:8081", "-text=worker"],
      autoscaling: { enabled: false },
      health: { type: "http", port: 8081, path: "/" },
      resources: small,
    },
    postgres: { storageGi: 1, resources: { ...small, memoryLimit: "256Mi" }, backup: { enabled: false } },
    redis: { storageGi: 1, maxmemoryMb: 32, resources: small },
    ollama: { enabled: false },
    ingress: { tls: { issuer: "none" }, waitForAddress: false },
    secrets: { source: "generated", passwordProvider: "builtin" },
  };
}

/**
 * A stand-in Pulumi CLI at `<dir>/bin/pulumi` that only answers `pulumi version` (all the driver asks
 * of it before running a stack job), so that unit tests open drivers without a toolchain. Returns the binary.
 */
export function fakePulumiCli(dir: string, version = "v3.259.0"): string {
  const binary = path.join(dir, "bin/pulumi");
  mkdirSync(path.dirname(binary), { recursive: true });
  writeFileSync(binary, `#!/bin/sh\necho ${version}\n`, { mode: 0o755 });
  return binary;
}
