/** A module that exports no function: not a program the driver can run inline. */
export const outputs = { greeting: "hello" };
