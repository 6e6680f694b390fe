/**
 * What the e2e tests share: the running n8n (from globalSetup), its REST API and CLI, workflow
 * builders for the packed node, and direct Azure SDK access to Azurite for preparing and checking
 * state without going through n8n.
 */
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { randomBytes } from 'crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

export { byName } from '../helpers/params';

// Plain-JS project scripts (CommonJS, no type declarations).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const devEnv = require('../../scripts/dev-env');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtime = require('../../scripts/n8n-runtime');

export { devEnv, runtime };

export const NODE_TYPE: string = devEnv.NODE_TYPE;
export const PACKAGE_NAME: string = devEnv.PACKAGE_NAME;

export interface E2eState {
	baseUrl: string;
	cookie: string;
	owner: { email: string; password: string };
	userFolder: string;
	logFile: string;
	n8nEnv: Record<string, string>;
	certFile: string;
	blobEndpoint: string;
	tlsBlobEndpoint: string;
}

let cached: E2eState | undefined;
export function e2e(): E2eState {
	if (!cached) {
		const file = process.env.E2E_STATE_FILE;
		if (!file) throw new Error('E2E_STATE_FILE is not set: run these tests with jest -c jest.e2e.config.js');
		cached = JSON.parse(readFileSync(file, 'utf8')) as E2eState;
	}
	return cached;
}

/** n8n's internal REST API as the logged-in owner (the editor's own calls). */
export async function rest<T = any>(method: string, path: string, body?: unknown): Promise<T> {
	return (await runtime.restRequest(e2e(), method, path, body)) as T;
}

