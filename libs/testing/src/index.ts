export * from './infrastructure';
export * from './kafka-helpers';
export * from './database-helpers';
export * from './wait';
export * from './webhooks';
export * from './apps';
export * from './effects.migration';
export * from './topic-cleanup';
