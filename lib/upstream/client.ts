import { Pool, type Dispatcher } from "undici";
import type { ResolvedUpstream } from "../options/upstream-types.js";

/**
 * The connection pool to the commerce backend (undici: keep-alive connections, streaming
 * bodies both ways), and the few calls the BFF makes itself. One per router.
 */
export class UpstreamClient {
  readonly pool: Pool;
  private readonly basePath: string;

  constructor(readonly options: ResolvedUpstream) {
    this.pool = new Pool(options.baseUrl.origin, { connections: 128, keepAliveTimeout: 10_000 });
    this.basePath = options.baseUrl.pathname; // always ends in "/"
  }

  /** The backend path for a path of the Store API ("/store/…", "/auth/…"). */
  path(path: string): string {
    return this.basePath + path.slice(1);
  }

  /** Sends one request, bounded by `upstream.timeout` for the answer's headers and body. */
  request(
    options: Omit<Dispatcher.RequestOptions, "origin" | "path"> & { path: string },
  ): Promise<Dispatcher.ResponseData> {
    return this.pool.request(this.dispatch(options));
  }

  /**
   * Sends one request and writes the answer into the stream `factory` returns once the status
   * and headers are in: no intermediate Readable, the cheapest way to pass a body on.
   */
  stream(
    options: Omit<Dispatcher.RequestOptions, "origin" | "path"> & { path: string },
    factory: Dispatcher.StreamFactory,
  ): Promise<Dispatcher.StreamData> {
    return this.pool.stream(this.dispatch(options), factory);
  }

  /** A request's options for the pool: the backend path, bounded by `upstream.timeout`. */
  private dispatch<T extends { path: string }>(options: T): T {
    const { timeout } = this.options;
    return {
      headersTimeout: timeout,
      bodyTimeout: timeout,
      ...options,
      path: this.path(options.path),
    };
  }

  /**
   * `POST /auth/token/refresh` with the kept token: the backend's answer status and, on 200,
   * its new token. Throws when the backend cannot be reached or does not answer in time.
   */
  async refresh(token: string): Promise<{ status: number; token?: string }> {
    const answer = await this.request({
      path: "/auth/token/refresh",
      method: "POST",
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
    });
    const body = (await answer.body.json().catch(() => undefined)) as
      { token?: unknown } | undefined;
    const fresh = typeof body?.token === "string" ? body.token : undefined;
    return fresh === undefined
      ? { status: answer.statusCode }
      : { status: answer.statusCode, token: fresh };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
