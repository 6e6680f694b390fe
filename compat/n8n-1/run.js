#!/usr/bin/env node
/**
 * n8n 1.x compatibility check.
 *
 * Packs the built package (the repo's dist/ must exist: run `npm run build` first), installs the
 * tarball into compat/n8n-1/node_modules the way n8n installs a community package (its runtime
 * dependencies only, no dev or peer dependencies, no install scripts), so that the package's
 * `require('n8n-workflow')` resolves to the n8n-workflow 1.x copy installed here. Then starts
 * Azurite and runs the INSTALLED node, one single-node workflow per step, inside n8n-core 1.122's
 * WorkflowExecute, the engine of n8n 1.x.
 *
 * Prints one line per step and a final `n8n-1.x: N passed, M failed`; exits 0 only if all passed.
 * Set COMPAT_DEBUG=1 to print stack traces and the engine's reads of unset additionalData fields.
 */
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const HERE = __dirname;
const REPO_ROOT = path.resolve(HERE, '..', '..');
const MODULES = path.join(HERE, 'node_modules');
const DEBUG = !!process.env.COMPAT_DEBUG;

const { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite: startRepoAzurite } = require('../../scripts/azurite');
const { installPackage } = require('../../scripts/dev-env');
const SHARED_KEY_TYPE = 'azureBlobStorageSharedKeyApi';
const NODE_NAME = 'Azure Blob Storage';

const results = [];
const cleanups = [];
let tempRoot;

function report(name, ok, detail) {
	results.push({ name, ok });
	const line = `${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` - ${detail}` : ''}`;
	console.log(line);
}

async function step(name, fn) {
	try {
		const detail = await fn();
		report(name, true, typeof detail === 'string' ? detail : undefined);
		return true;
	} catch (error) {
		report(name, false, error && error.message ? error.message : String(error));
		if (DEBUG && error && error.stack) console.error(error.stack);
		return false;
	}
}

function assert(condition, message) {
	if (!condition) throw new Error(message);
}

// ---------------------------------------------------------------------------------------------
// 1. Pack and install the package like n8n installs a community package.
// ---------------------------------------------------------------------------------------------

async function packAndInstall() {
	const rootPkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
	for (const file of [...rootPkg.n8n.nodes, ...rootPkg.n8n.credentials]) {
		assert(fs.existsSync(path.join(REPO_ROOT, file)), `${file} is missing: run "npm run build" in the repo first`);
	}
	assert(
		fs.existsSync(path.join(MODULES, 'n8n-core', 'package.json')),
		'compat/n8n-1/node_modules is not installed: run "npm ci --prefix compat/n8n-1" first',
	);

	// The project's one "install like n8n" path (scripts/dev-env.js): the packed tarball in a user
	// folder's .n8n/nodes, its runtime dependencies nested under it, no dev or peer dependencies,
	// no install scripts. Moved next to n8n-core 1.x, the only n8n-workflow the package can find
	// is the 1.x copy installed here.
	const { packageDir, packed } = await installPackage(path.join(tempRoot, 'n8n-user'));
	const target = path.join(MODULES, rootPkg.name);
	fs.rmSync(target, { recursive: true, force: true });
	fs.cpSync(packageDir, target, { recursive: true });
	const nested = path.join(target, 'node_modules');
	assert(
		!fs.existsSync(path.join(nested, 'n8n-workflow')) && !fs.existsSync(path.join(nested, 'n8n-core')),
		'the installed package brought its own n8n-workflow/n8n-core',
	);
	return { dir: target, pkg: JSON.parse(fs.readFileSync(path.join(target, 'package.json'), 'utf8')), tarball: packed };
}

function verifyResolution(packageDir) {
	const resolved = require.resolve('n8n-workflow', { paths: [packageDir] });
	assert(resolved.startsWith(MODULES + path.sep), `n8n-workflow resolves to ${resolved}, outside compat/n8n-1`);
	const wfPkgPath = require.resolve('n8n-workflow/package.json', { paths: [packageDir] });
	const version = JSON.parse(fs.readFileSync(wfPkgPath, 'utf8')).version;
	assert(/^1\./.test(version), `n8n-workflow seen by the package is ${version}, not 1.x`);
	const corePkg = JSON.parse(fs.readFileSync(path.join(MODULES, 'n8n-core', 'package.json'), 'utf8'));
	assert(/^1\./.test(corePkg.version), `n8n-core here is ${corePkg.version}, not 1.x`);
	// The engine must share that very copy, or `instanceof` checks on errors would break.
	const engineWf = require.resolve('n8n-workflow', { paths: [path.join(MODULES, 'n8n-core')] });
	assert(engineWf === resolved, `n8n-core uses ${engineWf}, the package ${resolved}`);
	return `n8n-workflow ${version} at ${path.relative(REPO_ROOT, resolved)}, n8n-core ${corePkg.version}`;
}

