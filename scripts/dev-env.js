'use strict';
/*
 * dev-env.js — the pieces `npm start`, `npm run demo` and the e2e suite share: build this
 * package, install it into an n8n user folder the way n8n installs a community package, start
 * Azurite, and create the example credential and workflow. Plain Node.js (CommonJS, stdlib only).
 *
 * How the package gets into n8n: n8n 2.41 loads every `n8n-nodes-*` folder under
 * `<userFolder>/.n8n/nodes/node_modules` at start-up (community-packages module, `nodeLoaders()`
 * -> `scanDirectoryForPackages`); no database record is needed. `installPackage()` does what
 * n8n's own installer does (CommunityPackagesService.downloadPackage): `npm pack`, unpack into
 * that folder, drop dev/peer/optional dependencies from its package.json, and
 * `npm install --install-strategy=shallow --ignore-scripts`. So the node type is the one users
 * get: `n8n-nodes-azure-blob-storage.azureBlobStorage` (not `CUSTOM.azureBlobStorage`, as with
 * N8N_CUSTOM_EXTENSIONS), and what is tested is the packed tarball (the `files` list included).
 */

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const runtime = require('./n8n-runtime');

const ROOT = path.resolve(__dirname, '..');
const PACKAGE = require(path.join(ROOT, 'package.json'));
const PACKAGE_NAME = PACKAGE.name;
const NODE_TYPE = `${PACKAGE_NAME}.azureBlobStorage`;
const DEV_DIR = path.join(ROOT, '.dev');

const { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite } = require('./azurite');

const SHARED_KEY_CREDENTIAL_NAME = 'Azurite (local emulator, Shared Key)';
const EXAMPLE_WORKFLOW_FILE = path.join(ROOT, 'examples', 'azure-blob-storage-round-trip.json');

function log(message) {
	process.stderr.write(`[dev-env] ${message}\n`);
}

function seconds(since) {
	return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** Runs a command; resolves { code, stdout, stderr }; with `inherit` the output goes to ours. */
function run(command, args, { cwd = ROOT, env = process.env, inherit = false } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd, env, stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		if (!inherit) {
			child.stdout.on('data', (chunk) => (stdout += chunk));
			child.stderr.on('data', (chunk) => (stderr += chunk));
		}
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, stdout, stderr }));
	});
}

async function runOrThrow(command, args, options) {
	const result = await run(command, args, options);
	if (result.code !== 0) {
		throw new Error(`${command} ${args.join(' ')} failed (exit ${result.code})\n${result.stdout}${result.stderr}`);
	}
	return result;
}

// ---------------------------------------------------------------------------------------------
// Build and install the package
// ---------------------------------------------------------------------------------------------

/** `npm run build` in the repository. Throws (with the compiler output) when it fails. */
async function buildPackage() {
	const started = Date.now();
	log('npm run build ...');
	await runOrThrow('npm', ['run', 'build', '--silent']);
	log(`  built in ${seconds(started)}`);
}

/**
 * Installs the built package into `<userFolder>/.n8n/nodes/node_modules/<name>` as n8n's
 * community package installer would. Skips the work when the same tarball is installed already.
 * @returns {Promise<{ packageDir: string, reinstalled: boolean }>}
 */
