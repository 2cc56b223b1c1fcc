export * from './config';
export * from './api-keys';
export * from './service-runtime';
export * from './platform.module';
export * from './bootstrap';
export * from './pii-rekey-on-start';
export * from './events';
export { activeTraceparent, tracingEnabled } from './tracing/trace-state';
export * from './identity-visibility';
