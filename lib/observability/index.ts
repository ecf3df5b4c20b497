// The public names of the observability layer; lib/index.ts re-exports them.
export { CHANNELS } from "./channels.js";
export type {
  SessionStartMessage,
  SessionEndMessage,
  SessionEndReason,
  SignInMessage,
  RevocationMessage,
  TokenRefreshMessage,
  CartTransferMessage,
  ForwardMessage,
  RefreshMessage,
} from "./channels.js";
export { lowCardinalityRoute, routeFamily } from "./route.js";
export { enableOpenTelemetry, disableOpenTelemetry } from "./otel.js";
export { readinessHandler } from "./readiness.js";
export type { ReadinessCheck, ReadinessOptions, ReadinessBody } from "./readiness.js";
