/**
 * What the queue-mode tests share: the cluster started by globalSetup.js, n8n's REST API as the
 * editor uses it (save a workflow, "Execute workflow", open an execution, download a binary),
 * which worker ran an execution (each worker's log), what PostgreSQL holds for a credential
 * (`n8n export:credentials --decrypted` against it), and a gate in front of the identity
 * provider's token endpoint that holds refresh requests so that two processes meet there.
 */
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { request as httpRequest, createServer, type IncomingMessage, type Server } from 'http';
import { randomUUID } from 'crypto';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

export { blobStorageNode, byName, codeNode, uniqueName, type CredentialRef, type WorkflowNode } from '../e2e/support';
import type { CredentialRef, WorkflowNode } from '../e2e/support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const devEnv = require('../../scripts/dev-env');
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const runtime = require('../../scripts/n8n-runtime');
export { devEnv };

export interface QueueState {
	baseUrl: string;
	cookie: string;
	mainFolder: string;
	mainLog: string;
	workers: { name: string; logFile: string; userFolder: string; pid: number }[];
	env: Record<string, string>;
	workDir: string;
	certFile: string;
	blobEndpoint: string;
	tlsBlobEndpoint: string;
	databaseBinaryLimitMiB: number;
	setupSeconds: number;
}

let cached: QueueState | undefined;
export function queue(): QueueState {
	if (!cached) {
		const file = process.env.QUEUE_STATE_FILE;
		if (!file) throw new Error('QUEUE_STATE_FILE is not set: run these tests with jest -c jest.queue.config.js');
		cached = JSON.parse(readFileSync(file, 'utf8')) as QueueState;
	}
	return cached;
}

export async function rest<T = any>(method: string, path: string, body?: unknown): Promise<T> {
	return (await runtime.restRequest(queue(), method, path, body)) as T;
}

export async function createCredential(name: string, type: string, data: Record<string, unknown>): Promise<CredentialRef> {
	const created = await rest<{ id: string }>('POST', '/rest/credentials', { name, type, data });
	return { id: created.id, name, type };
}

export function sharedKeyData(endpoint: string): Record<string, unknown> {
	return devEnv.sharedKeyCredentialData(endpoint);
}

export function manualTrigger(): WorkflowNode {
	return { id: randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
}

/** Saves a workflow (first node first, each node feeding the next) as the editor's Save does. */
export async function saveWorkflow(name: string, nodes: WorkflowNode[]): Promise<{ id: string; versionId: string }> {
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < nodes.length - 1; i++) connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	return await rest('POST', '/rest/workflows', { name, nodes, connections, settings: { executionOrder: 'v1' } });
}

/** "Execute workflow" in the editor: queued for a worker (OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS). */
export async function startManualRun(workflowId: string): Promise<string> {
	const started = await rest<{ executionId: string }>('POST', `/rest/workflows/${workflowId}/run`, { triggerToStartFrom: { name: 'Start' } });
	if (!started.executionId) throw new Error(`n8n started no execution: ${JSON.stringify(started)}`);
	return started.executionId;
}

// n8n sends execution data in the "flatted" format; its own parser, from the pinned runtime.
function parseFlatted(text: string): any {
	const runtimeDir = runtime.runtimeDir();
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const flatted = require(require.resolve('flatted', { paths: [join(runtimeDir, 'n8n', 'node_modules', 'n8n')] }));
	return flatted.parse(text);
}

export interface Item {
	json: Record<string, any>;
	binary?: Record<string, any>;
}

export interface Execution {
	id: string;
	status: string;
	mode: string;
	/** The workflow's error: message and description, if it failed. */
	error?: string;
	run: any;
	items(nodeName: string): Item[];
	/** Name of the worker whose log says it ran this execution ('main' if none did). */
	worker: string;
}

