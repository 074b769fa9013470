/** The body of `POST /operations`: its schema is the driver's input model of each operation, in `schema/operations.ts`. */
export { OperationRequestSchema } from "../../schema/operations";
export type { OperationRequest } from "../types";
