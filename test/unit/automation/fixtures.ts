import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CancelledError, StackOperationError } from "../../../automation/errors";
import type { Executor, ExecutorRunOptions } from "../../../automation/operations/executor";
import type { StackJob, StackJobResult } from "../../../automation/operations/stackJob";

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

/** A dedicated tenant at version 1.0.0 with the fixture's settings, as the registry takes it. */
export function dedicatedTenant(name: string) {
  return { name, host: `${name}.example.com`, plan: "dedicated" as const, version: "1.0.0", settings: tenantSettings() };
}

/**
 * A stand-in Pulumi CLI at `<dir>/bin/pulumi`, so that unit tests open drivers without a toolchain: it
 * answers `pulumi version` (all the driver asks of it before running a stack job) and, as the real CLI
 * does outside a project directory, `pulumi stack ls --json --project tenantstack` with the stacks
 * {@link setFakeStacks} gave it (none at first); any other `stack ls` fails, as the real one does
 * without a project. With `failure`, every other command prints it to stderr and exits 255, as the CLI
 * fails. Every run's arguments are appended to `<dir>/calls.log`. Returns the binary.
 */
export function fakePulumiCli(dir: string, version = "v3.259.0", failure?: string): string {
  const binary = path.join(dir, "bin/pulumi");
  mkdirSync(path.dirname(binary), { recursive: true });
  writeFileSync(
    binary,
    [
      "#!/bin/sh",
      `dir='${dir}'`,
      'echo "$*" >> "$dir/calls.log"',
      'case "$*" in',
      '  "stack ls --json --project tenantstack"|"stack ls --json --project tenantstack --non-interactive")',
      '    if [ -f "$dir/stacks.json" ]; then cat "$dir/stacks.json"; else echo "[]"; fi ;;',
      '  "stack ls"*) echo "error: no Pulumi.yaml found; please run this command in a project directory" >&2; exit 255 ;;',
      `  version) echo ${version} ;;`,
      failure === undefined ? `  *) echo ${version} ;;` : `  *) echo '${failure.replace(/'/g, "")}' >&2; exit 255 ;;`,
      "esac",
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  return binary;
}

/**
 * Sets the stacks the fake CLI of `binary` lists, each with its resource count (`undefined`: a stack
 * the CLI lists without one), named as the real CLI names them outside the project.
 */
export function setFakeStacks(binary: string, stacks: Readonly<Record<string, number | undefined>>): void {
  const listed = Object.entries(stacks).map(([name, resourceCount]) => ({
    name: `organization/tenantstack/${name}`,
    current: false,
    ...(resourceCount !== undefined ? { resourceCount } : {}),
  }));
  writeFileSync(path.join(path.dirname(path.dirname(binary)), "stacks.json"), JSON.stringify(listed, null, 2));
}

/** The arguments of each run of the fake CLI of `binary`, in order. */
export function fakeCliCalls(binary: string): string[] {
  const log = path.join(path.dirname(path.dirname(binary)), "calls.log");
  return existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [];
}

/** What the Pulumi CLI says when the passphrase does not unlock a stack (pulumi/pulumi `pkg/secrets/passphrase/manager.go`). */
export const INCORRECT_PASSPHRASE =
  "error: failed to decrypt: incorrect passphrase, please set PULUMI_CONFIG_PASSPHRASE to the correct passphrase or set " +
  "PULUMI_CONFIG_PASSPHRASE_FILE to a file containing the passphrase";

/**
 * An executor that records each job and fails those of the stacks in `failing`, with no process or
 * engine; while `hold` is set, each job waits for it, or for its cancel (a CancelledError then).
 */
export class RecordingExecutor implements Executor {
  readonly jobs: StackJob[] = [];
  readonly failing = new Set<string>();
  hold?: Promise<void>;
  async run(job: StackJob, options: ExecutorRunOptions = {}): Promise<StackJobResult> {
    this.jobs.push(job);
    const { signal } = options;
    if (this.hold) {
      const cancelled = new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
      await Promise.race([this.hold, cancelled]);
    }
    if (signal?.aborted) throw new CancelledError(`${job.kind} of ${job.stack}`);
    if (this.failing.has(job.stack)) throw new StackOperationError(job.stack, job.kind, "planted failure");
    return { stack: job.stack, kind: job.kind, durationMs: 1 };
  }
  async close(): Promise<void> {}
}
