/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/', '/test/queue/'],
	globalSetup: '<rootDir>/test/helpers/globalSetup.ts',
	setupFiles: ['<rootDir>/test/helpers/setupEnv.ts'],
	globalTeardown: '<rootDir>/test/helpers/globalTeardown.ts',
	transform: { '^.+\\.ts$': ['ts-jest', {}] },
	testTimeout: 60000,
	maxWorkers: 2,
};
