#!/usr/bin/env node
'use strict';
/*
 * npm run demo — headless proof that the package works inside real n8n.
 *
 * Builds the package, installs it into a private n8n user folder (.dev/demo-n8n) the way n8n
 * installs community packages, starts Azurite on a free port with a throw-away data folder,
 * imports the example workflow (examples/azure-blob-storage-round-trip.json) and a Shared Key
 * credential with the n8n CLI, runs it with `n8n execute`, prints what each step produced, and
 * checks it: exit code 0 only when every step did what it should.
 *
 * Options: --no-build (use the dist/ that is there), --keep (leave Azurite's data folder).
 */

const fs = require('node:fs');
const path = require('node:path');

const env = require('./dev-env');
const runtime = require('./n8n-runtime');

const USER_FOLDER = path.join(env.DEV_DIR, 'demo-n8n');
const CREDENTIAL_ID = 'azblobDemoCred01';

function bytes(n) {
	return `${n} byte${n === 1 ? '' : 's'}`;
}

/** One line per step: what the user would read in n8n's output panel, and whether it is right. */
function checkSteps(run, settings) {
	const items = (name) => env.nodeItems(run, name);
	const first = (name) => (items(name)[0] || {}).json || {};
	const steps = [
		['Settings', () => {
			const s = first('Settings');
			return [!!s.container && !!s.blobName, `container "${s.container}", blob "${s.blobName}"`];
		}],
		['Create container', () => {
			const c = first('Create container');
			return [c.created === true && c.name === settings.container, `created: ${c.created}, url ${c.url}`];
		}],
		['Make a file', () => {
			const item = items('Make a file')[0] || {};
			const binary = item.binary && item.binary.data;
			return [!!binary, binary ? `${binary.fileName} (${binary.mimeType}${binary.fileSize ? `, ${binary.fileSize}` : ''})` : 'no binary'];
		}],
		['Upload blob', () => {
			const u = first('Upload blob');
			const expected = Buffer.byteLength(settings.text, 'utf8');
			return [u.size === expected && u.name === settings.blobName, `${u.name}: ${bytes(u.size)}, ${u.contentType}, etag ${u.etag}`];
		}],
		['List blobs', () => {
			const names = items('List blobs').map((i) => i.json.name);
			return [names.length === 1 && names[0] === settings.blobName, `${names.length} blob(s): ${names.join(', ')}`];
		}],
		['Download blob', () => {
			const item = items('Download blob')[0] || {};
			const binary = item.binary && item.binary.data;
			const ok = !!binary && item.json.size === Buffer.byteLength(settings.text, 'utf8');
			return [ok, binary ? `${item.json.name}: ${bytes(item.json.size)} into binary field "data" (${binary.fileName})` : 'no binary output'];
		}],
		['Compare bytes', () => {
			const c = first('Compare bytes');
			return [c.identical === true, `identical: ${c.identical} (${bytes(c.bytes)})`];
		}],
		['Delete blob', () => {
			const d = first('Delete blob');
			return [d.deleted === true, `deleted: ${d.deleted} (${d.name})`];
		}],
		['Delete container', () => {
			const d = first('Delete container');
			return [d.deleted === true, `deleted: ${d.deleted} (${d.name})`];
		}],
	];
	let allOk = true;
	for (const [name, check] of steps) {
		let ok;
		let text;
		try {
			[ok, text] = check();
		} catch (error) {
			[ok, text] = [false, `could not read its output: ${error.message}`];
		}
		if (!items(name).length) [ok, text] = [false, 'did not run / produced no items'];
		allOk = allOk && ok;
		process.stdout.write(`  ${ok ? 'ok  ' : 'FAIL'}  ${name.padEnd(17)} ${text}\n`);
	}
	return allOk;
}

/** Asks Azurite directly (not through n8n) whether the demo container is really gone. */
async function containerExists(blobEndpoint, container) {
	const { BlobServiceClient, StorageSharedKeyCredential } = require(require.resolve('@azure/storage-blob', { paths: [env.ROOT] }));
	const service = new BlobServiceClient(blobEndpoint, new StorageSharedKeyCredential(env.AZURITE_ACCOUNT, env.AZURITE_KEY));
	return await service.getContainerClient(container).exists();
}

async function main(argv) {
	const started = Date.now();
	if (!argv.includes('--no-build')) await env.buildPackage();
	await runtime.ensureRuntime();
	await env.installPackage(USER_FOLDER);
	const azurite = await env.startAzurite({});
	env.log(`Azurite on ${azurite.blobEndpoint}`);
	const stopAll = async () => {
		await azurite.stop();
	};
	process.once('SIGINT', () => stopAll().then(() => process.exit(130)));
	process.once('SIGTERM', () => stopAll().then(() => process.exit(143)));
	try {
		const credential = {
			id: CREDENTIAL_ID,
			name: env.SHARED_KEY_CREDENTIAL_NAME,
			type: 'azureBlobStorageSharedKeyApi',
			data: env.sharedKeyCredentialData(azurite.blobEndpoint),
		};
		const workflow = env.loadExampleWorkflow(env.EXAMPLE_WORKFLOW_FILE, credential);
		let t = Date.now();
		await env.importWithCli(USER_FOLDER, { credential, workflow });
		env.log(`imported credential + workflow "${workflow.name}" (${env.seconds(t)})`);
		t = Date.now();
		env.log(`n8n execute --id=${workflow.id} ...`);
		const result = await env.executeWithCli(USER_FOLDER, workflow.id);
		env.log(`  finished with exit code ${result.code} in ${env.seconds(t)}`);

		process.stdout.write(`\nWorkflow "${workflow.name}" in n8n ${runtime.N8N_VERSION}:\n`);
		const run = result.run;
		const settings = env.nodeItems(run, 'Settings')[0]?.json || {};
		let ok = result.code === 0 && !!run && checkSteps(run, settings);
		const runError = run && run.data && run.data.resultData && run.data.resultData.error;
		if (runError) {
			ok = false;
			process.stdout.write(`  error in node "${runError.node && runError.node.name}": ${runError.message}\n`);
		}
		if (!run) {
			process.stdout.write(`  n8n printed no execution result. Its output:\n${(result.stdout + result.stderr).slice(-4000)}\n`);
		}
		if (ok && settings.container) {
			const stillThere = await containerExists(azurite.blobEndpoint, settings.container);
			process.stdout.write(`  ${stillThere ? 'FAIL' : 'ok  '}  ${'Azurite check'.padEnd(17)} container ${stillThere ? 'still exists' : 'is gone'} when asked directly\n`);
			ok = ok && !stillThere;
		}
		process.stdout.write(`\n${ok ? 'Demo passed' : 'Demo FAILED'} in ${env.seconds(started)}.\n`);
		return ok ? 0 : 1;
	} finally {
		await stopAll();
	}
}

if (require.main === module) {
	main(process.argv.slice(2)).then(
		(code) => process.exit(code),
		(error) => {
			process.stderr.write(`\nDemo FAILED: ${error.stack || error}\n`);
			process.exit(1);
		},
	);
}

module.exports = { main };
