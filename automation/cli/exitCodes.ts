/** What the `tenantstack` CLI's exit codes mean: each error's by its code (`../errorCodes.ts`), and an operation's. */
import { fromWire, type WireError } from "../errors";
import { EXIT, exitCodeOf } from "../errorCodes";

export { EXIT, exitCodeOf } from "../errorCodes";

/** The exit code of an operation's failed stacks: the first whose error has an exit code of its own, else `failed`. */
export function exitCodeOfErrors(errors: readonly WireError[]): number {
  if (errors.length === 0) return EXIT.ok;
  const specific = errors.map((error) => exitCodeOf(fromWire(error))).find((code) => code !== EXIT.failed && code !== EXIT.internal);
  return specific ?? EXIT.failed;
}
