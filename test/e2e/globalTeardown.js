'use strict';
/** Stops n8n and both Azurites; keeps the n8n log when E2E_KEEP is set. */
const fs = require('node:fs');

module.exports = async function globalTeardown() {
	const shared = globalThis.__E2E__;
	if (!shared) return;
	await shared.n8n.stop();
	await Promise.all([shared.azurite.stop(), shared.azuriteTls.stop()]);
	if (process.env.E2E_KEEP) {
		process.stderr.write(`[e2e] kept ${shared.workDir} (n8n log: ${shared.n8n.logFile})\n`);
	} else {
		fs.rmSync(shared.workDir, { recursive: true, force: true });
	}
};
