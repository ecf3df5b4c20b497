export { sessionStoreConformance } from "./conformance.js";
export type { ConformanceHarness, ConformanceOptions } from "./conformance.js";
