import type { ErrorRequestHandler } from "express";
import { resolveLogger } from "../logger.js";
import { renderError } from "./render-error.js";
import { sendError } from "../http/respond.js";

/**
 * Options of {@link errorHandler}.
 *
 * @example
 * ```ts
 * app.use(errorHandler({ onError: (err) => logger.error({ err }, "request failed") }));
 * ```
 */
export interface ErrorHandlerOptions {
  /**
   * Called with every error before it is rendered, or false to log nothing. Default: server
   * errors (5xx) to stderr, as Express's final handler does (not under NODE_ENV=test). A throw
   * from it is ignored: the response is sent regardless.
   */
  onError?: ((error: unknown) => void) | false;
}

/**
 * Express error middleware that answers in the documented Store API error shapes: a
 * {@link StoreApiError} by its `type`, ORM transaction races as 409, anything else as a generic
 * 500 that never carries the error's message or stack.
 *
 * @example
 * ```ts
 * const sessions = createSessionRouter(options);
 * app.use(sessions);
 * app.get("/store/wishlist", sessions.authenticate(), wishlistHandler);
 * app.use(errorHandler({ onError: (err) => logger.error({ err }) }));
 * ```
 */
export function errorHandler(options: ErrorHandlerOptions = {}): ErrorRequestHandler {
  const { onError } = options;
  if (onError !== undefined && onError !== false && typeof onError !== "function") {
    throw new TypeError('errorHandler: option "onError" must be a function or false');
  }
  const logger = onError === undefined ? resolveLogger(undefined) : undefined;
  return function bffSessionErrorHandler(error, _req, res, next) {
    if (res.headersSent) {
      next(error);
      return;
    }
    const response = renderError(error);
    if (typeof onError === "function") {
      try {
        onError(error);
      } catch {
        // The app's hook failing must not cost the client its answer.
      }
    } else if (logger !== undefined && response.status >= 500) {
      logger.error({ err: error }, "bff-session: request failed");
    }
    sendError(res, response);
  };
}
