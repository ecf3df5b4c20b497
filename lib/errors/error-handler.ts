import type { ErrorRequestHandler } from "express";
import { renderError } from "./render-error.js";
import { sendError } from "./send-error.js";

/**
 * Options of {@link errorHandler}.
 *
 * @example
 * ```ts
 * app.use(errorHandler({ onError: (err) => logger.error({ err }, "request failed") }));
 * ```
 */
export interface ErrorHandlerOptions {
  /** Called with every error before it is rendered (for logging). Must not throw. */
  onError?: (error: unknown) => void;
}

/**
 * Express error middleware that answers in the documented Store API error shapes: a
 * {@link StoreApiError} by its `type`, ORM transaction races as 409, anything else as a generic
 * 500 that never carries the error's message or stack.
 *
 * @example
 * ```ts
 * app.use(createSessionRouter(options));
 * app.get("/store/wishlist", sessions.authenticate(), wishlistHandler);
 * app.use(errorHandler({ onError: (err) => logger.error({ err }) }));
 * ```
 */
export function errorHandler(options: ErrorHandlerOptions = {}): ErrorRequestHandler {
  const { onError } = options;
  return function bffSessionErrorHandler(error, _req, res, next) {
    if (res.headersSent) {
      next(error);
      return;
    }
    onError?.(error);
    sendError(res, renderError(error));
  };
}
