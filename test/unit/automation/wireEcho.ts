/**
 * A child process for the errors test: loads the driver's entry only (as a worker or a client of the HTTP API
 * would), revives every wire error it is sent over IPC and sends back, for each, the class it revived and the
 * revived error's own wire form.
 */
import { fromWire, toWire, type WireError } from "../../../automation";

process.on("message", (wires: WireError[]) => {
  const echoed = wires.map((wire) => {
    const error = fromWire(wire);
    return { revivedAs: error.constructor.name, wire: toWire(error) };
  });
  process.send!(echoed, () => process.disconnect());
});
