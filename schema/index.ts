export * from "./cloud";
export * from "./cloudNames";
export {
  errorCode,
  fromWire,
  type PropertyProblem,
  reservedKeyProblems,
  type Surface,
  type SurfaceText,
  TenantstackError,
  type TenantstackErrorOptions,
  toWire,
  ValidationError,
  type WireError,
} from "./errors";
export * from "./naming";
export * from "./secrets";
export * from "./specs";
export * from "./stack";
export * from "./tenant";
export * from "./config";
export * from "./types";
