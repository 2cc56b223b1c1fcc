export * from './event-context';
export * from './event-consumer.decorator';
export * from './event-transport';
export * from './rethrow-rpc-errors.filter';
