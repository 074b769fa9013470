import { MigrationStateError } from "./errors";
import type { StepJournal } from "./journal";
import { redact } from "../redact";
import type { Checkpoint, StepName } from "./steps";

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
 * rolled-back one refused; otherwise the step is recorded `running` with its attempt's number (one
 * more than the record's: an attempt killed while `running` counts too), then `done` with its
 * checkpoint or `failed` with its redacted error and its last saved checkpoint, and the error rethrown.
 */
export async function runJournaled(journal: StepJournal, step: StepName, handler: StepHandler): Promise<Checkpoint> {
  const record = await journal.get(step);
  if (record?.status === "done") return record.checkpoint ?? {};
  if (record?.status === "rolledBack")
    throw new MigrationStateError(`Step ${step} was rolled back; start a new migration (with a new id) to try again.`);
  let latest = record?.checkpoint;
  const attempt = (record === undefined ? 0 : (record.attempt ?? 1)) + 1;
  const now = () => new Date().toISOString();
  await journal.set(step, { status: "running", attempt, checkpoint: latest, updatedAt: now() });
  const save = async (checkpoint: Checkpoint) => {
    latest = checkpoint;
    await journal.set(step, { status: "running", attempt, checkpoint, updatedAt: now() });
  };
  try {
    const checkpoint = await handler(record?.checkpoint, save, attempt);
    await journal.set(step, { status: "done", attempt, checkpoint, updatedAt: now() });
    return checkpoint;
  } catch (error) {
    const message = redact(error instanceof Error ? error.message : String(error));
    await journal.set(step, { status: "failed", attempt, checkpoint: latest, error: message, updatedAt: now() });
    throw error;
  }
}
