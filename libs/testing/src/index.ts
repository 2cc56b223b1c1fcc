export * from './infrastructure';
export * from './wait';
export * from './webhooks';
export * from './effects.migration';
export * from './topic-cleanup';
export * from './seeded-random';
export * from './lossy-kafka-proxy';
export * from './database-cleanup';
