/**
 * The engine benchmark: on the dev stack against the local control plane, times a first `up`, a
 * no-change `up` and a `preview`, and the floor of the same work: a server-side dry-run apply of the
 * same objects (read back from the API server) with a plain HTTP client. Writes the figures and the
 * ratios to `bench/results/engine.json`.
 *
 * Usage: npm run bench:engine [-- --runs N]
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { devSettings } from "../test/support/devStack";
import { releaseControlPlane } from "../test/support/controlPlane";
import { EngineSession, REPO, uniqueName } from "../test/support/engine";
import type { KubeClient } from "../test/support/kube";
import { removeNamespace } from "../test/support/testRun";
import { median } from "./stats";

/** Fields the API server owns, left out of an applied object. */
const SERVER_METADATA = ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink"];

/** Milliseconds `work` takes. */
async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The live objects of the stack's Kubernetes resources, as an apply would send them. */
async function liveObjects(kube: KubeClient, deployment: any): Promise<{ path: string; object: any }[]> {
  const objects = [];
  for (const resource of deployment.deployment.resources) {
    if (!String(resource.type).startsWith("kubernetes:")) continue;
    const { apiVersion, kind, metadata } = resource.outputs;
    const path = await kube.pathOf({ apiVersion, kind, metadata });
    const live = await kube.get(path);
    if (!live) throw new Error(`${resource.urn} is not on the API server`);
    delete live.status;
    for (const field of SERVER_METADATA) delete live.metadata[field];
    objects.push({ path, object: live });
  }
  return objects;
}

async function main(): Promise<void> {
  const runsFlag = process.argv.indexOf("--runs");
  const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 3;
  const session = await EngineSession.open();
  const namespace = uniqueName("bench-engine");
  try {
    const stack = await session.stack(namespace, { ...devSettings(), namespace });
    const firstUp = await timed(() => stack.up());
    const noChangeUps: number[] = [];
    const previews: number[] = [];
    for (let i = 0; i < runs; i++) {
      noChangeUps.push(await timed(() => stack.up({ expectNoChanges: true })));
      previews.push(await timed(() => stack.preview({ expectNoChanges: true })));
    }

    const objects = await liveObjects(session.kube, await stack.exportStack());
    const dryRun = () =>
      Promise.all(objects.map(({ path, object }) => session.kube.apply(path, object, { fieldManager: "bench", dryRun: true })));
    await dryRun(); // warm the connection pool and the server's caches, as the engine's runs did
    const floors: number[] = [];
    for (let i = 0; i < runs; i++) floors.push(await timed(dryRun));

    const floor = median(floors);
    const results = {
      date: new Date().toISOString(),
      machine: "2 cores, local control plane (etcd, kube-apiserver, kwok)",
      stack: "dev (Pulumi.dev.yaml)",
      resources: (await stack.exportStack()).deployment.resources.length,
      kubernetesObjects: objects.length,
      runs,
      ms: {
        firstUp: Math.round(firstUp),
        noChangeUp: Math.round(median(noChangeUps)),
        preview: Math.round(median(previews)),
        dryRunApplyFloor: Math.round(floor),
      },
      ratioToFloor: {
        noChangeUp: Number((median(noChangeUps) / floor).toFixed(1)),
        preview: Number((median(previews) / floor).toFixed(1)),
      },
    };
    const file = path.join(REPO, "bench/results/engine.json");
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    console.log(JSON.stringify(results, null, 2));
    console.log(`written to ${path.relative(REPO, file)}`);

    const store: Record<string, any> = { ...devSettings(), namespace };
    for (const name of ["postgres", "redis", "ollama"]) store[name] = { ...store[name], allowVolumeReplacement: true };
    await session.configure(stack, store);
    await stack.up();
    await stack.destroy().catch(() => undefined); // the backup claim stays protected
  } finally {
    await removeNamespace(session.kube, namespace);
    await session.close();
    releaseControlPlane();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