/** Which worker's log says "Worker started execution <id>". */
export function workerOf(executionId: string): string {
	const pattern = new RegExp(`Worker started execution ${executionId} \\(job`);
	const ran = queue().workers.filter((w) => pattern.test(readFileSync(w.logFile, 'utf8')));
	if (ran.length > 1) throw new Error(`execution ${executionId} appears in the logs of ${ran.map((w) => w.name).join(' and ')}`);
	return ran[0]?.name ?? 'main';
}

/** Waits until the execution is finished (any final status) and returns it. */
export async function waitForExecution(executionId: string, timeoutMs = 120_000): Promise<Execution> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const execution = await rest<any>('GET', `/rest/executions/${executionId}`);
		if (execution && !['new', 'running', 'waiting'].includes(execution.status)) {
			const run = typeof execution.data === 'string' ? parseFlatted(execution.data) : execution.data;
			const runError = run?.resultData?.error;
			return {
				id: String(execution.id),
				status: execution.status,
				mode: execution.mode,
				error: runError ? `${runError.message ?? ''} ${runError.description ?? ''}`.trim() : undefined,
				run,
				items: (nodeName: string) => {
					const runs = run?.resultData?.runData?.[nodeName];
					if (!runs?.length) return [];
					return ((runs[runs.length - 1].data?.main ?? []) as Item[][]).flat().filter(Boolean);
				},
				worker: workerOf(String(execution.id)),
			};
		}
		if (Date.now() > deadline) throw new Error(`execution ${executionId} still ${execution?.status} after ${timeoutMs / 1000} s`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

export async function runAndWait(workflowId: string): Promise<Execution> {
	return await waitForExecution(await startManualRun(workflowId));
}

/** The bytes of a binary as the editor downloads them (GET /rest/binary-data). */
export function binaryBytes(binaryId: string): Promise<Buffer> {
	const { baseUrl, cookie } = queue();
	const url = new URL(`/rest/binary-data?id=${encodeURIComponent(binaryId)}&action=download`, baseUrl);
	return new Promise((resolve, reject) => {
		const req = httpRequest(url, { headers: { cookie, 'browser-id': 'n8n-runtime-e2e' } }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () => {
				const body = Buffer.concat(chunks);
				if (res.statusCode !== 200) reject(new Error(`GET ${url.pathname} -> ${res.statusCode}: ${body.toString('utf8').slice(0, 500)}`));
				else resolve(body);
			});
		});
		req.on('error', reject);
		req.end();
	});
}

/** Runs the n8n CLI against the cluster's PostgreSQL, as another process of the installation. */
export async function cli(args: string[], env: Record<string, string> = {}, userFolder = queue().mainFolder): Promise<{ code: number; stdout: string; stderr: string }> {
	return await runtime.runCli(args, { userFolder, env: { ...queue().env, ...env } });
}

