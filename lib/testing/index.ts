export { sessionStoreConformance } from "./conformance.js";
export type { ConformanceHarness, ConformanceOptions, StoreFeature } from "./conformance.js";
