'use strict';
/**
 * Starts what every e2e test shares: a real n8n with the packed package installed as a community
 * package, Azurite over HTTP (Shared Key) and over HTTPS with `--oauth basic` (bearer tokens),
 * trusted by n8n through NODE_EXTRA_CA_CERTS. Test files find them through the JSON file named by
 * E2E_STATE_FILE. The OAuth2 server runs inside each test file that needs it (n8n reaches it on
 * 127.0.0.1), so a test can set token lifetimes and count token requests.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const env = require('../../scripts/dev-env');
const runtime = require('../../scripts/n8n-runtime');

module.exports = async function globalSetup() {
	require('./setupEnv');
	const started = Date.now();
	await runtime.ensureRuntime();
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-'));
	const userFolder = path.join(workDir, 'n8n');
	await env.installPackage(userFolder);
	const tls = await env.createSelfSignedCertificate(path.join(workDir, 'tls'));
	const [azurite, azuriteTls] = await Promise.all([
		env.startAzurite({}),
		env.startAzurite({ https: tls }),
	]);
	const n8nEnv = { NODE_EXTRA_CA_CERTS: tls.cert };
	let n8n;
	try {
		n8n = await runtime.startN8n({ userFolder, env: n8nEnv });
	} catch (error) {
		await Promise.all([azurite.stop(), azuriteTls.stop()]);
		throw error;
	}
	globalThis.__E2E__ = { n8n, azurite, azuriteTls, workDir };
	const state = {
		baseUrl: n8n.baseUrl,
		cookie: n8n.cookie,
		owner: n8n.owner,
		userFolder,
		logFile: n8n.logFile,
		n8nEnv,
		certFile: tls.cert,
		blobEndpoint: azurite.blobEndpoint,
		tlsBlobEndpoint: azuriteTls.blobEndpoint,
	};
	const stateFile = path.join(workDir, 'state.json');
	fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));
	process.env.E2E_STATE_FILE = stateFile;
	process.stderr.write(`\n[e2e] n8n ${n8n.baseUrl}, Azurite ${azurite.blobEndpoint} and ${azuriteTls.blobEndpoint} ready in ${env.seconds(started)}\n`);
};
