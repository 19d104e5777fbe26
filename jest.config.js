/**
 * Three tiers, one suffix each; `npm test` runs all three, `npm run test:<tier>` one of them.
 * - unit        `*.spec.ts`      no database, no network, no child processes: seconds.
 * - integration `*.int-spec.ts`  real PostgreSQL (embedded unless DATABASE_URL), the sandbox over HTTP.
 * - e2e         `*.e2e-spec.ts`  real processes (CLI, second instances, kill -9) and the browser.
 * Helpers live in test/support, which the build never compiles into dist/.
 */
const shared = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': 'ts-jest' },
};
const withPostgres = {
  ...shared,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

module.exports = {
  testTimeout: 60000,
  maxWorkers: 2,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...withPostgres, displayName: 'integration', testMatch: ['<rootDir>/src/**/*.int-spec.ts'] },
    { ...withPostgres, displayName: 'e2e', testMatch: ['<rootDir>/src/**/*.e2e-spec.ts'] },
  ],
};
