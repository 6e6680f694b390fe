/**
 * The packed package in n8n's queue mode: a main (editor, REST API, pollers) and two workers
 * sharing PostgreSQL and Redis, started by globalSetup.js. Everything goes through n8n's REST API
 * as the editor would (save, "Execute workflow", open the execution, download its file); with
 * OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS every run goes through Redis to a worker, and each test
 * checks in the workers' logs which one ran it. Azure state is prepared and checked directly in
 * Azurite.
 *
 * The tests run in the order written: the polling trigger is activated first and checked last, so
 * that its minute-by-minute polls happen while the other tests run.
 */
import { createHash } from 'crypto';
import { cpSync, readFileSync } from 'fs';
import { join } from 'path';

import { startMockEntraId, TENANT, type MockEntraId } from '../helpers/oauthServer';
import { trustCertificateInThisProcess } from '../helpers/tls';
import {
	azure,
	blobStorageNode,
	binaryBytes,
	byName,
	cli,
	codeNode,
	connectAccount,
	createCredential,
	devEnv,
	jwtClaims,
	manualTrigger,
	queue,
	rest,
	runAndWait,
	runtime,
	saveWorkflow,
	sharedKeyData,
	sleep,
	startManualRun,
	startTokenGate,
	storedCredential,
	uniqueName,
	waitForExecution,
	type CredentialRef,
	type Execution,
	type TokenGate,
	type WorkflowNode,
} from './support';

const MiB = 1024 * 1024;

/** Runs a node once, whatever number of items reaches it (n8n's node setting "Execute Once"). */
function once(node: WorkflowNode): WorkflowNode {
	return { ...node, executeOnce: true } as WorkflowNode;
}

/** Code that makes a file of `size` bytes of a fixed pattern (in the task runner, stored by n8n). */
function makeFile(size: number, fileName: string): string {
	return `
const bytes = Buffer.alloc(${size});
for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) % 251;
return [{ json: {}, binary: { data: { data: bytes.toString('base64'), mimeType: 'application/octet-stream', fileName: '${fileName}' } } }];
`;
}

function pattern(size: number): Buffer {
	const bytes = Buffer.alloc(size);
	for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) % 251;
	return bytes;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function expectSuccess(execution: Execution): void {
	if (execution.status !== 'success') throw new Error(`execution ${execution.id} ended "${execution.status}": ${execution.error}`);
}

/**
 * Create a container, make a file, upload it in 1 MiB blocks and as text, list, download (the file
 * goes into n8n's binary store, here the database), delete, list containers, delete the container.
 */
function roundTrip(credential: CredentialRef, container: string, fileSize: number): WorkflowNode[] {
	const node = (name: string, parameters: Record<string, unknown>) => once(blobStorageNode(name, credential, parameters));
	return [
		manualTrigger(),
		node('Create container', { resource: 'container', operation: 'create', containerName: container, ifExists: 'fail' }),
		codeNode('Make a file', makeFile(fileSize, 'pattern.bin')),
		node('Upload file', {
			resource: 'blob',
			operation: 'upload',
			container: byName(container),
			blobName: 'round/pattern.bin',
			inputDataType: 'binary',
			binaryPropertyName: 'data',
			ifExists: 'fail',
			options: { blockSizeMiB: 1, parallelUploads: 2 },
		}),
		node('Upload text', {
			resource: 'blob',
			operation: 'upload',
			container: byName(container),
			blobName: 'round/note.txt',
			inputDataType: 'text',
			textContent: 'written by a queue-mode worker',
			ifExists: 'fail',
			options: {},
		}),
		node('List blobs', { resource: 'blob', operation: 'getAll', container: byName(container), prefix: 'round/', returnAll: true, options: {} }),
		node('Download file', { resource: 'blob', operation: 'download', container: byName(container), blob: byName('round/pattern.bin'), binaryPropertyName: 'data', options: {} }),
		node('Delete text', { resource: 'blob', operation: 'delete', container: byName(container), blob: byName('round/note.txt'), options: {} }),
		node('List containers', { resource: 'container', operation: 'getAll', prefix: container, returnAll: true, options: {} }),
	];
}

