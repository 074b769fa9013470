/** The data layer's step journal kept in the driver's operation journal. */
import type { OperationJournal } from "../journal/journal";
import type { StepJournal } from "./data/stepJournal";
import type { StepName, StepRecord } from "./data/steps";

/** The operation-journal step holding a migration step: `migrate:<step>`. */
export function journalStep(step: StepName): string {
  return `migrate:${step}`;
}

/**
 * A migration's steps as steps `migrate:<step>` of its operation, each with the data layer's record
 * as its detail (a rolled-back step shows as `skipped`) and the record's attempt as the step's attempts.
 */
export class OperationStepJournal implements StepJournal {
  constructor(
    private readonly journal: OperationJournal,
    private readonly operationId: string,
  ) {}

  async get(step: StepName): Promise<StepRecord | undefined> {
    return (await this.journal.step(this.operationId, journalStep(step)))?.detail as StepRecord | undefined;
  }

  async set(step: StepName, record: StepRecord): Promise<void> {
    const status = record.status === "rolledBack" ? "skipped" : record.status;
    await this.journal.recordStep(this.operationId, journalStep(step), status, record, record.attempt);
  }
}
