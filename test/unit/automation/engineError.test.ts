/**
 * An engine failure as the typed error a stack job reports (`operations/stackJob.ts`, `engineError`):
 * a passphrase that does not unlock the stack's secrets is a PassphraseIncorrectError with advice
 * (exit 2), whether the CLI's output or an engine diagnostic says it, never the Automation API's dump.
 */
import * as assert from "node:assert/strict";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { PassphraseIncorrectError, StackOperationError } from "../../../automation/errors";
import { ChangeCollector } from "../../../automation/operations/changes";
import { engineError } from "../../../automation/operations/stackJob";
import { INCORRECT_PASSPHRASE } from "./fixtures";

/** How the Automation API's CommandError words a failed CLI run. */
const commandError = (stderr: string) =>
  Object.assign(new Error(`code: 255\n stdout: \n stderr: ${stderr}\n err?: Error: exit status 255\n`), { name: "CommandError" });

const job = { kind: "preview", stack: "dev-acme" } as const;

describe("an engine failure as a typed error", () => {
  it("is a PassphraseIncorrectError when the CLI says the passphrase is incorrect, without the dump", () => {
    const error = engineError(job, commandError(INCORRECT_PASSPHRASE), new ChangeCollector());
    assert.ok(error instanceof PassphraseIncorrectError);
    assert.equal(error.stack, "dev-acme");
    assert.match(error.message, /^The passphrase does not unlock the secrets of stack "dev-acme": it was created with another one/);
    assert.doesNotMatch(error.message, /code: 255|stderr|PULUMI_CONFIG_PASSPHRASE_FILE/);
  });

  it("is a PassphraseIncorrectError when an engine diagnostic says it", () => {
    const changes = new ChangeCollector();
    changes.onEvent({
      sequence: 1,
      timestamp: 0,
      diagnosticEvent: { severity: "error", message: "incorrect passphrase", color: "never" },
    } as EngineEvent);
    assert.ok(engineError(job, commandError("error: update failed"), changes) instanceof PassphraseIncorrectError);
  });

  it("stays a StackOperationError with the engine's last lines for any other failure", () => {
    const error = engineError(job, commandError("error: the cluster is unreachable"), new ChangeCollector());
    assert.ok(error instanceof StackOperationError);
    assert.match(error.message, /the cluster is unreachable/);
  });
});