export function uniqueName(prefix: string): string {
	return `${prefix}-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** A workflow id as n8n makes them: 16 letters and digits. */
export function workflowId(): string {
	const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
	return Array.from(randomBytes(16), (b) => alphabet[b % alphabet.length]).join('');
}

export interface CredentialRef {
	id: string;
	name: string;
	type: string;
}

/** Creates a credential through n8n's REST API, as the editor's credential dialog does on Save. */
export async function createCredential(name: string, type: string, data: Record<string, unknown>): Promise<CredentialRef> {
	const created = await rest<{ id: string }>('POST', '/rest/credentials', { name, type, data });
	return { id: created.id, name, type };
}

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}

let position = 0;
function nextPosition(): [number, number] {
	position += 220;
	return [position, 0];
}

/** The package's node, signed in with the given credential (authentication follows its type). */
export function blobStorageNode(name: string, credential: CredentialRef, parameters: Record<string, unknown>): WorkflowNode {
	const authentication: Record<string, string> = {
		azureBlobStorageSharedKeyApi: 'sharedKey',
		azureBlobStorageConnectionStringApi: 'connectionString',
		azureBlobStorageSasApi: 'sas',
		azureBlobStorageOAuth2Api: 'oAuth2',
		azureBlobStorageClientCredentialsOAuth2Api: 'clientCredentials',
	};
	return {
		id: randomUUID(),
		name,
		type: NODE_TYPE,
		typeVersion: 1,
		position: nextPosition(),
		parameters: { authentication: authentication[credential.type], ...parameters },
		credentials: { [credential.type]: { id: credential.id, name: credential.name } },
	};
}

export function codeNode(name: string, jsCode: string): WorkflowNode {
	return { id: randomUUID(), name, type: 'n8n-nodes-base.code', typeVersion: 2, position: nextPosition(), parameters: { jsCode } };
}

function randomUUID(): string {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return require('crypto').randomUUID();
}

export interface WorkflowJson {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings: Record<string, unknown>;
	active: boolean;
}

/** Manual Trigger -> nodes..., connected in a line. */
export function linearWorkflow(name: string, nodes: WorkflowNode[]): WorkflowJson {
	const trigger: WorkflowNode = {
		id: randomUUID(),
		name: 'Start',
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const all = [trigger, ...nodes];
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < all.length - 1; i++) {
		connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { id: workflowId(), name, nodes: all, connections, settings: { executionOrder: 'v1' }, active: false };
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
	const { userFolder, n8nEnv } = e2e();
	return await runtime.runCli(args, { userFolder, env: n8nEnv });
}

/** `n8n import:workflow` for several workflows at once (one CLI start-up). */
export async function importWorkflows(workflows: WorkflowJson[]): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'e2e-import-'));
	try {
		const file = join(dir, 'workflows.json');
		writeFileSync(file, JSON.stringify(workflows));
		const result = await cli(['import:workflow', `--input=${file}`]);
		if (result.code !== 0) throw new Error(`import:workflow failed:\n${result.stdout}${result.stderr}`);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

export interface Item {
	json: Record<string, any>;
	binary?: Record<string, any>;
}

export interface Execution {
	code: number;
	/** The run n8n printed, or undefined when it printed none. */
	run: any;
	/** The workflow's error message (n8n's resultData.error), if it failed. */
	error?: string;
	items(nodeName: string): Item[];
	output: string;
}

/** `n8n execute --id=<id> --rawOutput`, the way a user runs a saved workflow from the shell. */
export async function execute(id: string): Promise<Execution> {
	const { userFolder, n8nEnv } = e2e();
	const result = await devEnv.executeWithCli(userFolder, id, n8nEnv);
	const runError = result.run?.data?.resultData?.error;
	let error: string | undefined = runError ? `${runError.message} ${runError.description ?? ''}`.trim() : undefined;
	if (!error && result.code !== 0) {
		const lines = `${result.stdout}\n${result.stderr}`.split('\n').filter((l: string) => /error|fail/i.test(l));
		error = lines.slice(-10).join('\n') || `exit code ${result.code}`;
	}
	return {
		code: result.code,
		run: result.run,
		error,
		items: (nodeName: string) => devEnv.nodeItems(result.run, nodeName) as Item[],
		output: `${result.stdout}\n${result.stderr}`.slice(-6000),
	};
}

/** What n8n has stored for a credential, decrypted (`n8n export:credentials --decrypted`). */
export async function storedCredential(id: string): Promise<{ id: string; type: string; data: Record<string, any> }> {
	const dir = mkdtempSync(join(tmpdir(), 'e2e-export-'));
	try {
		const file = join(dir, 'credential.json');
		const result = await cli(['export:credentials', `--id=${id}`, '--decrypted', `--output=${file}`]);
		if (result.code !== 0) throw new Error(`export:credentials failed:\n${result.stdout}${result.stderr}`);
		const [credential] = JSON.parse(readFileSync(file, 'utf8'));
		return credential;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** Direct access to an Azurite (Shared Key) to prepare and verify state without n8n. */
export function azure(endpoint: string): BlobServiceClient {
	return new BlobServiceClient(endpoint, new StorageSharedKeyCredential(devEnv.AZURITE_ACCOUNT, devEnv.AZURITE_KEY));
}

// ---------------------------------------------------------------------------------------------
// Active workflows and their executions (the trigger tests)
// ---------------------------------------------------------------------------------------------

/** A single-node workflow holding one trigger node, as the editor saves it. */
export function triggerWorkflow(name: string, node: WorkflowNode): WorkflowJson {
	return { id: workflowId(), name, nodes: [node], connections: {}, settings: { executionOrder: 'v1' }, active: false };
}

/** Saves a workflow through the REST API (as the editor's Save) and publishes it (as "Activate"). */
export async function createActiveWorkflow(workflow: WorkflowJson): Promise<{ id: string; versionId: string }> {
	const { id: _id, active: _active, ...body } = workflow;
	const created = await rest<{ id: string; versionId: string }>('POST', '/rest/workflows', body);
	await rest('POST', `/rest/workflows/${created.id}/activate`, { versionId: created.versionId });
	return created;
}

/**
 * Waits until n8n has saved static data for the node: n8n does so right after a trigger's
 * activation (and its first poll) has finished. Activating through the REST API returns before
 * that: n8n 2.41 applies a published workflow's triggers in the background.
 */
export async function waitForStaticData(workflow: string, nodeName: string, timeoutMs = 60_000): Promise<Record<string, any>> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const saved = await rest<{ staticData?: Record<string, any> | null }>('GET', `/rest/workflows/${workflow}`);
		const data = saved.staticData?.[`node:${nodeName}`];
		if (data && Object.keys(data).length > 0) return data;
		if (Date.now() > deadline) throw new Error(`n8n saved no static data for node "${nodeName}" of workflow ${workflow} within ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 300));
	}
}

