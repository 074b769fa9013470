/**
 * The zod schemas of where the stack's CPU pods run (`scheduling`) and of a pod toleration, which `ollama.gpu`
 * and the Kubernetes executor's runner pods take too. Package-private, as `workloads.ts` is: no entry point
 * exports it and its declarations are not published; the plain types the schemas parse to are, in `types.ts`
 * (generated).
 */
import { z } from "zod";
import { labels, omitted, oneOf, settings, text } from "./fields";

/** A pod toleration. */
export const TolerationSchema = settings({
  key: text(253).describe("Taint key."),
  operator: oneOf(["Exists", "Equal"]).default("Equal").describe("Toleration operator."),
  value: text(63).optional().describe("Taint value, with `Equal`.").meta(omitted("an empty value")),
  effect: oneOf(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional().describe("Taint effect.").meta(omitted("all effects")),
}).superRefine((toleration, ctx) => {
  if (toleration.operator === "Exists" && toleration.value !== undefined) {
    ctx.addIssue({ code: "custom", path: ["value"], input: toleration.value, message: 'must be unset when `operator` is "Exists"' });
  }
});

/**
 * Where the stack's CPU pods run: the API and worker, Postgres and Redis, their jobs, and Ollama
 * when it has no GPU (with a GPU, Ollama keeps `ollama.gpu`'s placement).
 */
export const SchedulingSchema = settings({
  nodeSelector: labels()
    .default({})
    .describe("Node labels the stack's CPU pods must be scheduled on, such as a node group's label; none by default."),
  tolerations: z
    .array(TolerationSchema, { error: "must be a list of tolerations" })
    .default([])
    .describe("Taints of those nodes the stack's CPU pods tolerate; none by default."),
})
  .prefault({})
  .describe("Scheduling of the stack's CPU pods (node groups): a node selector and tolerations.");
