#!/usr/bin/env node
'use strict';
/*
 * npm start — n8n with this package and a local Azure Blob Storage emulator, ready to click.
 *
 * 1. npm run build, 2. the pinned n8n runtime (installed into ~/.cache on first use),
 * 3. the packed package installed into .dev/n8n/.n8n/nodes (as n8n installs community nodes),
 * 4. Azurite with its data in .dev/azurite (kept between runs), 5. n8n on 127.0.0.1 with its
 * user folder .dev/n8n (kept between runs) and the owner account set up, 6. a Shared Key
 * credential for that Azurite (updated on every start, as Azurite's port may change) and the
 * example workflow (created once; your edits stay). Prints the URL and login.
 * Ctrl-C stops n8n and Azurite.
 *
 * Options: --no-build, --port=N (n8n; default 5678 when free), --azurite-port=N (default 10000
 * when free).
 */

const path = require('node:path');

const env = require('./dev-env');
const runtime = require('./n8n-runtime');

const USER_FOLDER = path.join(env.DEV_DIR, 'n8n');
const AZURITE_FOLDER = path.join(env.DEV_DIR, 'azurite');

function option(argv, name) {
	const match = argv.map((arg) => new RegExp(`^--${name}=(.*)$`).exec(arg)).find(Boolean);
	return match ? match[1] : undefined;
}

async function main(argv) {
	const started = Date.now();
	const running = [];
	let stopping = false;
	const stopAll = async (code) => {
		if (stopping) return;
		stopping = true;
		env.log('stopping ...');
		for (const service of running.reverse()) await service.stop().catch(() => {});
		env.log('stopped n8n and Azurite');
		process.exit(code);
	};
	process.on('SIGINT', () => stopAll(0));
	process.on('SIGTERM', () => stopAll(0));
	process.on('SIGHUP', () => stopAll(0));

	try {
		if (!argv.includes('--no-build')) await env.buildPackage();
		await runtime.ensureRuntime();
		await env.installPackage(USER_FOLDER);

		const azurite = await env.startAzurite({
			location: AZURITE_FOLDER,
			port: await env.preferPort(Number(option(argv, 'azurite-port') || 10000)),
		});
		running.push(azurite);
		env.log(`Azurite on ${azurite.blobEndpoint} (data in ${path.relative(env.ROOT, AZURITE_FOLDER)})`);
		azurite.process.once('exit', (code) => {
			if (!stopping) {
				env.log(`Azurite exited unexpectedly (${code})`);
				stopAll(1);
			}
		});

		env.log('starting n8n ...');
		const n8n = await runtime.startN8n({
			userFolder: USER_FOLDER,
			port: await env.preferPort(Number(option(argv, 'port') || 5678)),
		});
		running.push(n8n);
		n8n.process.once('exit', (code) => {
			if (!stopping) {
				env.log(`n8n exited unexpectedly (${code}); see ${n8n.logFile}`);
				stopAll(1);
			}
		});

		const types = await runtime.restRequest(n8n, 'GET', '/types/nodes.json');
		if (!types.some((type) => type.name === env.NODE_TYPE)) {
			throw new Error(`n8n did not load ${env.NODE_TYPE}; see ${n8n.logFile}`);
		}
		const credential = await env.upsertCredential(n8n, {
			name: env.SHARED_KEY_CREDENTIAL_NAME,
			type: 'azureBlobStorageSharedKeyApi',
			data: env.sharedKeyCredentialData(azurite.blobEndpoint),
		});
		const workflow = await env.ensureWorkflow(n8n, env.loadExampleWorkflow(env.EXAMPLE_WORKFLOW_FILE, credential));

		const line = '-'.repeat(72);
		process.stdout.write(
			[
				'',
				line,
				` n8n ${runtime.N8N_VERSION} with ${env.PACKAGE_NAME} is ready (${env.seconds(started)})`,
				'',
				` Open      ${n8n.baseUrl}`,
				` Log in    ${n8n.owner.email}  /  ${n8n.owner.password}`,
				` Workflow  ${n8n.baseUrl}/workflow/${workflow.id}  "${workflow.name}"${workflow.created ? ' (created)' : ''}`,
				` Credential "${credential.name}" -> ${azurite.blobEndpoint}`,
				'',
				` Azurite   ${azurite.blobEndpoint}  (account ${env.AZURITE_ACCOUNT}, data in .dev/azurite)`,
				` n8n data  .dev/n8n   log: ${path.relative(env.ROOT, n8n.logFile)}`,
				'',
				' Ctrl-C stops n8n and Azurite.',
				line,
				'',
			].join('\n'),
		);
	} catch (error) {
		process.stderr.write(`\nnpm start failed: ${error.stack || error}\n`);
		await stopAll(1);
	}
}

main(process.argv.slice(2));
