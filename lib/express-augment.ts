import type { AuthInfo } from "./session/auth-info.js";

// `req.auth` is typed for every app that imports bff-session (declaration merging).
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The live session, set by `authenticate()`. Undefined without one. */
      auth?: AuthInfo;
    }
  }
}

export {};
