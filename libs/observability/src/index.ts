export * from './redaction';
export * from './logger';
export * from './readiness';
export * from './health.controller';
export * from './metrics.controller';
export * from './observability.module';
export * from './metric-once';