/** What PostgreSQL holds for a credential, decrypted by n8n (`n8n export:credentials --decrypted`). */
export async function storedCredential(id: string): Promise<{ id: string; type: string; data: Record<string, any> }> {
	const dir = mkdtempSync(join(tmpdir(), 'queue-export-'));
	try {
		const file = join(dir, 'credential.json');
		const result = await cli(['export:credentials', `--id=${id}`, '--decrypted', `--output=${file}`]);
		if (result.code !== 0) throw new Error(`export:credentials failed:\n${result.stdout}${result.stderr}`);
		return JSON.parse(readFileSync(file, 'utf8'))[0];
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

export function azure(endpoint: string): BlobServiceClient {
	return new BlobServiceClient(endpoint, new StorageSharedKeyCredential(devEnv.AZURITE_ACCOUNT, devEnv.AZURITE_KEY));
}

export function jwtClaims(token: string): { exp: number; iat: number } {
	return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// "Connect my account" through the main, as in test/e2e/oauth2-sign-in.e2e.test.ts
// ---------------------------------------------------------------------------------------------

function browserGet(url: string, cookies: string[]): Promise<{ status: number; location?: string; setCookies: string[]; body: string }> {
	return new Promise((resolve, reject) => {
		const headers: Record<string, string> = { 'browser-id': 'n8n-runtime-e2e' };
		if (cookies.length) headers.cookie = cookies.join('; ');
		const req = httpRequest(url, { headers }, (res) => {
			let body = '';
			res.on('data', (chunk) => (body += chunk));
			res.on('end', () =>
				resolve({
					status: res.statusCode ?? 0,
					location: res.headers.location,
					setCookies: ([] as string[]).concat(res.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]),
					body,
				}),
			);
		});
		req.on('error', reject);
		req.end();
	});
}

/** Clicks "Connect my account": n8n's authorize URL, the identity provider's redirect, n8n's callback. */
export async function connectAccount(credentialId: string): Promise<void> {
	const { baseUrl, cookie } = queue();
	const start = await browserGet(`${baseUrl}/rest/oauth2-credential/auth?id=${credentialId}`, [cookie]);
	if (start.status !== 200) throw new Error(`oauth2-credential/auth -> ${start.status}: ${start.body}`);
	const signIn = await browserGet(JSON.parse(start.body).data, []);
	if (signIn.status !== 302 || !signIn.location) throw new Error(`authorize -> ${signIn.status}: ${signIn.body}`);
	const done = await browserGet(signIn.location, [cookie, ...start.setCookies]);
	if (done.status !== 200 || /error/i.test(done.body)) throw new Error(`callback -> ${done.status}: ${done.body.slice(0, 500)}`);
}

// ---------------------------------------------------------------------------------------------
// A gate in front of the token endpoint
// ---------------------------------------------------------------------------------------------

export interface TokenGate {
	/** Put this in the credential's "Sign-In Authority": the gate forwards everything to `target`. */
	authority: string;
	/**
	 * Refresh requests (grant_type=refresh_token) wait here until `meet` of them have arrived or
	 * `maxWaitMs` passed, then all go on at once; undefined lets them through at once.
	 */
	hold: { meet: number; maxWaitMs: number } | undefined;
	/** When each refresh request arrived at the gate (ms epoch). */
	refreshArrivals: number[];
	/** The identity provider's answers to refresh requests, in order: status and access token (if any). */
	refreshAnswers: { status: number; accessToken?: string; error?: string }[];
	stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

export async function startTokenGate(target: string): Promise<TokenGate> {
	const targetUrl = new URL(target);
	let waiting: (() => void)[] = [];
	let timer: NodeJS.Timeout | undefined;
	const release = () => {
		clearTimeout(timer);
		timer = undefined;
		const go = waiting;
		waiting = [];
		for (const proceed of go) proceed();
	};
	const server: Server = createServer(async (req, res) => {
		const body = await readBody(req);
		const isRefresh = req.method === 'POST' && new URLSearchParams(body.toString('utf8')).get('grant_type') === 'refresh_token';
		const forward = () => {
			const upstream = httpRequest(
				{ host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: { ...req.headers, host: targetUrl.host } },
				async (answer) => {
					const answerBody = await readBody(answer);
					if (isRefresh) {
						let parsed: { access_token?: string; error?: string } = {};
						try {
							parsed = JSON.parse(answerBody.toString('utf8'));
						} catch {
							// not JSON
						}
						gate.refreshAnswers.push({ status: answer.statusCode ?? 0, accessToken: parsed.access_token, error: parsed.error });
					}
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					res.end(answerBody);
				},
			);
			upstream.on('error', (error) => {
				res.writeHead(502);
				res.end(String(error));
			});
			upstream.end(body);
		};
		if (!isRefresh) return forward();
		gate.refreshArrivals.push(Date.now());
		const hold = gate.hold;
		if (!hold) return forward();
		waiting.push(forward);
		if (waiting.length >= hold.meet) release();
		else timer ??= setTimeout(release, hold.maxWaitMs);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address() as { port: number };
	const gate: TokenGate = {
		authority: `http://127.0.0.1:${address.port}`,
		hold: undefined,
		refreshArrivals: [],
		refreshAnswers: [],
		stop: async () => {
			release();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
	return gate;
}