async function installPackage(userFolder) {
	const started = Date.now();
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const packageDir = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-pack-'));
	try {
		const { stdout } = await runOrThrow('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir]);
		const [packed] = JSON.parse(stdout);
		const { filename } = packed;
		const tarball = path.join(packDir, path.basename(filename));
		const digest = crypto.createHash('sha256').update(fs.readFileSync(tarball)).digest('hex');
		const stamp = path.join(packageDir, '.installed-tarball-sha256');
		if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === digest) {
			return { packageDir, reinstalled: false, packed };
		}
		log(`installing ${path.basename(filename)} into ${path.relative(ROOT, nodesDir) || nodesDir} ...`);
		fs.rmSync(packageDir, { recursive: true, force: true });
		fs.mkdirSync(packageDir, { recursive: true });
		await runOrThrow('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1']);
		const manifestFile = path.join(packageDir, 'package.json');
		// eslint-disable-next-line no-unused-vars
		const { devDependencies, peerDependencies, optionalDependencies, ...manifest } = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
		fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
		await runOrThrow(
			'npm',
			['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false', '--no-save'],
			{ cwd: packageDir },
		);
		const nodesPackageJson = path.join(nodesDir, 'package.json');
		const nodesManifest = fs.existsSync(nodesPackageJson)
			? JSON.parse(fs.readFileSync(nodesPackageJson, 'utf8'))
			: { name: 'installed-nodes', private: true, dependencies: {} };
		nodesManifest.dependencies = { ...nodesManifest.dependencies, [PACKAGE_NAME]: manifest.version };
		fs.writeFileSync(nodesPackageJson, `${JSON.stringify(nodesManifest, null, 2)}\n`);
		fs.writeFileSync(stamp, digest);
		log(`  installed in ${seconds(started)}`);
		return { packageDir, reinstalled: true, packed };
	} finally {
		fs.rmSync(packDir, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------------------------------------
// Azurite
// ---------------------------------------------------------------------------------------------

/** Whether a TCP port on 127.0.0.1 is free right now. */
function isPortFree(port) {
	return new Promise((resolve) => {
		const server = require('node:net').createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/** The preferred port when it is free, else 0 (any free port). */
async function preferPort(port) {
	return (await isPortFree(port)) ? port : 0;
}

/**
 * A self-signed certificate for 127.0.0.1 / localhost (openssl), written to dir; `dnsNames` adds
 * more names (e.g. an account host name such as devstoreaccount1.blob.localhost).
 */
async function createSelfSignedCertificate(dir, { dnsNames = [] } = {}) {
	fs.mkdirSync(dir, { recursive: true });
	const cert = path.join(dir, 'cert.pem');
	const key = path.join(dir, 'key.pem');
	if (!fs.existsSync(cert) || !fs.existsSync(key)) {
		await runOrThrow('openssl', [
			'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650',
			'-keyout', key, '-out', cert,
			'-subj', '/CN=127.0.0.1',
			'-addext', ['subjectAltName=IP:127.0.0.1', 'DNS:localhost', ...dnsNames.map((name) => `DNS:${name}`)].join(','),
		]);
	}
	return { cert, key };
}

// ---------------------------------------------------------------------------------------------
// Credentials and workflows
// ---------------------------------------------------------------------------------------------

function sharedKeyCredentialData(blobEndpoint) {
	return { accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY, cloud: 'custom', endpoint: blobEndpoint };
}

/**
 * Reads an example workflow and points every Azure Blob Storage node at the given credential.
 * @param {string} file  a workflow JSON from examples/
 * @param {{ id: string, name: string, type?: string }} credential
 */
function loadExampleWorkflow(file, credential) {
	const workflow = JSON.parse(fs.readFileSync(file, 'utf8'));
	const type = credential.type || 'azureBlobStorageSharedKeyApi';
	for (const node of workflow.nodes) {
		if (node.type !== NODE_TYPE) continue;
		node.credentials = { [type]: { id: credential.id, name: credential.name } };
	}
	return workflow;
}

/** Creates the credential, or updates the one with the same name and type (data replaced). */
async function upsertCredential(session, { name, type, data }) {
	const listed = await runtime.restRequest(session, 'GET', '/rest/credentials');
	const existing = (Array.isArray(listed) ? listed : listed.data || []).find(
		(credential) => credential.name === name && credential.type === type,
	);
	if (existing) {
		await runtime.restRequest(session, 'PATCH', `/rest/credentials/${existing.id}`, { name, type, data });
		return { id: existing.id, name, type, created: false };
	}
	const created = await runtime.restRequest(session, 'POST', '/rest/credentials', { name, type, data });
	return { id: created.id, name, type, created: true };
}

/** Creates the workflow unless one with the same name exists (so user edits survive restarts). */
async function ensureWorkflow(session, workflow) {
	const listed = await runtime.restRequest(session, 'GET', '/rest/workflows');
	const existing = (Array.isArray(listed) ? listed : listed.data || []).find((w) => w.name === workflow.name);
	if (existing) return { id: existing.id, name: existing.name, created: false };
	const { name, nodes, connections, settings } = workflow;
	const created = await runtime.restRequest(session, 'POST', '/rest/workflows', { name, nodes, connections, settings, active: false });
	return { id: created.id, name: created.name, created: true };
}

/**
 * Imports a credential and a workflow with the n8n CLI (no server needed) and returns their ids.
 * The credential data is given in clear; `import:credentials` encrypts it with the folder's key.
 */
async function importWithCli(userFolder, { credential, workflow }) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-import-'));
	try {
		if (credential) {
			const credentialFile = path.join(dir, 'credentials.json');
			fs.writeFileSync(credentialFile, JSON.stringify([credential]));
			const result = await runtime.runCli(['import:credentials', `--input=${credentialFile}`], { userFolder });
			if (result.code !== 0) throw new Error(`import:credentials failed:\n${result.stdout}${result.stderr}`);
		}
		const workflowFile = path.join(dir, 'workflow.json');
		fs.writeFileSync(workflowFile, JSON.stringify(workflow));
		const result = await runtime.runCli(['import:workflow', `--input=${workflowFile}`], { userFolder });
		if (result.code !== 0) throw new Error(`import:workflow failed:\n${result.stdout}${result.stderr}`);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/**
 * Runs `n8n execute --id=ID --rawOutput` and returns { code, run, stdout, stderr }: run is the
 * parsed execution ({ data: { resultData: { runData, error } } }) or undefined when n8n printed none.
 */
async function executeWithCli(userFolder, workflowId, env) {
	const result = await runtime.runCli(['execute', `--id=${workflowId}`, '--rawOutput'], { userFolder, env });
	let run;
	try {
		run = runtime.parseRawOutput(result.stdout);
	} catch {
		run = undefined;
	}
	return { ...result, run };
}

/** Output items of a node in a run: [{ json, binary }], [] when the node did not run. */
function nodeItems(run, nodeName) {
	const runs = run && run.data && run.data.resultData && run.data.resultData.runData[nodeName];
	if (!runs || !runs.length) return [];
	const main = (runs[runs.length - 1].data && runs[runs.length - 1].data.main) || [];
	return main.flat().filter(Boolean);
}

/** Lines of the n8n log that are errors naming this package. */
function packageErrorsInLog(logText) {
	// The runtime cache folder is named after this package; paths into it are not about the package.
	const lines = logText.split(runtime.runtimeDir()).join('<n8n-runtime>').split('\n');
	const problems = [];
	lines.forEach((line, index) => {
		if (!/error|failed|warn|skipping/i.test(line)) return;
		const nearby = lines.slice(Math.max(0, index - 2), index + 3).join('\n');
		if (nearby.includes(PACKAGE_NAME) || /azureBlobStorage/i.test(nearby)) problems.push(nearby);
	});
	return problems;
}

module.exports = {
	ROOT,
	DEV_DIR,
	PACKAGE_NAME,
	NODE_TYPE,
	AZURITE_ACCOUNT,
	AZURITE_KEY,
	SHARED_KEY_CREDENTIAL_NAME,
	EXAMPLE_WORKFLOW_FILE,
	log,
	seconds,
	buildPackage,
	installPackage,
	startAzurite,
	createSelfSignedCertificate,
	preferPort,
	sharedKeyCredentialData,
	loadExampleWorkflow,
	upsertCredential,
	ensureWorkflow,
	importWithCli,
	executeWithCli,
	nodeItems,
	packageErrorsInLog,
};
