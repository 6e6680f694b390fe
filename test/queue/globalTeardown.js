'use strict';
/** Stops the workers, the main, Redis, PostgreSQL and both Azurites; keeps the logs with QUEUE_KEEP=1. */
const fs = require('node:fs');

module.exports = async function globalTeardown() {
	const shared = globalThis.__QUEUE__;
	if (!shared) return;
	await shared.cluster.stop();
	await Promise.all(shared.azurites.map((a) => a.stop()));
	if (process.env.QUEUE_KEEP) {
		process.stderr.write(`[queue] kept ${shared.workDir} (logs of the main and each worker)\n`);
	} else {
		fs.rmSync(shared.workDir, { recursive: true, force: true });
	}
};
