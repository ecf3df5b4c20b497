/**
 * A pino/bunyan/console-compatible logger. Without one, warnings and errors go to stderr (as
 * Express's final handler does, and not under NODE_ENV=test); `logger: false` silences them.
 *
 * @example
 * ```ts
 * import pino from "pino";
 * createSessionRouter({ keys, customers, logger: pino({ level: "warn" }) });
 * ```
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: Logger = Object.freeze({ debug() {}, warn() {}, error() {} });

/**
 * The default: warnings and errors to stderr through `console.error`, whose formatting copes
 * with anything (circular properties included); debug lines nowhere.
 */
export const stderrLogger: Logger = Object.freeze({
  debug() {},
  warn: (obj: object, msg?: string) => console.error(msg ?? "bff-session: warning", obj),
  error: (obj: object, msg?: string) => console.error(msg ?? "bff-session: error", obj),
});

/** The logger a router uses: the given one, the default (stderr) or none (`false`). */
export function resolveLogger(logger: Logger | false | undefined): Logger {
  if (logger === false) return silentLogger;
  if (logger === undefined) return process.env.NODE_ENV === "test" ? silentLogger : stderrLogger;
  return guardLogger(logger);
}

/**
 * Wraps a user's logger so that nothing it does reaches a request: a logger that throws (say,
 * serialising an error with a circular property) is reported once as a process warning.
 */
function guardLogger(logger: Logger): Logger {
  let warned = false;
  const guard =
    (level: keyof Logger) =>
    (obj: object, msg?: string): void => {
      try {
        logger[level](obj, msg);
      } catch (err) {
        if (warned) return;
        warned = true;
        process.emitWarning(
          `bff-session: the logger threw (${describe(err)}); further failures are ignored`,
          {
            code: "BFF_SESSION_LOGGER_THREW",
          },
        );
      }
    };
  return Object.freeze({ debug: guard("debug"), warn: guard("warn"), error: guard("error") });
}

function describe(err: unknown): string {
  try {
    return err instanceof Error ? `${err.name}: ${err.message}` : typeof err;
  } catch {
    return "unprintable error";
  }
}
