import { z } from "zod";
import { parseDuration, type Duration } from "./duration.js";
import type { SessionRouterOptions } from "./types.js";
import { hmacSecret } from "../token/keys/hmac-secret.js";
import { remoteJwks } from "../token/keys/remote-jwks.js";

/**
 * What `sessionOptionsFromEnv` resolves: router options, and the Redis URL for your client.
 *
 * @example
 * ```ts
 * const { redisUrl, ...options }: EnvSessionOptions = sessionOptionsFromEnv();
 * ```
 */
export type EnvSessionOptions = Pick<
  SessionRouterOptions,
  "keys" | "cookie" | "session" | "token"
> & {
  /** `REDIS_URL`, when set: create your Redis client with it and pass a RedisSessionStore. */
  redisUrl: string | undefined;
};

const secret = (name: string) =>
  z
    .string()
    .refine((v) => Buffer.byteLength(v) >= 32, `${name} must be at least 32 bytes`)
    .optional();
/** A duration variable: plain digits are seconds, anything else a string such as "30m". */
const toDuration = (v: string): Duration => (/^\d+$/.test(v) ? Number(v) : (v as Duration));
const duration = (name: string) =>
  z
    .string()
    .refine(
      (v) => (parseDuration(toDuration(v)) ?? 0) > 0,
      `${name} must be seconds or a duration such as "30m", "2h"`,
    )
    .optional();
const url = (name: string, protocols: string[]) =>
  z
    .string()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `${name} must be a ${protocols.join(" or ")} URL`,
    )
    .optional();

const envSchema = z
  .object({
    JWT_SECRET: secret("JWT_SECRET"),
    JWT_SECRET_PREVIOUS: secret("JWT_SECRET_PREVIOUS"),
    JWKS_URL: url("JWKS_URL", ["https:", "http:"]),
    JWT_ISSUER: z.string().min(1).optional(),
    JWT_AUDIENCE: z.string().min(1).optional(),
    COOKIE_SECRET: secret("COOKIE_SECRET"),
    COOKIE_SECRET_PREVIOUS: secret("COOKIE_SECRET_PREVIOUS"),
    COOKIE_DOMAIN: z
      .string()
      .regex(/^\.?[A-Za-z0-9.-]+$/, "COOKIE_DOMAIN must be a domain name")
      .optional(),
    REDIS_URL: url("REDIS_URL", ["redis:", "rediss:"]),
    SESSION_IDLE: duration("SESSION_IDLE"),
    SESSION_ABSOLUTE: duration("SESSION_ABSOLUTE"),
  })
  .superRefine((env, ctx) => {
    if (env.JWT_SECRET === undefined && env.JWKS_URL === undefined) {
      ctx.addIssue({
        code: "custom",
        message: "set JWT_SECRET (shared secret) or JWKS_URL (identity service keys)",
      });
    }
    if (env.JWT_SECRET !== undefined && env.JWKS_URL !== undefined) {
      ctx.addIssue({ code: "custom", message: "set JWT_SECRET or JWKS_URL, not both" });
    }
    if (env.JWT_SECRET_PREVIOUS !== undefined && env.JWT_SECRET === undefined) {
      ctx.addIssue({ code: "custom", message: "JWT_SECRET_PREVIOUS needs JWT_SECRET" });
    }
    if (env.COOKIE_SECRET_PREVIOUS !== undefined && env.COOKIE_SECRET === undefined) {
      ctx.addIssue({ code: "custom", message: "COOKIE_SECRET_PREVIOUS needs COOKIE_SECRET" });
    }
  });

/**
 * Router options from the conventional environment variables, validated at start-up. Every
 * problem is reported at once, in one Error, so a misconfigured deployment fails before it
 * takes traffic and tells you everything to fix.
 *
 * | variable | becomes |
 * |---|---|
 * | `JWT_SECRET` (+ `JWT_SECRET_PREVIOUS` to rotate) | `keys: hmacSecret([...])` |
 * | `JWKS_URL` | `keys: remoteJwks(new URL(...))` (exactly one of the two) |
 * | `JWT_ISSUER`, `JWT_AUDIENCE` | `token.issuer`, `token.audience` |
 * | `COOKIE_SECRET` (+ `COOKIE_SECRET_PREVIOUS`) | `cookie.secret` |
 * | `COOKIE_DOMAIN` | `cookie.domain` |
 * | `SESSION_IDLE`, `SESSION_ABSOLUTE` | `session.idleTimeout`, `session.absoluteTimeout` |
 * | `REDIS_URL` | `redisUrl`, for the client you create |
 *
 * @example
 * ```ts
 * const { redisUrl, ...fromEnv } = sessionOptionsFromEnv();
 * const sessions = createSessionRouter({
 *   ...fromEnv,
 *   customers,
 *   sessions: redisUrl ? new RedisSessionStore({ client: new Redis(redisUrl, { enableOfflineQueue: false }) }) : undefined,
 * });
 * ```
 */
export function sessionOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
): EnvSessionOptions {
  // Empty variables count as unset, as shells and .env files often leave them.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  - ${issue.message}`);
    throw new Error(`bff-session: invalid environment:\n${problems.join("\n")}`);
  }
  const e = parsed.data;
  const keys =
    e.JWT_SECRET !== undefined
      ? hmacSecret(
          e.JWT_SECRET_PREVIOUS === undefined
            ? e.JWT_SECRET
            : [e.JWT_SECRET, e.JWT_SECRET_PREVIOUS],
        )
      : remoteJwks(new URL(e.JWKS_URL!));

  const options = { keys } as EnvSessionOptions;
  // Not enumerable: `createSessionRouter({ ...sessionOptionsFromEnv(), customers })` works (the
  // router knows no redisUrl option), and `const { redisUrl, ...options } = …` still reads it.
  Object.defineProperty(options, "redisUrl", { value: e.REDIS_URL, enumerable: false });
  const token: NonNullable<SessionRouterOptions["token"]> = {};
  if (e.JWT_ISSUER !== undefined) token.issuer = e.JWT_ISSUER;
  if (e.JWT_AUDIENCE !== undefined) token.audience = e.JWT_AUDIENCE;
  if (Object.keys(token).length > 0) options.token = token;
  const cookie: NonNullable<SessionRouterOptions["cookie"]> = {};
  if (e.COOKIE_SECRET !== undefined) {
    cookie.secret =
      e.COOKIE_SECRET_PREVIOUS === undefined
        ? e.COOKIE_SECRET
        : [e.COOKIE_SECRET, e.COOKIE_SECRET_PREVIOUS];
  }
  if (e.COOKIE_DOMAIN !== undefined) cookie.domain = e.COOKIE_DOMAIN;
  if (Object.keys(cookie).length > 0) options.cookie = cookie;
  const session: NonNullable<SessionRouterOptions["session"]> = {};
  const idle = e.SESSION_IDLE === undefined ? undefined : toDuration(e.SESSION_IDLE);
  const absolute = e.SESSION_ABSOLUTE === undefined ? undefined : toDuration(e.SESSION_ABSOLUTE);
  if (idle !== undefined) session.idleTimeout = idle;
  if (absolute !== undefined) session.absoluteTimeout = absolute;
  if (Object.keys(session).length > 0) options.session = session;
  return options;
}
