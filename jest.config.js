/**
 * Four tiers, run together by `npm test` (one jest run, one summary line) or alone by
 * `npm run test:unit` / `test:integration` / `test:e2e` / `test:fault` (`--selectProjects`).
 * - unit: no services, and an environment that makes any socket or server throw;
 * - integration: real PostgreSQL, Milvus Lite and the Milvus 2.3 standalone;
 * - e2e: the built server against real PostgreSQL and Milvus Lite;
 * - fault: the built server while its dependencies crash, stall or are fed hostile input; each
 *   file owns its dependencies (its own PostgreSQL cluster, Milvus Lite, proxies), so no set-up.
 * A project's global set-up runs only when one of its tests is selected.
 */
const shared = {
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: { '^uuid$': '<rootDir>/test/support/uuid-stub.js' },
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/test/unit'],
      testEnvironment: '<rootDir>/test/support/offline-environment.ts',
    },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration'],
      testEnvironment: 'node',
      globalSetup: '<rootDir>/test/support/global-setup-integration.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...shared,
      displayName: 'e2e',
      roots: ['<rootDir>/test/e2e'],
      testEnvironment: 'node',
      globalSetup: '<rootDir>/test/support/global-setup-e2e.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...shared,
      displayName: 'fault',
      roots: ['<rootDir>/test/fault'],
      testEnvironment: 'node',
    },
  ],
  testTimeout: 60_000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
