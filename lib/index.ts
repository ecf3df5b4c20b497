import "./express-augment.js";

export { createSessionRouter } from "./create-session-router.js";
export type { SessionRouter } from "./create-session-router.js";
export type { AuthenticateOptions } from "./authenticate.js";
export { DEFAULT_OPTIONS } from "./options/defaults.js";
export type { SessionRouterOptions } from "./options/types.js";
export type { UpstreamOptions } from "./options/upstream-types.js";
export { sessionOptionsFromEnv } from "./options/from-env.js";
export type { EnvSessionOptions } from "./options/from-env.js";
export type { AuthInfo } from "./session/auth-info.js";
export type { Duration } from "./options/duration.js";
export type { CartTransferFailure, SessionEvent, DestroyReason } from "./events.js";
export { BackChannelRefusedError } from "./account/back-channel.js";
export type { BackChannelOptions, BackChannelRefusal } from "./account/back-channel.js";
export type { Logger } from "./logger.js";

export { StoreApiError, isStoreApiError } from "./errors/store-api-error.js";
export type { StoreApiErrorType, StoreApiErrorOptions } from "./errors/store-api-error.js";
export { errorHandler } from "./errors/error-handler.js";
export type { ErrorHandlerOptions } from "./errors/error-handler.js";
export {
  BffSessionError,
  KeySourceUnavailableError,
  UpstreamError,
  RequestBodyError,
} from "./errors/errors.js";
export type {
  TokenRejectionReason,
  UpstreamErrorCode,
  RequestBodyErrorCode,
} from "./errors/errors.js";

export { hmacSecret } from "./token/keys/hmac-secret.js";
export type { HmacSecretOptions, HmacAlgorithm } from "./token/keys/hmac-secret.js";
export { publicKeys } from "./token/keys/public-keys.js";
export type { PublicKeysOptions, PublicKeyInput } from "./token/keys/public-keys.js";
export { remoteJwks } from "./token/keys/remote-jwks.js";
export type { RemoteJwksOptions } from "./token/keys/remote-jwks.js";
export type { KeySource, VerifyKey } from "./token/keys/key-source.js";
export type { TokenClaims } from "./token/verify-token.js";

export type { CustomerStore, CustomerLookupContext } from "./customers/customer-store.js";
export { storeCustomerSchema } from "./customers/store-customer.js";
export { upstreamCustomerStore } from "./customers/upstream.js";
export type { UpstreamCustomerStore, UpstreamCustomerStoreOptions } from "./customers/upstream.js";
export type {
  StoreCustomer,
  StoreCustomerInput,
  StoreCustomerAddress,
} from "./customers/store-customer.js";

export { MemorySessionStore } from "./stores/memory.js";
export type { MemorySessionStoreOptions } from "./stores/memory.js";
export { RedisSessionStore } from "./stores/redis.js";
export type { RedisSessionStoreOptions, RedisClientLike } from "./stores/redis.js";
export { PostgresSessionStore } from "./stores/postgres.js";
export type { PostgresSessionStoreOptions, PgPoolLike } from "./stores/postgres.js";
export { fromExpressSessionStore } from "./stores/express-session.js";
export type { ExpressSessionStoreLike, ExpressSessionData } from "./stores/express-session.js";
export { expiresAt } from "./stores/session-store.js";
export type {
  SessionStore,
  SessionRecord,
  SessionInfo,
  SessionLimits,
  AttemptCounter,
  AttemptCounterOptions,
  AttemptVerdict,
} from "./stores/session-store.js";

export { CHANNELS } from "./observability/channels.js";
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
} from "./observability/channels.js";
export { lowCardinalityRoute, routeFamily } from "./observability/route.js";
export { enableOpenTelemetry, disableOpenTelemetry } from "./observability/otel.js";
export { readinessHandler } from "./observability/readiness.js";
export type { ReadinessCheck, ReadinessOptions, ReadinessBody } from "./observability/readiness.js";
