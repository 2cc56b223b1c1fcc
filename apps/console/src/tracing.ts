// Loaded first by main.ts: OpenTelemetry starts (when OTEL_* ask for it) before http and kafkajs load.
import { startTracing } from '@compliance/platform/tracing';

startTracing('console');