export async function deactivateWorkflow(id: string): Promise<void> {
	await rest('POST', `/rest/workflows/${id}/deactivate`, {});
}

export interface ExecutionSummary {
	id: string;
	status: string;
	mode: string;
}

/** The workflow's executions, newest first. */
export async function executionsOf(workflow: string): Promise<ExecutionSummary[]> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId: workflow }));
	const page = await rest<{ results: ExecutionSummary[] }>('GET', `/rest/executions?filter=${filter}&limit=100`);
	return page.results;
}

/** Waits until the workflow has at least `count` executions that are no longer running; newest first. */
export async function waitForExecutions(workflow: string, count: number, timeoutMs = 60_000): Promise<ExecutionSummary[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const executions = await executionsOf(workflow);
		const done = executions.filter((e) => !['running', 'new', 'waiting'].includes(e.status)).sort((a, b) => Number(b.id) - Number(a.id));
		if (done.length >= count) return done;
		if (Date.now() > deadline) throw new Error(`expected ${count} executions of workflow ${workflow}, found ${executions.length} after ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

/**
 * n8n sends execution data in the "flatted" format (JSON with shared references): an array whose
 * first entry is the value and whose strings inside objects are indexes of other entries.
 */
export function parseFlatted(text: string): any {
	const input = JSON.parse(text) as unknown[];
	const revived = new Set<object>();
	const revive = (value: any): any => {
		if (typeof value !== 'object' || value === null || revived.has(value)) return value;
		revived.add(value);
		for (const key of Object.keys(value)) {
			const entry = value[key];
			if (typeof entry === 'string') {
				const target = input[Number(entry)];
				value[key] = typeof target === 'object' && target !== null ? revive(target) : target;
			}
		}
		return value;
	};
	return revive(input[0]);
}

/** What an execution's node output: its items (json and binary), from n8n's REST API. */
export async function executionItems(executionId: string, nodeName: string): Promise<Item[]> {
	const execution = await rest<{ data: string }>('GET', `/rest/executions/${executionId}`);
	const data = parseFlatted(execution.data);
	return data.resultData.runData[nodeName]?.[0]?.data?.main?.[0] ?? [];
}

/**
 * Everything an execution produced (its run data: every node's items and errors), as text, for
 * searching it for secrets. (The execution also keeps a copy of the workflow and its parameters.)
 */
export async function executionResultText(executionId: string): Promise<string> {
	const execution = await rest<{ data: string }>('GET', `/rest/executions/${executionId}`);
	return JSON.stringify(parseFlatted(execution.data).resultData);
}

export interface HttpAnswer {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
	json(): any;
}

/** A plain HTTP request to n8n (a webhook delivery, as Azure Event Grid would send it). */
export async function httpRequest(
	method: string,
	path: string,
	options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<HttpAnswer> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const http = require('http') as typeof import('http');
	const url = new URL(path, e2e().baseUrl);
	return await new Promise<HttpAnswer>((resolve, reject) => {
		const request = http.request(url, { method, headers: options.headers }, (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json: () => JSON.parse(text) });
			});
			response.on('error', reject);
		});
		request.on('error', reject);
		request.setTimeout(30_000, () => request.destroy(new Error(`${method} ${path} timed out`)));
		if (options.body !== undefined) request.write(options.body);
		request.end();
	});
}
