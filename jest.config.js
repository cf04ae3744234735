/** Unit specs beside the code (src/**\/*.spec.ts) and end-to-end specs (test/e2e) against real PostgreSQL and Redis. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/env.ts'],
  maxWorkers: 2,
  // 60 s: two browser specs and their apps share a 2-core CI machine; a test that hangs still fails.
  testTimeout: 60000,
};