// ---------------------------------------------------------------------------------------------
// 2. Azurite
// ---------------------------------------------------------------------------------------------

async function startAzurite() {
	const azurite = await startRepoAzurite({ location: fs.mkdtempSync(path.join(tempRoot, 'azurite-')) });
	cleanups.push(azurite.stop);
	return { port: azurite.port, endpoint: azurite.blobEndpoint };
}

// ---------------------------------------------------------------------------------------------
// 3. The n8n 1.x engine
// ---------------------------------------------------------------------------------------------

function loadEngine() {
	// n8n-core reads the user folder when it is first loaded.
	process.env.N8N_USER_FOLDER = fs.mkdtempSync(path.join(tempRoot, 'n8n-user-'));
	// A throwaway instance key, so n8n does not generate one and log about it.
	process.env.N8N_ENCRYPTION_KEY ||= crypto.randomBytes(24).toString('hex');
	process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS ||= 'false';
	require(require.resolve('reflect-metadata', { paths: [HERE] }));
	const fromHere = (name) => require(require.resolve(name, { paths: [HERE] }));
	const core = fromHere('n8n-core');
	const workflow = fromHere('n8n-workflow');
	const { Container } = fromHere('@n8n/di');
	return { core, workflow, Container };
}

function loadPackageClasses(installed) {
	const load = (file) => {
		const exports = require(path.join(installed.dir, file));
		const Class = Object.values(exports).find((value) => typeof value === 'function');
		assert(Class, `${file} exports no class`);
		return new Class();
	};
	const nodes = installed.pkg.n8n.nodes.map(load);
	const credentials = installed.pkg.n8n.credentials.map(load);
	const node = nodes.find((n) => n.description && n.description.name === 'azureBlobStorage');
	assert(node, 'no node named azureBlobStorage in n8n.nodes');
	const credentialTypes = Object.fromEntries(credentials.map((c) => [c.name, c]));
	assert(credentialTypes[SHARED_KEY_TYPE], `no credential ${SHARED_KEY_TYPE} in n8n.credentials`);
	return { node, credentialTypes, nodeType: `${installed.pkg.name}.${node.description.name}` };
}

