export * from './kafka';
export * from './producer';
export * from './consumer-runner';
export { claimInbox } from './event-dispatch';
export * from './dead-letter-router';
export * from './errors';
export * from './metrics';
export * from './retry-headers';
export * from './topic-admin';
