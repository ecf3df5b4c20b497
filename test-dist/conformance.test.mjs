import { describe, it } from "node:test";
import { MemorySessionStore } from "bff-session";
import { sessionStoreConformance } from "bff-session/testing";

// The kit from the built package, driven by node:test instead of jest globals.
sessionStoreConformance(
  "MemorySessionStore (dist, node:test)",
  () => new MemorySessionStore({ sweepInterval: 0 }),
  {
    harness: { describe, it },
  },
);
