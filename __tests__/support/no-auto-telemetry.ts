// diagnostics_channel subscriptions are per process, and a jest worker runs many test files:
// a router made in one file would leave OpenTelemetry subscribed (createSessionRouter starts it
// when @opentelemetry/api resolves, as it does here) for every later file in that worker. Test
// files opt in (enableOpenTelemetry) where telemetry is what they test.
import { disableOpenTelemetry } from "../../lib/observability/otel.js";

disableOpenTelemetry();
