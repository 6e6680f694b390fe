/**
 * The package in n8n's queue mode (`npm run test:queue`): PostgreSQL and Redis from Debian's
 * packages, a real n8n 2.41 main and two workers, Azurite, all started by test/queue/globalSetup.js
 * on 127.0.0.1 and stopped by its teardown. The tests share that cluster and run in order, one
 * file at a time, on the 2-core machine.
 * @type {import('jest').Config}
 */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/queue'],
	testMatch: ['**/*.queue.test.ts'],
	globalSetup: '<rootDir>/test/queue/globalSetup.js',
	globalTeardown: '<rootDir>/test/queue/globalTeardown.js',
	setupFiles: ['<rootDir>/test/e2e/setupEnv.js'],
	transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: { warnOnly: false } }] },
	testTimeout: 180_000,
	maxWorkers: 1,
	slowTestThreshold: 60,
};
