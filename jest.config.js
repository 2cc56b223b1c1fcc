const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.base.json');

// One Jest run for the whole workspace: unit and integration tests share a real Kafka broker and
// Postgres brought up once by the global setup; each test file isolates itself (own topics/database).
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools', '<rootDir>/e2e'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json', diagnostics: false }],
    // any-ascii ships ES modules only; Node loads it natively, Jest needs it as CommonJS.
    'node_modules/any-ascii/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', esModuleInterop: true }, diagnostics: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!any-ascii/)'],
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  // Unit runs (TEST_KIND=unit with --filter=./tools/jest/test-kind.js, the Nx `test` target) bring up no infrastructure.
  ...(process.env.TEST_KIND === 'unit'
    ? {}
    : { globalSetup: '<rootDir>/libs/testing/src/global-setup.ts', globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts' }),
  // The kafkajs send fix and record codec must load before kafkajs in every test file (libs/messaging/src/kafkajs-send-messages.ts, kafkajs-records.ts).
  setupFiles: ['reflect-metadata', '<rootDir>/libs/messaging/src/kafkajs-send-messages.ts', '<rootDir>/libs/messaging/src/kafkajs-records.ts'],
  testTimeout: 120000,
  maxWorkers: 2,
  verbose: true,
  // kafkajs keeps reconnect timers alive after disconnect; a finished run must not hang CI.
  forceExit: true,
};
