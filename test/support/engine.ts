/**
 * The real engine and local control plane for the e2e tests and benchmarks: the toolchain on PATH,
 * the local cluster running (started here, and stopped at the end, when it was not running already),
 * a temporary file backend and stacks of the repository's own program driven by the Automation API.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { KubeClient } from "./kube";

export const REPO = path.join(__dirname, "../..");
const CLUSTER = path.join(REPO, "tools/cluster/cluster.sh");
const CLUSTER_DIR = process.env.TENANTSTACK_CLUSTER_DIR ?? path.join(process.env.HOME ?? "/root", ".cache/tenantstack/cluster");

/** A session with the engine and the cluster; `close()` undoes everything it started or created. */
export class EngineSession {
  readonly kube: KubeClient;
  readonly kubeconfig = path.join(CLUSTER_DIR, "kubeconfig");
  private readonly stacks: Stack[] = [];

  private constructor(
    private readonly env: Record<string, string>,
    private readonly command: PulumiCommand,
    private readonly stateDir: string,
    private readonly startedCluster: boolean,
  ) {
    this.kube = KubeClient.fromKubeconfig(this.kubeconfig);
  }

  /** Builds what is missing, starts the cluster if it is down, and makes a fresh file backend. */
  static async open(): Promise<EngineSession> {
    const toolchain = execFileSync(path.join(REPO, "tools/toolchain.sh"), ["path"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }).trim();
    const PATH = `${toolchain}:${process.env.PATH}`;
    let startedCluster = false;
    try {
      execFileSync(CLUSTER, ["status"], { stdio: "ignore" });
    } catch {
      execFileSync(CLUSTER, ["start"], { stdio: ["ignore", "inherit", "inherit"] });
      startedCluster = true;
    }
    const stateDir = mkdtempSync(path.join(tmpdir(), "tenantstack-e2e-"));
    mkdirSync(path.join(stateDir, "state"));
    const env = {
      PATH,
      KUBECONFIG: path.join(CLUSTER_DIR, "kubeconfig"),
      PULUMI_BACKEND_URL: `file://${stateDir}/state`,
      PULUMI_HOME: path.join(stateDir, "home"),
      PULUMI_CONFIG_PASSPHRASE: randomBytes(16).toString("hex"),
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      // `npm test` type-checks the program; the engine only needs it transpiled (a quarter faster).
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    };
    // Without `root`, PulumiCommand runs the `pulumi` found on this process's PATH.
    process.env.PATH = PATH;
    const command = await PulumiCommand.get({ skipVersionCheck: true });
    return new EngineSession(env, command, stateDir, startedCluster);
  }

  /** A new stack of the repository's program with `config` as its `tenantstack:*` settings. */
  async stack(name: string, config: Record<string, unknown>): Promise<Stack> {
    const stack = await LocalWorkspace.createStack({ stackName: name, workDir: REPO }, { pulumiCommand: this.command, envVars: this.env });
    this.stacks.push(stack);
    await this.configure(stack, config);
    return stack;
  }

  /** Replaces a stack's `tenantstack:*` settings. */
  async configure(stack: Stack, config: Record<string, unknown>): Promise<void> {
    const entries = Object.entries(config).map(([key, value]) => [
      `tenantstack:${key}`,
      { value: typeof value === "string" ? value : JSON.stringify(value) },
    ]);
    await stack.setAllConfig(Object.fromEntries(entries));
  }

  /** The text of every file of the file backend: checkpoints, backups and history, as they rest on disk. */
  backendFiles(): string {
    const root = path.join(this.stateDir, "state");
    return readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => readFileSync(path.join(entry.parentPath, entry.name), "utf8"))
      .join("\n");
  }

  /** Removes the stacks' files and state, and stops the cluster if this session started it. */
  async close(): Promise<void> {
    for (const stack of this.stacks) {
      await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
    }
    this.kube.close();
    rmSync(this.stateDir, { recursive: true, force: true });
    if (this.startedCluster) execFileSync(CLUSTER, ["stop"], { stdio: "inherit" });
  }
}

/** A stack name unique to this run. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString("hex")}`;
}