function createHarness(engine, classes, credentialData) {
	const { core, workflow: wf } = engine;
	const { ExecutionLifecycleHooks, WorkflowExecute, Credentials } = core;
	const { Workflow, ICredentialsHelper } = wf;

	class CompatCredentialsHelper extends ICredentialsHelper {
		getParentTypes(name) {
			const type = classes.credentialTypes[name];
			return (type && type.extends) || [];
		}
		async authenticate(credentials, typeName, requestOptions) {
			const type = classes.credentialTypes[typeName];
			if (type && typeof type.authenticate === 'function') return await type.authenticate(credentials, requestOptions);
			return requestOptions;
		}
		async preAuthentication() {
			return undefined;
		}
		async getCredentials(details, type) {
			return new Credentials({ id: details.id, name: details.name }, type, '');
		}
		async getDecrypted(_additionalData, _details, type) {
			const data = credentialData[type];
			if (!data) throw new Error(`No credential of type ${type} in the compat run`);
			return structuredClone(data);
		}
		async updateCredentials() {}
		async updateCredentialsOauthTokenData() {}
		getCredentialsProperties(type) {
			const t = classes.credentialTypes[type];
			return (t && t.properties) || [];
		}
	}

	const nodeTypes = {
		getByName: () => classes.node,
		getByNameAndVersion: () => classes.node,
		getKnownTypes: () => ({}),
	};

	// additionalData: the fields n8n 1.x fills for a manual run, the rest absent (undefined).
	// With COMPAT_DEBUG=1, reads of absent fields are listed, to see what 1.122 looks at.
	function additionalDataFor(hooks, executionId, credentialsHelper) {
		const known = {
			credentialsHelper,
			hooks,
			executionId,
			restApiUrl: 'http://127.0.0.1:5678/rest',
			instanceBaseUrl: 'http://127.0.0.1:5678/',
			formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
			webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
			webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
			webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
			currentNodeExecutionIndex: 0,
			variables: {},
			executeWorkflow: async () => {
				throw new Error('executeWorkflow is not available in the compat run');
			},
			getRunExecutionData: async () => undefined,
			logAiEvent: () => {},
			startRunnerTask: async () => {
				throw new Error('startRunnerTask is not available in the compat run');
			},
			setExecutionStatus: () => {},
			sendDataToUI: () => {},
		};
		return new Proxy(known, {
			get(target, key, receiver) {
				if (DEBUG && typeof key === 'string' && !(key in target) && key !== 'then' && key !== 'toJSON') {
					console.error(`  [additionalData] read of unset field ${key}`);
				}
				return Reflect.get(target, key, receiver);
			},
		});
	}

	async function runNode({ parameters, items, continueOnFail }) {
		const credentialsHelper = new CompatCredentialsHelper();
		const node = {
			id: 'node-1',
			name: NODE_NAME,
			type: classes.nodeType,
			typeVersion: 1,
			position: [0, 0],
			parameters,
			credentials: { [SHARED_KEY_TYPE]: { id: 'cred-1', name: 'Azurite' } },
		};
		if (continueOnFail) node.onError = 'continueRegularOutput';
		const workflow = new Workflow({
			id: 'compat-workflow',
			name: 'compat',
			nodes: [node],
			connections: {},
			active: false,
			nodeTypes,
			settings: {},
		});
		const executionId = `compat-${crypto.randomUUID()}`;
		const hooks = new ExecutionLifecycleHooks('manual', executionId, {
			id: 'compat-workflow',
			name: 'compat',
			nodes: [node],
			connections: {},
			active: false,
			settings: {},
			createdAt: new Date(),
			updatedAt: new Date(),
		});
		let resolveFinished;
		const finished = new Promise((resolve) => (resolveFinished = resolve));
		hooks.addHandler('workflowExecuteAfter', (run) => resolveFinished(run));
		const additionalData = additionalDataFor(hooks, executionId, credentialsHelper);

		const runExecutionData = {
			startData: {},
			resultData: { runData: {} },
			executionData: {
				contextData: {},
				nodeExecutionStack: [{ node: workflow.getNode(NODE_NAME), data: { main: [items || [{ json: {} }]] }, source: null }],
				metadata: {},
				waitingExecution: {},
				waitingExecutionSource: {},
			},
		};
		const execute = new WorkflowExecute(additionalData, 'manual', runExecutionData);
		execute.processRunExecutionData(workflow);
		const run = await Promise.race([
			finished,
			new Promise((_, reject) => setTimeout(() => reject(new Error('execution did not finish within 60 s')), 60000).unref()),
		]);
		const nodeRun = run.data.resultData.runData[NODE_NAME] && run.data.resultData.runData[NODE_NAME][0];
		const error = (nodeRun && nodeRun.error) || run.data.resultData.error;
		const out = (nodeRun && nodeRun.data && nodeRun.data.main && nodeRun.data.main[0]) || [];
		return { items: out, error, run };
	}

	return { runNode };
}

function expectOk(result, what) {
	if (result.error) {
		const e = result.error;
		throw new Error(`${what} failed: ${e.message}${e.description ? ` (${e.description})` : ''}`);
	}
}

// ---------------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------------

