// Loaded first by main.ts: OpenTelemetry starts (when OTEL_* ask for it) before http, pg and kafkajs load.
import { startTracing } from '@compliance/platform/tracing';

startTracing('retention');
