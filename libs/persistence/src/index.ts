export * from './database';
export * from './data-source';
export * from './migrations';
export * from './messaging-tables.migration';
export * from './outbox';
export * from './outbox-relay';
export * from './pii-cipher';
export * from './retention-confirmations';
