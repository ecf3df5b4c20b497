import type * as OtelApiModule from "@opentelemetry/api";

/**
 * `@opentelemetry/api`, the app's copy, loaded only when asked for and only if it resolves: it is
 * an optional peer dependency, so bff-session loads and works without it.
 *
 * A dynamic `import()` serves both builds from one source: tsc turns it into `require()` in the
 * CommonJS build and keeps it in the ESM build, each resolving from the package's own location
 * as a peer dependency should. Whichever copy loads, the API keeps its providers on a global, so
 * it sees the SDK the app registered.
 */
export type OtelApi = typeof OtelApiModule;

let loading: Promise<OtelApi | undefined> | undefined;

/** The API, or undefined when the app does not have it. Loaded once per process. */
export function loadOtelApi(): Promise<OtelApi | undefined> {
  loading ??= import("@opentelemetry/api").then(
    (mod) => ("trace" in mod ? mod : (mod as { default: OtelApi }).default),
    () => undefined,
  );
  return loading;
}
