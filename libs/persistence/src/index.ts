export * from './database';
export * from './data-source';
export * from './migrations';
export * from './pii-cipher';
export * from './wakeup';
export * from './pii-rekey';
export * from './runtime-role';
export * from './erasure-tombstones';