async function main() {
	tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n1-compat-'));
	cleanups.push(async () => fs.rmSync(tempRoot, { recursive: true, force: true }));

	let installed;
	const installedOk = await step('pack the built package and install it like an n8n community package', async () => {
		installed = await packAndInstall();
		return `${installed.tarball.filename}, ${installed.tarball.entryCount} files`;
	});
	if (!installedOk) return;
	if (!(await step('the installed package resolves n8n-workflow 1.x from compat/n8n-1', () => verifyResolution(installed.dir)))) return;

	let engine;
	if (!(await step('load n8n-core 1.x (WorkflowExecute, ExecutionLifecycleHooks)', () => {
		engine = loadEngine();
		const version = require(require.resolve('n8n-core/package.json', { paths: [HERE] })).version;
		for (const name of ['WorkflowExecute', 'ExecutionLifecycleHooks', 'Credentials', 'BinaryDataService']) {
			assert(typeof engine.core[name] === 'function', `n8n-core ${version} has no ${name}`);
		}
		return `n8n-core ${version}`;
	}))) return;

	let classes;
	if (!(await step('load the node and credential classes from the installed package', () => {
		classes = loadPackageClasses(installed);
		return `${classes.nodeType}, ${Object.keys(classes.credentialTypes).length} credential types`;
	}))) return;

	let azurite;
	if (!(await step('start Azurite', async () => {
		azurite = await startAzurite();
		return azurite.endpoint;
	}))) return;

	const harness = createHarness(engine, classes, {
		[SHARED_KEY_TYPE]: { accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY, cloud: 'custom', endpoint: azurite.endpoint },
	});
	const run = (parameters, extra = {}) => harness.runNode({ parameters: { authentication: 'sharedKey', ...parameters }, ...extra });
	const rl = (value) => ({ __rl: true, mode: 'name', value });

	const container = `compat-${Date.now().toString(36)}-${crypto.randomBytes(3).toString('hex')}`;
	const content = Buffer.from(`Hello from n8n 1.x ${new Date().toISOString()}\n`);

	await step('container create', async () => {
		const r = await run({ resource: 'container', operation: 'create', containerName: container });
		expectOk(r, 'create');
		assert(r.items.length === 1, `expected 1 item, got ${r.items.length}`);
		assert(r.items[0].json.name === container, `item json.name is ${JSON.stringify(r.items[0].json.name)}`);
		return container;
	});

	await step('blob upload (inline binary item)', async () => {
		const r = await run(
			{ resource: 'blob', operation: 'upload', container: rl(container), blobName: 'hello.txt' },
			{ items: [{ json: {}, binary: { data: { data: content.toString('base64'), fileName: 'hello.txt', mimeType: 'text/plain' } } }] },
		);
		expectOk(r, 'upload');
		const json = r.items[0] && r.items[0].json;
		assert(json && json.name === 'hello.txt', `uploaded item: ${JSON.stringify(json)}`);
		assert(json.size === content.length, `size ${json.size}, expected ${content.length}`);
		const md5 = crypto.createHash('md5').update(content).digest('base64');
		assert(json.contentMD5 === undefined || json.contentMD5 === md5, `contentMD5 ${json.contentMD5}, expected ${md5}`);
		return `${json.size} bytes, ${json.contentType}`;
	});

	await step('blob getAll', async () => {
		const r = await run({ resource: 'blob', operation: 'getAll', container: rl(container), returnAll: true });
		expectOk(r, 'getAll');
		const names = r.items.map((i) => i.json.name);
		assert(names.length === 1 && names[0] === 'hello.txt', `listed ${JSON.stringify(names)}`);
		assert(r.items[0].json.size === content.length, `listed size ${r.items[0].json.size}`);
		return `${names.length} blob`;
	});

	await step('blob download (same bytes)', async () => {
		const r = await run({ resource: 'blob', operation: 'download', container: rl(container), blob: rl('hello.txt') });
		expectOk(r, 'download');
		const binary = r.items[0] && r.items[0].binary && r.items[0].binary.data;
		assert(binary, `no binary "data" on the output item: ${JSON.stringify(r.items[0])}`);
		const bytes = binary.id
			? await engine.Container.get(engine.core.BinaryDataService).getAsBuffer(binary)
			: Buffer.from(binary.data, 'base64');
		assert(bytes.equals(content), `downloaded ${bytes.length} bytes differ from the ${content.length} uploaded`);
		assert(binary.fileName === 'hello.txt', `fileName ${binary.fileName}`);
		assert(binary.mimeType === 'text/plain', `mimeType ${binary.mimeType}`);
		return `${bytes.length} bytes equal, ${binary.mimeType}`;
	});

	await step('blob download of a missing blob with Continue On Fail -> error item', async () => {
		const r = await run(
			{ resource: 'blob', operation: 'download', container: rl(container), blob: rl('x') },
			{ continueOnFail: true },
		);
		assert(!r.error, `the node failed instead of continuing: ${r.error && r.error.message}`);
		assert(r.items.length === 1, `expected 1 item, got ${r.items.length}`);
		const expected = `Blob "x" does not exist in container "${container}"`;
		assert(r.items[0].json.error === expected, `error ${JSON.stringify(r.items[0].json.error)}, expected ${JSON.stringify(expected)}`);
		return expected;
	});

	await step('blob delete', async () => {
		const r = await run({ resource: 'blob', operation: 'delete', container: rl(container), blob: rl('hello.txt') });
		expectOk(r, 'delete');
		assert(r.items.length === 1, `expected 1 item, got ${r.items.length}`);
		const list = await run({ resource: 'blob', operation: 'getAll', container: rl(container), returnAll: true });
		expectOk(list, 'getAll after delete');
		assert(list.items.length === 0, `still listed: ${JSON.stringify(list.items.map((i) => i.json.name))}`);
		return JSON.stringify(r.items[0].json);
	});

	if (process.env.COMPAT_SKIP_FILESYSTEM !== '1') {
		await step('filesystem binary mode: upload from an id-backed binary and download to one', async () => {
			const { Container, core } = engine;
			const service = Container.get(core.BinaryDataService);
			const fsContent = crypto.randomBytes(256 * 1024 + 13);
			// n8n-core 1.122: init() reads its BinaryDataConfig; 'filesystem' becomes 'filesystem-v2' ids.
			service.config.mode = 'filesystem';
			service.config.availableModes = ['default', 'filesystem'];
			await service.init();
			try {
				const stored = await service.store(
					{ type: 'execution', workflowId: 'compat-workflow', executionId: 'compat-upload' },
					fsContent,
					{ fileName: 'big.bin', mimeType: 'application/octet-stream', data: '' },
				);
				assert(stored.id && stored.id.startsWith('filesystem'), `stored binary has id ${stored.id}`);
				const up = await run(
					{ resource: 'blob', operation: 'upload', container: rl(container), blobName: 'big.bin' },
					{ items: [{ json: {}, binary: { data: stored } }] },
				);
				expectOk(up, 'upload');
				assert(up.items[0].json.size === fsContent.length, `uploaded size ${up.items[0].json.size}`);
				const down = await run({ resource: 'blob', operation: 'download', container: rl(container), blob: rl('big.bin') });
				expectOk(down, 'download');
				const binary = down.items[0].binary.data;
				assert(binary.id && binary.id.startsWith('filesystem'), `downloaded binary is not id-backed: ${JSON.stringify({ ...binary, data: undefined })}`);
				const bytes = await service.getAsBuffer(binary);
				assert(bytes.equals(fsContent), `downloaded ${bytes.length} bytes differ from the ${fsContent.length} uploaded`);
				const del = await run({ resource: 'blob', operation: 'delete', container: rl(container), blob: rl('big.bin') });
				expectOk(del, 'delete');
				return `${fsContent.length} bytes via ${stored.id.split(':')[0]} ids`;
			} finally {
				service.config.mode = 'default';
				await service.init();
			}
		});
	}

	await step('container delete', async () => {
		const r = await run({ resource: 'container', operation: 'delete', container: rl(container) });
		expectOk(r, 'delete');
		const list = await run({ resource: 'container', operation: 'getAll', returnAll: true });
		expectOk(list, 'container getAll');
		const names = list.items.map((i) => i.json.name);
		assert(!names.includes(container), `container still listed: ${JSON.stringify(names)}`);
		return `${names.length} containers left`;
	});
}

async function runCleanups() {
	while (cleanups.length) {
		const cleanup = cleanups.pop();
		try {
			await cleanup();
		} catch (error) {
			if (DEBUG) console.error('cleanup failed:', error);
		}
	}
}

// Ctrl-C or a CI timeout: stop Azurite and remove the temp folder before leaving.
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.once(signal, () => {
		console.log(`interrupted by ${signal}`);
		runCleanups().finally(() => process.exit(1));
	});
}

(async () => {
	const started = Date.now();
	try {
		await main();
	} catch (error) {
		report('unexpected error', false, error && error.message);
		if (DEBUG && error && error.stack) console.error(error.stack);
	} finally {
		await runCleanups();
	}
	const passed = results.filter((r) => r.ok).length;
	const failed = results.length - passed;
	if (DEBUG) console.error(`(took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
	console.log(`n8n-1.x: ${passed} passed, ${failed} failed`);
	process.exit(failed === 0 && passed > 0 ? 0 : 1);
})();