/** What a round trip must have done, checked in its execution and in Azurite. */
async function checkRoundTrip(execution: Execution, container: string, fileSize: number, endpoint: string): Promise<void> {
	expectSuccess(execution);
	expect(execution.items('Create container')[0].json).toMatchObject({ name: container, created: true });
	expect(execution.items('Upload file')[0].json).toMatchObject({ name: 'round/pattern.bin', size: fileSize, blocks: Math.ceil(fileSize / MiB) });
	expect(execution.items('Upload text')[0].json).toMatchObject({ name: 'round/note.txt' });
	expect(execution.items('List blobs').map((i) => i.json.name)).toEqual(['round/note.txt', 'round/pattern.bin']);
	const downloaded = execution.items('Download file')[0];
	expect(downloaded.json).toMatchObject({ name: 'round/pattern.bin', size: fileSize, md5Verified: true });
	// Queue mode's binary data mode: the file went into PostgreSQL, not a worker's disk.
	expect(downloaded.binary!.data).toMatchObject({ fileName: 'pattern.bin', id: expect.stringMatching(/^database:/) });
	expect(sha256(await binaryBytes(downloaded.binary!.data.id))).toBe(sha256(pattern(fileSize)));
	expect(execution.items('Delete text')[0].json).toMatchObject({ name: 'round/note.txt', deleted: true });
	expect(execution.items('List containers').map((i) => i.json.name)).toEqual([container]);
	const blobs: string[] = [];
	for await (const blob of azure(endpoint).getContainerClient(container).listBlobsFlat()) blobs.push(blob.name);
	expect(blobs).toEqual(['round/pattern.bin']);
	expect(sha256(await azure(endpoint).getContainerClient(container).getBlobClient('round/pattern.bin').downloadToBuffer())).toBe(sha256(pattern(fileSize)));
}

function workerIsAlive(name: string): boolean {
	const worker = queue().workers.find((w) => w.name === name)!;
	try {
		process.kill(worker.pid, 0);
		return true;
	} catch {
		return false;
	}
}

