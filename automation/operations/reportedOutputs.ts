/**
 * The stack outputs an update reports in its engine events, secrets masked, and a view of a stack
 * whose `up` takes them from there. After every update the SDK's `Stack.up` reads the outputs back
 * (`pulumi stack output`, then again with `--show-secrets`) and the update's summary (`pulumi stack
 * history --show-secrets`): three CLI runs, each about half a second of CPU before it does anything
 * (the CLI's own start-up), for values the engine has reported already, and plaintext secrets a stack
 * job never shows.
 */
import type { EngineEvent, OutputMap, Stack } from "@pulumi/pulumi/automation";
import { isSecretValue, maskedSecrets } from "./secretValues";

/** Collects the stack outputs one engine run reports (the root `pulumi:pulumi:Stack` resource's). */
export class OutputsCollector {
  private reported?: OutputMap;

  /** Feeds one engine event. */
  readonly onEvent = (event: EngineEvent): void => {
    const metadata = event.resOutputsEvent?.metadata;
    if (metadata?.type !== "pulumi:pulumi:Stack" || metadata.new === undefined) return;
    this.reported = Object.fromEntries(
      Object.entries(metadata.new.outputs ?? {}).map(([key, value]) => [
        key,
        { value: maskedSecrets(value), secret: isSecretValue(value) },
      ]),
    );
  };

  /** The outputs reported, secrets as `[secret]`; undefined when the run reported none. */
  get outputs(): OutputMap | undefined {
    return this.reported;
  }
}

/**
 * `stack`, with `Stack.up`'s read-backs answered without the CLI: the outputs from `collector` (read
 * back as before when the run reported none), and no update summary (`UpResult.summary` is unused).
 */
export function withReportedOutputs(stack: Stack, collector: OutputsCollector): Stack {
  return Object.create(stack, {
    outputs: { value: async () => collector.outputs ?? stack.outputs() },
    info: { value: async () => undefined },
  }) as Stack;
}
