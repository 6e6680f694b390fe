/**
 * End-to-end tests: the packed package inside a real n8n (2.41.1, cached outside the repo by
 * scripts/n8n-runtime.js) against real Azurite and a loopback OAuth2 server. One n8n server for
 * the whole run (test/e2e/globalSetup.js); tests run one file at a time because they share it
 * and the 2-core machine. Run with `npm run test:e2e` (builds first).
 * @type {import('jest').Config}
 */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.test.ts'],
	globalSetup: '<rootDir>/test/e2e/globalSetup.js',
	globalTeardown: '<rootDir>/test/e2e/globalTeardown.js',
	setupFiles: ['<rootDir>/test/e2e/setupEnv.js'],
	transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: { warnOnly: false } }] },
	testTimeout: 180_000,
	maxWorkers: 1,
	// n8n's first-time install (about 4 minutes on a 2-core machine) happens in globalSetup, outside any test timeout.
	slowTestThreshold: 60,
};
