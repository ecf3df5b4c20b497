import type { IncomingHttpHeaders } from "node:http";
import type { Response } from "express";
import { Pool, type Dispatcher } from "undici";
import { UpstreamError } from "../errors/errors.js";
import type { ResolvedUpstream } from "../options/upstream-types.js";
import { forwardChannel } from "../observability/channels.js";
import { traceForward } from "../observability/publish.js";
import { lowCardinalityRoute, routeFamily } from "../observability/route.js";
import { Exchange, upstreamError, type Answer, type Spilling } from "./exchange.js";
import { addTraceHeaders } from "./headers.js";
import { Slots } from "./slots.js";
import { SpillBudget } from "./spill.js";

/** One request to the backend, its body already read whole. */
export interface BackendRequest {
  method: string;
  /** The Store API path and query, e.g. "/store/products?limit=2". */
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer | undefined;
  /** The browser's response: when it closes before the exchange ends, the exchange is aborted. */
  client?: Response | undefined;
  /** Traced by its caller on a channel of its own (the refresh), not as a forwarded request. */
  untraced?: boolean;
}

/** An answer read whole. */
export interface BufferedAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * The one client for every call to the commerce backend: forwarding, sign-in, refresh and
 * customer reads share its undici pool, its bounds and its error policy (502 unreachable,
 * 504 too slow, 503 no free connection in time, 502 an answer it cannot read).
 */
export class UpstreamClient {
  private readonly pool: Pool;
  private readonly slots: Slots;
  private readonly basePath: string;
  /** Where forwarded answers spill, when they may (`upstream.spillSize`, `spillTotal`). */
  private readonly spilling: Spilling | undefined;

  constructor(readonly options: ResolvedUpstream) {
    this.pool = new Pool(options.baseUrl.origin, {
      connections: options.connections,
      keepAliveTimeout: 10_000,
    });
    this.slots = new Slots(options.connections, options.queueTimeout);
    this.basePath = options.baseUrl.pathname; // always ends in "/"
    const { spillSize, spillTotal } = options;
    this.spilling =
      spillSize > 0 && spillTotal > 0
        ? { size: spillSize, budget: new SpillBudget(spillTotal) }
        : undefined;
  }

  /**
   * Sends a request and reads the whole answer, up to `upstream.bufferSize` (a 502 beyond):
   * for the answers the BFF itself must read (sign-in, refresh, the customer).
   */
  async read(request: BackendRequest): Promise<BufferedAnswer> {
    const answer = await this.send(request, "read");
    return { status: answer.status, headers: answer.headers, body: answer.body() };
  }

  /**
   * Sends a request and resolves once the answer is read whole up to `upstream.bufferSize`
   * (the connection is then free), or, for a larger answer, with what was read so far and
   * the rest still to come through `Answer.pipe`.
   */
  forward(request: BackendRequest): Promise<Answer> {
    return this.send(request, "forward");
  }

  /**
   * One exchange, traced on the `bff-session:forward` channel when anyone subscribes (its
   * subscriber may add trace context to the headers before they are sent).
   */
  private send(request: BackendRequest, mode: "read" | "forward"): Promise<Answer> {
    if (request.untraced === true || !forwardChannel.hasSubscribers)
      return this.exchange(request, mode);
    const { method, path } = request;
    return traceForward(
      () => ({ method, family: routeFamily(path), route: lowCardinalityRoute(path), headers: {} }),
      async (message) => {
        if (message !== undefined) addTraceHeaders(request.headers, message.headers);
        const answer = await this.exchange(request, mode);
        if (message !== undefined) message.statusCode = answer.status;
        return answer;
      },
    );
  }

  private async exchange(request: BackendRequest, mode: "read" | "forward"): Promise<Answer> {
    const waiting = this.slots.acquire();
    if (waiting !== undefined) await waiting;
    if (request.client?.destroyed === true) {
      this.slots.release();
      throw new UpstreamError("BFF_UPSTREAM_UNREACHABLE", "the client went away");
    }
    const { timeout, bufferSize } = this.options;
    return new Promise<Answer>((resolve, reject) => {
      const exchange = new Exchange(
        mode,
        bufferSize,
        resolve,
        (error) => reject(upstreamError(error)),
        () => this.slots.release(),
        mode === "forward" ? this.spilling : undefined,
      );
      const options: Dispatcher.DispatchOptions = {
        path: this.basePath + request.path.slice(1),
        method: request.method as Dispatcher.HttpMethod,
        headers: request.headers,
        body: request.body ?? null,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      };
      if (request.client !== undefined) exchange.abortOnClose(request.client);
      this.pool.dispatch(options, exchange);
    });
  }

  /** Closes the pool: in-flight exchanges finish, idle connections close. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
