// The entry an app's src/tracing.ts loads before anything else: OpenTelemetry must be started
// before the packages it instruments (http, pg, kafkajs) are loaded, so this loads none of them.
export { startTracing, stopTracing, tracingRequested } from './start-tracing';
