// What the diagnostics channels cost a request when nobody listens, in nanoseconds per call:
// each publishing point of the request path, unsubscribed, against the bare call it wraps, and
// once more with a no-op subscriber for comparison. `npm run bench:channels` (after the build).
// BENCH_CHANNEL_CALLS sets the calls per measurement (default 5,000,000).
import diagnosticsChannel from "node:diagnostics_channel";
import { CHANNELS } from "bff-session";
import { isObserved, publishEvent, traceForward } from "../dist/esm/observability/publish.js";

const CALLS = Number(process.env.BENCH_CHANNEL_CALLS ?? 5_000_000);
const ROUNDS = 5;

const settled = Promise.resolve(200);
const call = () => settled;
const message = () => ({
  method: "GET",
  family: "store",
  route: "/store/products",
  headers: {},
});
const created = { type: "session.created", sessionId: "s", customerId: "cus_1" };
let sink = 0;

// Each point as the request path calls it, and the bare work it wraps.
const POINTS = {
  "forward (traceForward)": () => traceForward(message, call),
  "session event (publishEvent)": () => publishEvent(created),
  "observed check (isObserved)": () => (isObserved() ? 1 : 0),
  "bare call, for reference": () => call(),
};

/**
 * Median nanoseconds per call over ROUNDS runs of CALLS calls, in batches with a turn of the
 * event loop between them, so that traced promises settle as they would between requests.
 */
async function measure(fn) {
  const BATCH = 10_000;
  const times = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let done = 0; done < CALLS; done += BATCH) {
      for (let i = 0; i < BATCH; i++) if (fn() === undefined) sink++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    times.push(Number(process.hrtime.bigint() - start) / CALLS);
  }
  return times.sort((a, b) => a - b)[ROUNDS >> 1];
}

async function table(title) {
  console.log(`\n${title}`);
  for (const [name, fn] of Object.entries(POINTS)) {
    await measure(fn); // warm-up: let V8 optimise the loop first
    console.log(`  ${name.padEnd(32)} ${(await measure(fn)).toFixed(2).padStart(8)} ns`);
  }
}

await table("nobody listens");
const noop = () => {};
diagnosticsChannel
  .tracingChannel(CHANNELS.forward)
  .subscribe({ start: noop, end: noop, asyncStart: noop, asyncEnd: noop, error: noop });
diagnosticsChannel.subscribe(CHANNELS.sessionStart, noop);
await table("a no-op subscriber on the forward and session-start channels");
if (sink < 0) console.log(sink);
