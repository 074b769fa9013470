/**
 * The real engine for the e2e tests and benchmarks: on the local control plane (./controlPlane), a
 * temporary file backend and stacks of the repository's own program driven by the Automation API.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, type PulumiFn, type Stack } from "@pulumi/pulumi/automation";
import { ensureControlPlane, KUBECONFIG, REPO } from "./controlPlane";
import { KubeClient } from "./kube";
import { removeNamespace } from "./testRun";
import { testDir } from "./testRun";

export { REPO };

/** A session with the engine on the local cluster; `close()` removes everything it created. */
export class EngineSession {
  readonly kube: KubeClient;
  private readonly stacks: Stack[] = [];

  private constructor(
    private readonly env: Record<string, string>,
    private readonly command: PulumiCommand,
    private readonly stateDir: string,
  ) {
    this.kube = KubeClient.fromKubeconfig(KUBECONFIG);
  }

  /** Ensures the control plane and makes a fresh file backend. */
  static async open(): Promise<EngineSession> {
    ensureControlPlane();
    const stateDir = testDir("e2e");
    mkdirSync(path.join(stateDir, "state"));
    const env = {
      PATH: process.env.PATH ?? "",
      KUBECONFIG,
      PULUMI_BACKEND_URL: `file://${stateDir}/state`,
      PULUMI_HOME: path.join(stateDir, "home"),
      PULUMI_CONFIG_PASSPHRASE: randomBytes(16).toString("hex"),
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      // `npm test` type-checks the program; the engine only needs it transpiled (a quarter faster).
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    };
    // Without `root`, PulumiCommand runs the `pulumi` found on this process's PATH (the toolchain first).
    const command = await PulumiCommand.get({ skipVersionCheck: true });
    return new EngineSession(env, command, stateDir);
  }

  /** A new stack of the repository's program with `config` as its `tenantstack:*` settings. */
  async stack(name: string, config: Record<string, unknown>): Promise<Stack> {
    const stack = await LocalWorkspace.createStack({ stackName: name, workDir: REPO }, { pulumiCommand: this.command, envVars: this.env });
    this.stacks.push(stack);
    await this.configure(stack, config);
    return stack;
  }

  /**
   * A new stack of an inline program: `program` runs in this process, with the components as this checkout has
   * them (a program of its own, composing them as a user does). {@link setProgram} changes it.
   */
  async inlineStack(name: string, program: PulumiFn): Promise<Stack> {
    const stack = await LocalWorkspace.createStack(
      { stackName: name, projectName: "tenantstack-inline", program },
      { pulumiCommand: this.command, envVars: this.env },
    );
    this.stacks.push(stack);
    return stack;
  }

  /** Runs `program` on the next operation of an inline stack. */
  setProgram(stack: Stack, program: PulumiFn): void {
    (stack.workspace as LocalWorkspace).program = program;
  }

  /** Replaces a stack's `tenantstack:*` settings. */
  async configure(stack: Stack, config: Record<string, unknown>): Promise<void> {
    const entries = Object.entries(config).map(([key, value]) => [
      `tenantstack:${key}`,
      { value: typeof value === "string" ? value : JSON.stringify(value) },
    ]);
    await stack.setAllConfig(Object.fromEntries(entries));
  }

  /**
   * Removes a stack for good, as the README says: lifts the stores' protection with
   * `allowVolumeReplacement`, destroys, then deletes the retained namespace and its claims. Best effort:
   * a teardown that fails leaves what `cluster.sh gc` removes.
   */
  async removeStack(stack: Stack, settings: Record<string, any>, namespace: string): Promise<void> {
    const lifted = { ...settings };
    for (const store of ["postgres", "redis", "ollama"]) lifted[store] = { ...settings[store], allowVolumeReplacement: true };
    await this.configure(stack, lifted).catch(() => undefined);
    await stack.up().catch(() => undefined);
    await stack.destroy().catch(() => undefined);
    await removeNamespace(this.kube, namespace);
  }

  /** The text of every file of the file backend: checkpoints, backups and history, as they rest on disk. */
  backendFiles(): string {
    const root = path.join(this.stateDir, "state");
    return readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => readFileSync(path.join(entry.parentPath, entry.name), "utf8"))
      .join("\n");
  }

  /** Removes the stacks' files and state. */
  async close(): Promise<void> {
    for (const stack of this.stacks) {
      await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
    }
    this.kube.close();
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** A stack name unique to this run. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString("hex")}`;
}
