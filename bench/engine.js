'use strict';
/*
 * Runs the BUILT node (dist/) inside n8n-core's real WorkflowExecute, from plain Node.js. It
 * mirrors test/helpers/engine.ts without jest: the "answer anything" additionalData of
 * jest-mock-extended is a Proxy here.
 *
 * Load order matters: N8N_USER_FOLDER must be set and reflect-metadata loaded before n8n-core.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Readable } = require('node:stream');

process.env.N8N_USER_FOLDER ??= fs.mkdtempSync(path.join(os.tmpdir(), 'bench-n8n-user-'));
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
require('reflect-metadata');

const { Container } = require('@n8n/di');
const { createRunExecutionData, ICredentialsHelper, Workflow } = require('n8n-workflow');
const { BinaryDataService, Credentials, ExecutionLifecycleHooks, WorkflowExecute } = require('n8n-core');

const dist = path.join(__dirname, '..', 'dist');
const { AzureBlobStorage } = require(path.join(dist, 'nodes/AzureBlobStorage/AzureBlobStorage.node.js'));

const NODE_NAME = 'Azure Blob Storage';
const NODE_TYPE = 'n8n-nodes-azure-blob-storage.azureBlobStorage';

class BenchCredentialsHelper extends ICredentialsHelper {
	constructor(store) {
		super();
		this.store = store;
	}
	getParentTypes() {
		return [];
	}
	isCredentialUsableByNode() {
		return true;
	}
	async authenticate(_credentials, _type, requestOptions) {
		return requestOptions;
	}
	async preAuthentication() {
		return undefined;
	}
	async runPreAuthentication() {
		return undefined;
	}
	async getCredentials(details, type) {
		return new Credentials({ id: details.id, name: details.name }, type, '');
	}
	async getDecrypted(_additionalData, _details, type) {
		return structuredClone(this.store[type]);
	}
	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
	getCredentialsProperties() {
		return [];
	}
}

const nodeType = new AzureBlobStorage();
const nodeTypes = {
	getByName: () => nodeType,
	getByNameAndVersion: () => nodeType,
	getKnownTypes: () => ({}),
};

/** Anything not set explicitly answers as a no-op function (like jest-mock-extended's mock()). */
function answerAnything(fields) {
	return new Proxy(fields, {
		get(target, key) {
			if (key in target) return target[key];
			if (key === 'then' || typeof key === 'symbol') return undefined;
			const noop = () => undefined;
			target[key] = noop;
			return noop;
		},
	});
}

/** Switches n8n's binary data store to its filesystem mode (n8n 2.x's default). */
async function useFilesystemBinaryMode() {
	const service = Container.get(BinaryDataService);
	service.config.mode = 'filesystem';
	await service.init();
	return service;
}

/** Puts a file into n8n's binary store (as a "Read Files from Disk" node would) and returns an item. */
async function storedFileItem(filePath, fileName) {
	const service = Container.get(BinaryDataService);
	const binary = await service.store(
		{ type: 'execution', workflowId: 'bench-workflow', executionId: 'temp' },
		fs.createReadStream(filePath, { highWaterMark: 1024 * 1024 }),
		{ data: '', fileName, mimeType: 'application/octet-stream' },
	);
	return { json: {}, binary: { data: binary } };
}

/** Runs the node once; resolves { items, error }. */
async function runNode({ parameters, credentials, items }) {
	const helper = new BenchCredentialsHelper(structuredClone(credentials));
	const nodeCredentials = Object.fromEntries(Object.keys(credentials).map((type) => [type, { id: `${type}-id`, name: type }]));
	const workflow = new Workflow({
		id: 'bench-workflow',
		name: 'bench',
		nodes: [
			{ id: 'node-1', name: NODE_NAME, type: NODE_TYPE, typeVersion: 1, position: [0, 0], parameters, credentials: nodeCredentials },
		],
		connections: {},
		active: false,
		nodeTypes,
		settings: {},
	});
	const executionId = `bench-${Date.now()}`;
	const hooks = new ExecutionLifecycleHooks('manual', executionId, answerAnything({}));
	let resolveFinished;
	const finished = new Promise((resolve) => (resolveFinished = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => resolveFinished(run));

	const fields = {
		hooks,
		executionId,
		credentialsHelper: helper,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		variables: {},
	};
	for (const key of [
		'currentNodeParameters',
		'encryptedRunnerIdentity',
		'evalLlmMockHandler',
		'otel',
		'ssrfBridge',
		'oauth-jwe',
		'dynamic-credentials',
		'executionContext',
		'parentExecution',
		'restartExecutionId',
		'executionTimeoutTimestamp',
	]) {
		fields[key] = undefined;
	}
	const additionalData = answerAnything(fields);
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: workflow.getNode(NODE_NAME), data: { main: [items ?? [{ json: {} }]] }, source: null }],
		},
	});
	const workflowExecute = new WorkflowExecute(additionalData, 'manual', runExecutionData);
	workflowExecute.processRunExecutionData(workflow);
	const run = await finished;
	const nodeRun = run.data.resultData.runData[NODE_NAME]?.[0];
	return { items: nodeRun?.data?.main?.[0] ?? [], error: nodeRun?.error ?? run.data.resultData.error };
}

module.exports = { runNode, useFilesystemBinaryMode, storedFileItem, Readable };
