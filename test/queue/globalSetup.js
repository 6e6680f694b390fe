'use strict';
/**
 * Starts what the queue-mode tests share: PostgreSQL, Redis, an n8n main and two workers in queue
 * mode with the packed package (test/queue/cluster.js), Azurite over HTTP (Shared Key) and over
 * HTTPS with `--oauth basic` (Entra ID tokens), trusted by every n8n process through
 * NODE_EXTRA_CA_CERTS. Test files find them through the JSON file named by QUEUE_STATE_FILE.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const devEnv = require('../../scripts/dev-env');
const runtime = require('../../scripts/n8n-runtime');
const { startQueueCluster } = require('./cluster');

/** The binary data limit the suite runs with (MiB), small so that going over it is cheap. */
const DATABASE_BINARY_LIMIT_MIB = 4;

module.exports = async function globalSetup() {
	require('../e2e/setupEnv');
	const started = Date.now();
	await runtime.ensureRuntime();
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-queue-'));
	const tls = await devEnv.createSelfSignedCertificate(path.join(workDir, 'tls'));
	const azurites = await Promise.all([devEnv.startAzurite({}), devEnv.startAzurite({ https: tls })]);
	let cluster;
	try {
		cluster = await startQueueCluster({
			workDir,
			workers: 2,
			concurrency: 5,
			env: {
				NODE_EXTRA_CA_CERTS: tls.cert,
				N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE: String(DATABASE_BINARY_LIMIT_MIB),
			},
		});
	} catch (error) {
		await Promise.all(azurites.map((a) => a.stop()));
		fs.rmSync(workDir, { recursive: true, force: true });
		throw error;
	}
	const [azurite, azuriteTls] = azurites;
	globalThis.__QUEUE__ = { cluster, azurites, workDir };
	const state = {
		baseUrl: cluster.main.baseUrl,
		cookie: cluster.main.cookie,
		mainFolder: cluster.main.userFolder,
		mainLog: cluster.main.logFile,
		workers: cluster.workers.map((w) => ({ name: w.name, logFile: w.logFile, userFolder: w.userFolder, pid: w.process.pid })),
		env: cluster.env,
		workDir,
		certFile: tls.cert,
		blobEndpoint: azurite.blobEndpoint,
		tlsBlobEndpoint: azuriteTls.blobEndpoint,
		databaseBinaryLimitMiB: DATABASE_BINARY_LIMIT_MIB,
		setupSeconds: Math.round((Date.now() - started) / 1000),
	};
	const stateFile = path.join(workDir, 'state.json');
	fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));
	process.env.QUEUE_STATE_FILE = stateFile;
	process.stderr.write(`[queue] ready in ${state.setupSeconds} s (work dir ${workDir})\n`);
};
