export * from './config';
export * from './api-keys';
export * from './service-runtime';
export * from './platform.module';
export * from './bootstrap';
