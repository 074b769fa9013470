/**
 * How a resumable step moves through the journal: started (its attempt numbered), its progress saved
 * as it goes, then done or failed, a done one never run again. A migration's steps run this way in
 * each of the step journals (`stepJournals.ts`).
 */
import { redact } from "../redact";
import { type Checkpoint, progress, progressOf, type StepJournal } from "./steps";

/**
 * What a step does: given its checkpoint from an earlier attempt, a way to save progress (durable
 * once resolved: record there what the step is about to change, before changing it) and the number
 * of this attempt, it does its work (idempotently) and resolves the checkpoint to keep.
 */
export type StepHandler = (
  previous: Checkpoint | undefined,
  save: (checkpoint: Checkpoint) => Promise<void>,
  attempt: number,
) => Promise<Checkpoint>;

/**
 * Runs `step` once, recorded in `journal`: a `done` step is skipped (its checkpoint returned), a
 * `skipped` one refused with the error `closed` makes of it; otherwise the step is recorded `running`
 * with its attempt's number (one more than the record's: an attempt killed while `running` counts
 * too), then `done` with its checkpoint or `failed` with its last saved checkpoint and its redacted
 * error's message, and the error rethrown.
 */
export async function runStep<S extends string>(
  journal: StepJournal<S>,
  step: S,
  handler: StepHandler,
  closed: (step: S) => Error,
): Promise<Checkpoint> {
  const record = await journal.get(step);
  const previous = progressOf(record).checkpoint;
  if (record?.status === "done") return previous ?? {};
  if (record?.status === "skipped") throw closed(step);
  let latest = previous;
  const attempt = (record?.attempts ?? 0) + 1;
  await journal.record(step, "running", progress(latest), attempt);
  const save = async (checkpoint: Checkpoint) => {
    latest = checkpoint;
    await journal.record(step, "running", progress(checkpoint), attempt);
  };
  try {
    const checkpoint = await handler(previous, save, attempt);
    await journal.record(step, "done", progress(checkpoint), attempt);
    return checkpoint;
  } catch (error) {
    const message = redact(error instanceof Error ? error.message : String(error));
    await journal.record(step, "failed", progress(latest, message), attempt);
    throw error;
  }
}