describe('n8n queue mode: main + 2 workers, PostgreSQL, Redis, database binary mode', () => {
	let sharedKey: CredentialRef;
	const triggerContainer = uniqueName('q-trigger');
	let triggerWorkflowId: string | undefined;
	let triggerBlobs: string[] = [];
	let triggerBlobsAt = 0;
	const workersUsed = new Set<string>();

	beforeAll(async () => {
		sharedKey = await createCredential(uniqueName('Shared Key'), 'azureBlobStorageSharedKeyApi', sharedKeyData(queue().blobEndpoint));
	});

	it('the polling trigger is activated on the main (which polls in queue mode) and takes note of the container', async () => {
		const types = await rest<any[]>('GET', '/types/nodes.json');
		if (!types.some((t) => String(t.name).endsWith('.azureBlobStorageTrigger'))) {
			console.warn('this build of the package has no polling trigger: its queue-mode check is skipped');
			return;
		}
		await azure(queue().blobEndpoint).createContainer(triggerContainer);
		const trigger: WorkflowNode = {
			...blobStorageNode('Blob trigger', sharedKey, {
				container: byName(triggerContainer),
				events: ['created'],
				prefix: '',
				// Second 0 of every minute (n8n's "Every Minute" picks a random second).
				pollTimes: { item: [{ mode: 'custom', cronExpression: '0 * * * * *' }] },
				options: {},
			}),
			type: 'n8n-nodes-azure-blob-storage.azureBlobStorageTrigger',
			position: [0, 0],
		};
		const saved = await saveWorkflow(uniqueName('Queue: blob trigger'), [trigger]);
		await rest('POST', `/rest/workflows/${saved.id}/activate`, { versionId: saved.versionId });
		triggerWorkflowId = saved.id;
		// n8n 2.41 publishes an activation through an outbox that the main works off a moment later;
		// the trigger is "activated" once its first poll (which only takes note) has run.
		const deadline = Date.now() + 60_000;
		for (;;) {
			const status = await rest<{ triggers: { status: string; errorMessage: string | null }[] }>('GET', `/rest/workflows/${saved.id}/publication-status`);
			if (status.triggers.some((t) => t.status === 'activated')) break;
			if (status.triggers.some((t) => t.errorMessage)) throw new Error(`activation failed: ${JSON.stringify(status.triggers)}`);
			if (Date.now() > deadline) throw new Error(`trigger not activated after 60 s: ${JSON.stringify(status)}`);
			await sleep(250);
		}
		// Blobs created from now on are new to the trigger.
		const container = azure(queue().blobEndpoint).getContainerClient(triggerContainer);
		triggerBlobs = ['in/a.csv', 'in/b.csv', 'in/c.csv'];
		for (const name of triggerBlobs) await container.getBlockBlobClient(name).uploadData(Buffer.from(name));
		triggerBlobsAt = Date.now();
	});

	it('a round trip with Shared Key runs on a worker: create, upload in blocks, upload text, list, download into the database store, delete', async () => {
		const container = uniqueName('q-sk');
		const workflow = await saveWorkflow('Queue: Shared Key round trip', roundTrip(sharedKey, container, 3 * MiB));
		const execution = await runAndWait(workflow.id);
		expect(execution.worker).toMatch(/^worker-\d$/);
		workersUsed.add(execution.worker);
		await checkRoundTrip(execution, container, 3 * MiB, queue().blobEndpoint);
	});

	it('ten executions started at once all succeed, on both workers, each with its own blob', async () => {
		const container = uniqueName('q-ten');
		await azure(queue().blobEndpoint).createContainer(container);
		const node = (name: string, parameters: Record<string, unknown>) => once(blobStorageNode(name, sharedKey, parameters));
		const workflow = await saveWorkflow('Queue: ten at once', [
			manualTrigger(),
			node('Upload', {
				resource: 'blob',
				operation: 'upload',
				container: byName(container),
				blobName: '=runs/{{ $execution.id }}.txt',
				inputDataType: 'text',
				textContent: '=execution {{ $execution.id }}',
				ifExists: 'fail',
				options: {},
			}),
			node('Download', { resource: 'blob', operation: 'download', container: byName(container), blob: byName('=runs/{{ $execution.id }}.txt'), binaryPropertyName: 'data', options: {} }),
			node('List', { resource: 'blob', operation: 'getAll', container: byName(container), prefix: '=runs/{{ $execution.id }}.', returnAll: true, options: {} }),
		]);
		const ids = await Promise.all(Array.from({ length: 10 }, () => startManualRun(workflow.id)));
		const executions = await Promise.all(ids.map((id) => waitForExecution(id)));
		for (const execution of executions) {
			expectSuccess(execution);
			expect(execution.items('Upload')[0].json).toMatchObject({ name: `runs/${execution.id}.txt` });
			expect(execution.items('Download')[0].json).toMatchObject({ name: `runs/${execution.id}.txt`, md5Verified: true });
			expect((await binaryBytes(execution.items('Download')[0].binary!.data.id)).toString()).toBe(`execution ${execution.id}`);
			expect(execution.items('List').map((i) => i.json.name)).toEqual([`runs/${execution.id}.txt`]);
		}
		const perWorker: Record<string, number> = {};
		for (const execution of executions) perWorker[execution.worker] = (perWorker[execution.worker] ?? 0) + 1;
		console.log(`ten at once: executions per worker ${JSON.stringify(perWorker)}`);
		expect(Object.keys(perWorker).sort()).toEqual(['worker-1', 'worker-2']);
		Object.keys(perWorker).forEach((w) => workersUsed.add(w));
		const stored: string[] = [];
		for await (const blob of azure(queue().blobEndpoint).getContainerClient(container).listBlobsFlat()) stored.push(blob.name);
		expect(stored.sort()).toEqual(ids.map((id) => `runs/${id}.txt`).sort());
	});

	it('a download above the database binary mode\'s limit (4 MiB here, 512 MiB by default) fails with an error naming the limit, and the worker keeps running', async () => {
		const limitMiB = queue().databaseBinaryLimitMiB;
		const container = uniqueName('q-big');
		const blob = azure(queue().blobEndpoint).getContainerClient(container);
		await blob.create();
		await blob.getBlockBlobClient('big.bin').uploadData(pattern((limitMiB + 1) * MiB));
		await blob.getBlockBlobClient('fits.bin').uploadData(pattern(limitMiB * MiB - 1024));
		const download = (name: string) =>
			saveWorkflow(`Queue: download ${name}`, [
				manualTrigger(),
				blobStorageNode('Download', sharedKey, { resource: 'blob', operation: 'download', container: byName(container), blob: byName(name), binaryPropertyName: 'data', options: {} }),
			]);
		const fits = await runAndWait((await download('fits.bin')).id);
		expectSuccess(fits);
		expect(fits.items('Download')[0].binary!.data.id).toMatch(/^database:/);

		const big = await runAndWait((await download('big.bin')).id);
		console.log(`download above the limit on ${big.worker}: status ${big.status}; error: ${big.error}`);
		expect(big.status).toBe('error');
		// Refused by the node from the blob's size, before its bytes were fetched: n8n's database
		// mode would read the whole file into the worker's memory before checking.
		expect(big.error).toMatch(new RegExp(`^Blob "big.bin" is ${limitMiB + 1} MiB, above the ${limitMiB} MiB n8n allows for a file in its database binary data mode`));
		expect(big.error).toMatch(/N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE/);
		expect(workerIsAlive(big.worker)).toBe(true);
		// The same worker still runs the next execution.
		expectSuccess(await runAndWait((await download('fits.bin')).id));
	});

	describe('Entra ID sign-in (OAuth2) whose access token expires during the test', () => {
		let entra: MockEntraId;
		let gate: TokenGate;
		let credential: CredentialRef;
		let untrust: () => void;
		let listWorkflow: { id: string };
		const container = uniqueName('q-oauth');

		beforeAll(async () => {
			untrust = trustCertificateInThisProcess(readFileSync(queue().certFile, 'utf8'));
			entra = await startMockEntraId();
			gate = await startTokenGate(entra.authority);
			entra.lifetimeSeconds = 45;
			credential = await createCredential(uniqueName('Entra ID sign-in'), 'azureBlobStorageOAuth2Api', {
				tenantId: TENANT,
				clientId: 'queue-user-app',
				clientSecret: 'queue-user-app-secret',
				cloud: 'custom',
				endpoint: queue().tlsBlobEndpoint,
				loginAuthority: gate.authority,
				storageAudience: 'https://storage.azure.com',
				consentPrompt: 'consent',
			});
			await connectAccount(credential.id);
			const { containerClient } = await azure(queue().tlsBlobEndpoint).createContainer(container);
			await containerClient.getBlockBlobClient('hello.txt').uploadData(Buffer.from('hello'));
			listWorkflow = await saveWorkflow('Queue: OAuth2 list', [
				manualTrigger(),
				blobStorageNode('List', credential, { resource: 'blob', operation: 'getAll', container: byName(container), prefix: '', returnAll: true, options: {} }),
			]);
		});

		afterAll(async () => {
			await gate?.stop();
			await entra?.stop();
			untrust?.();
		});

		/** Waits until every token issued so far has expired (access and ID tokens share one lifetime). */
		async function waitUntilExpired(): Promise<void> {
			const jwts = entra.issuedTokens.filter((t) => t.split('.').length === 3);
			const wait = Math.max(...jwts.map((t) => jwtClaims(t).exp * 1000)) + 1_000 - Date.now();
			if (wait > 0) await sleep(wait);
		}

		/** The access tokens that refresh requests got since answer number `from`. */
		function refreshedTokens(from: number): string[] {
			return gate.refreshAnswers.slice(from).flatMap((a) => (a.status === 200 && a.accessToken ? [a.accessToken] : []));
		}

		it('a round trip signed in with the stored token runs on a worker, without a refresh', async () => {
			const roundContainer = uniqueName('q-oa');
			const workflow = await saveWorkflow('Queue: OAuth2 round trip', roundTrip(credential, roundContainer, 2 * MiB));
			const execution = await runAndWait(workflow.id);
			expect(execution.worker).toMatch(/^worker-\d$/);
			await checkRoundTrip(execution, roundContainer, 2 * MiB, queue().tlsBlobEndpoint);
			expect(entra.hits('refresh_token')).toBe(0);
		});

		let refreshedByWorker: string;

		it('after expiry, two executions on the two workers at the same moment both succeed against single-use refresh tokens', async () => {
			const first = (await storedCredential(credential.id)).data.oauthTokenData.access_token;
			await waitUntilExpired();
			const answersBefore = gate.refreshAnswers.length;
			entra.singleUseRefreshTokens = true;
			entra.lifetimeSeconds = 50;
			// Refresh requests wait at the gate (up to 3 s) for a second one, so that two processes
			// that refresh at once really reach the identity provider together.
			gate.hold = { meet: 2, maxWaitMs: 3_000 };
			const ids = await Promise.all([startManualRun(listWorkflow.id), startManualRun(listWorkflow.id)]);
			const [a, b] = await Promise.all(ids.map((id) => waitForExecution(id)));
			gate.hold = undefined;
			console.log(
				`refresh race on workers: ${a.worker} and ${b.worker}; refresh requests ${entra.hits('refresh_token')}, ` +
					`refused as reused ${entra.reusedRefreshTokens}, arrivals ${gate.refreshArrivals.map((t) => t - gate.refreshArrivals[0]).join('/')} ms`,
			);
			for (const run of [a, b]) {
				expectSuccess(run);
				expect(run.items('List').map((i) => i.json.name)).toEqual(['hello.txt']);
			}
			expect(new Set([a.worker, b.worker]).size).toBe(2);
			// One refresh reached the identity provider and was accepted (n8n's Redis lock makes the
			// second worker wait and take the stored token; without it the node adopts it after a refusal).
			expect(entra.hits('refresh_token') - entra.reusedRefreshTokens).toBe(1);

			const refreshed = refreshedTokens(answersBefore);
			expect(refreshed).toHaveLength(1);
			expect(refreshed[0]).not.toBe(first);
			refreshedByWorker = refreshed[0];
		});

		it('the refreshed token is stored in PostgreSQL, and the next executions on both workers use it without refreshing', async () => {
			const refreshes = entra.hits('refresh_token');
			const ids = await Promise.all([startManualRun(listWorkflow.id), startManualRun(listWorkflow.id)]);
			const runs = await Promise.all(ids.map((id) => waitForExecution(id)));
			runs.forEach(expectSuccess);
			expect(new Set(runs.map((r) => r.worker)).size).toBe(2);
			expect(entra.hits('refresh_token')).toBe(refreshes);
			const stored = (await storedCredential(credential.id)).data.oauthTokenData;
			expect(stored.access_token).toBe(refreshedByWorker);
			expect(stored.refresh_token).toEqual(expect.any(String));
		});

		it('two `n8n execute` processes (regular mode, one PostgreSQL, no Redis lock) refreshing the expired token at once both succeed: the refused one adopts the token the other stored', async () => {
			// Two more n8n processes of the same installation, each with its own user folder holding
			// the package, not in queue mode: each runs the workflow itself.
			const folders = ['cli-1', 'cli-2'].map((name) => {
				const folder = join(queue().workDir, name);
				cpSync(join(queue().mainFolder, '.n8n', 'nodes'), join(folder, '.n8n', 'nodes'), { recursive: true });
				return folder;
			});
			await waitUntilExpired();
			const before = { refreshes: entra.hits('refresh_token'), reused: entra.reusedRefreshTokens, answers: gate.refreshAnswers.length };
			gate.hold = { meet: 2, maxWaitMs: 60_000 };
			const regular = { EXECUTIONS_MODE: 'regular', OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'false' };
			const results = await Promise.all(folders.map((folder) => cli(['execute', `--id=${listWorkflow.id}`, '--rawOutput'], regular, folder)));
			gate.hold = undefined;
			const refreshes = entra.hits('refresh_token') - before.refreshes;
			const reused = entra.reusedRefreshTokens - before.reused;
			console.log(`refresh race between two n8n execute processes: refresh requests ${refreshes}, refused as reused ${reused}`);
			for (const result of results) {
				if (result.code !== 0) throw new Error(`n8n execute failed (${result.code}):\n${(result.stdout + result.stderr).slice(-3000)}`);
				const run = runtime.parseRawOutput(result.stdout);
				expect(run.data.resultData.error).toBeUndefined();
				expect(devEnv.nodeItems(run, 'List').map((i: { json: { name: string } }) => i.json.name)).toEqual(['hello.txt']);
			}
			// Both asked with the same refresh token; the identity provider refused the second.
			expect(refreshes).toBe(2);
			expect(reused).toBe(1);
			const refreshed = refreshedTokens(before.answers);
			expect(refreshed).toHaveLength(1);
			expect((await storedCredential(credential.id)).data.oauthTokenData.access_token).toBe(refreshed[0]);
		});
	});

	it('both workers ran executions of this suite', () => {
		expect([...workersUsed].sort()).toEqual(['worker-1', 'worker-2']);
	});

	it('the polling trigger, active in queue mode, emitted each new blob exactly once over its polls (executions on the workers)', async () => {
		if (!triggerWorkflowId) return;
		// Two polls after the blobs were created: the first reports them, the second must not again.
		const minuteBoundaries = (from: number) => Math.floor(Date.now() / 60_000) - Math.floor(from / 60_000);
		while (minuteBoundaries(triggerBlobsAt) < 2) await sleep(2_000);
		await sleep(5_000);
		const filter = encodeURIComponent(JSON.stringify({ workflowId: triggerWorkflowId }));
		const page = await rest<{ results: { id: string; status: string }[] }>('GET', `/rest/executions?filter=${filter}&limit=100`);
		const executions = await Promise.all(page.results.map((e) => waitForExecution(e.id)));
		const emitted = executions.flatMap((e) => e.items('Blob trigger').map((i) => i.json.name as string));
		console.log(`trigger: ${executions.length} execution(s) on ${executions.map((e) => e.worker).join(', ')}; emitted ${emitted.join(', ')}`);
		executions.forEach(expectSuccess);
		expect(emitted.sort()).toEqual([...triggerBlobs].sort());
		await rest('POST', `/rest/workflows/${triggerWorkflowId}/deactivate`, {});
	});
});
