import { z } from "zod";
import type { CustomerStore } from "../customers/customer-store.js";
import type { Logger } from "../logger.js";
import type { SessionStore } from "../stores/session-store.js";
import { isKeySource, type KeySource } from "../token/keys/key-source.js";
import {
  bytes,
  cookieName,
  DAY,
  duration,
  fn,
  httpUrl,
  lifetime,
  MiB,
  nonEmpty,
  oneOrMany,
  origin,
  secret,
  shortWait,
  wholeNumber,
  withMethods,
} from "./validators.js";

const tokenSchema = z.strictObject({
  issuer: oneOrMany(nonEmpty, "a non-empty string").optional(),
  audience: oneOrMany(nonEmpty, "a non-empty string").optional(),
  clockTolerance: duration(DAY, "a day", { zero: true }).optional(),
  maxTokenAge: lifetime.optional(),
  typ: nonEmpty.optional(),
  singleUse: z.boolean().optional(),
  customerIdClaim: nonEmpty.optional(),
  actorTypeClaim: z
    .union([nonEmpty, z.literal(false)], { error: "must be a claim name or false" })
    .optional(),
  actorType: nonEmpty.optional(),
  keep: z.boolean().optional(),
});

const cookieSchema = z.strictObject({
  name: cookieName.optional(),
  secure: z.boolean().optional(),
  sameSite: z.enum(["lax", "strict", "none"]).optional(),
  domain: z
    .string()
    .regex(/^\.?[A-Za-z0-9.-]+$/, "must be a domain name")
    .optional(),
  path: z
    .string()
    .startsWith("/", 'must start with "/"')
    .regex(/^[^;\s]*$/, "must not contain ; or spaces")
    .optional(),
  secret: secret.optional(),
  persistent: z.boolean().optional(),
});

const sessionSchema = z.strictObject({
  idleTimeout: duration(31 * DAY, "31 days").optional(),
  absoluteTimeout: lifetime.optional(),
  touchInterval: duration(31 * DAY, "31 days").optional(),
  storeTimeout: shortWait.optional(),
  maxPerCustomer: z.number().int().positive().optional(),
});

const attemptLimit = z.strictObject({
  attempts: z.number().int().positive().optional(),
  window: duration(DAY, "1 day").optional(),
});

const signInLimitsSchema = z.strictObject({
  identifier: attemptLimit.optional(),
  ip: attemptLimit.optional(),
  secret: secret.optional(),
});

const upstreamSchema = z.strictObject({
  baseUrl: httpUrl,
  publishableKey: nonEmpty.optional(),
  timeout: shortWait.optional(),
  refresh: z
    .union(
      [
        z.boolean(),
        z.strictObject({
          remaining: z
            .number()
            .gt(0, "must be a share of the lifetime between 0 and 1")
            .lt(1, "must be a share of the lifetime between 0 and 1")
            .optional(),
        }),
      ],
      { error: "must be true, false or { remaining }" },
    )
    .optional(),
  signInLimits: z
    .union([z.literal(false), signInLimitsSchema], {
      error: "must be false or { identifier?, ip?, secret? }",
    })
    .optional(),
  connections: wholeNumber(1, 4096).optional(),
  queueTimeout: shortWait.optional(),
  maxBodySize: bytes(64 * MiB, "64 MiB").optional(),
  clientBodyTimeout: shortWait.optional(),
  bufferSize: bytes(64 * MiB, "64 MiB").optional(),
  spillSize: wholeNumber(0, 1024 * MiB, " of bytes (1 GiB most; 0 spills nothing)").optional(),
  spillTotal: wholeNumber(
    0,
    64 * 1024 * MiB,
    " of bytes (64 GiB most; 0 spills nothing)",
  ).optional(),
  sendTimeout: shortWait.optional(),
});

const cartSchema = z.strictObject({
  guard: z.boolean().optional(),
});

const csrfSchema = z.strictObject({
  trustedOrigins: z.array(origin).optional(),
  allowSameSite: z.boolean().optional(),
});

const KEY_SOURCE =
  "must be a key source: hmacSecret(), publicKeys(), remoteJwks() or an object with algorithms and getKeys()";

/** The whole options object. */
export const schema = z.strictObject({
  keys: z.custom<KeySource>(isKeySource, {
    error: (issue) =>
      typeof issue.input === "string"
        ? 'must be a key source, not a string: wrap the secret, hmacSecret("…")'
        : KEY_SOURCE,
  }),
  customers: withMethods<CustomerStore>(
    ["retrieve"],
    "must be an object with a retrieve(customerId, context) method",
  ).optional(),
  sessions: withMethods<SessionStore>(
    ["get", "set", "touch", "destroy"],
    "must be a SessionStore: an object with get, set, touch and destroy methods",
  ).optional(),
  token: tokenSchema.optional(),
  cookie: cookieSchema.optional(),
  session: sessionSchema.optional(),
  upstream: upstreamSchema.optional(),
  cart: cartSchema.optional(),
  csrf: z
    .union([z.literal(false), csrfSchema], {
      error: "must be false or { trustedOrigins?, allowSameSite? }",
    })
    .optional(),
  onEvent: fn("a function").optional(),
  logger: z
    .union(
      [
        z.literal(false),
        withMethods<Logger>(["debug", "warn", "error"], "must have debug, warn and error methods"),
      ],
      { error: "must be false or a logger with debug, warn and error methods" },
    )
    .optional(),
  now: fn("a function returning milliseconds since the epoch").optional(),
});

/**
 * The known keys at each level: for "did you mean" suggestions, and for the test that keeps
 * the README's option table in step with the schema.
 */
export const SHAPES: Readonly<Record<string, object>> = Object.freeze({
  "": schema.shape,
  token: tokenSchema.shape,
  cookie: cookieSchema.shape,
  session: sessionSchema.shape,
  upstream: upstreamSchema.shape,
  "upstream.signInLimits": signInLimitsSchema.shape,
  cart: cartSchema.shape,
  csrf: csrfSchema.shape,
});
