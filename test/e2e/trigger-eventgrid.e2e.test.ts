/**
 * The Event Grid trigger in real n8n 2.41.1: active workflows receive real HTTP requests on their
 * production webhook URLs, shaped as Azure Event Grid sends them (Event Grid has no emulator).
 * Blobs to download live in Azurite, read with a Shared Key credential stored in n8n.
 */
import type { BlobServiceClient } from '@azure/storage-blob';
import { randomBytes, randomUUID } from 'crypto';
import { readFileSync } from 'fs';

import { blobCreatedCloudEvent, blobCreatedEvent, blobDeletedEvent, validationEvent } from '../helpers/eventGrid';
import type { CredentialRef, HttpAnswer } from './support';
import {
	azure,
	createActiveWorkflow,
	createCredential,
	devEnv,
	e2e,
	executionItems,
	executionsOf,
	executionResultText,
	httpRequest,
	triggerWorkflow,
	uniqueName,
	waitForExecutions,
} from './support';

const EVENT_GRID_TRIGGER = `${devEnv.PACKAGE_NAME}.azureBlobStorageEventGridTrigger`;
const NODE_NAME = 'Blob events';
const SECRET = `eg-${randomBytes(16).toString('hex')}`;
const HEADER_SECRET = `hdr-${randomBytes(16).toString('hex')}`;
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

interface Hook {
	id: string;
	path: string;
}

function triggerNode(webhookId: string, parameters: Record<string, unknown>, credential?: CredentialRef) {
	return {
		id: randomUUID(),
		name: NODE_NAME,
		type: EVENT_GRID_TRIGGER,
		typeVersion: 1,
		position: [0, 0] as [number, number],
		webhookId,
		parameters,
		...(credential ? { credentials: { [credential.type]: { id: credential.id, name: credential.name } } } : {}),
	};
}

/**
 * An active workflow with the trigger, once its webhook is live: n8n 2.41 registers a published
 * workflow's webhooks in the background, so the activation call returns before (404 until then;
 * the probe has no secret, gets 401 and starts nothing).
 */
async function activeTrigger(name: string, parameters: Record<string, unknown>, credential?: CredentialRef): Promise<Hook> {
	const webhookId = randomUUID();
	const { id } = await createActiveWorkflow(triggerWorkflow(uniqueName(name), triggerNode(webhookId, parameters, credential)));
	const path = `/webhook/${webhookId}/blob-events`;
	const deadline = Date.now() + 60_000;
	while ((await httpRequest('POST', path, { headers: JSON_TYPE, body: '[]' })).status === 404) {
		if (Date.now() > deadline) throw new Error(`the webhook ${path} was not registered within 60 s`);
		await new Promise((resolve) => setTimeout(resolve, 300));
	}
	return { id, path };
}

/** Waits long enough for an execution that should not happen to show up, then counts. */
async function settledCount(workflow: string): Promise<number> {
	await new Promise((resolve) => setTimeout(resolve, 1500));
	return (await executionsOf(workflow)).length;
}

async function deliver(hook: Hook, body: unknown, options: { query?: string; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
	const query = options.query ?? `?code=${SECRET}`;
	return await httpRequest('POST', `${hook.path}${query}`, {
		headers: { ...JSON_TYPE, ...options.headers },
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});
}

describe('Event Grid trigger in real n8n', () => {
	let storage: BlobServiceClient;
	let container: string;
	let querySecured: Hook;
	let headerSecured: Hook;
	let blobBytes: Buffer;
	let blobEtag: string;
	const endpoint = () => e2e().blobEndpoint;

	beforeAll(async () => {
		storage = azure(endpoint());
		container = uniqueName('eg-inbox').toLowerCase();
		await storage.createContainer(container);
		blobBytes = randomBytes(50_000);
		const uploaded = await storage.getContainerClient(container).getBlockBlobClient('in/report.csv').uploadData(blobBytes, {
			blobHTTPHeaders: { blobContentType: 'text/csv' },
		});
		blobEtag = uploaded.etag!.replace(/"/g, '');
		const credential = await createCredential(uniqueName('Azurite for Event Grid'), 'azureBlobStorageSharedKeyApi', devEnv.sharedKeyCredentialData(endpoint()));
		querySecured = await activeTrigger(
			'Event Grid (query secret)',
			{
				secret: SECRET,
				eventTypes: ['BlobCreated', 'BlobDeleted'],
				container,
				authentication: 'sharedKey',
				eventOptions: { maxBodySize: 64 },
			},
			credential,
		);
		headerSecured = await activeTrigger('Event Grid (header secret)', {
			secret: HEADER_SECRET,
			secretLocation: 'header',
			headerName: 'X-Event-Secret',
			eventTypes: ['BlobCreated'],
			eventOptions: { subjectEndsWith: '.json' },
		});
	});

	it('answers Event Grid\'s subscription validation with the code, and starts nothing', async () => {
		const answer = await deliver(querySecured, [validationEvent('2E6A1F0B-6F0C-4B9B-9C41-3D5F5B1A7C11')]);
		expect(answer.status).toBe(200);
		expect(answer.json()).toEqual({ validationResponse: '2E6A1F0B-6F0C-4B9B-9C41-3D5F5B1A7C11' });
		// With the secret in a header, the handshake is answered without it (it only echoes the code).
		const viaHeader = await deliver(headerSecured, [validationEvent('code-2')], { query: '' });
		expect(viaHeader.json()).toEqual({ validationResponse: 'code-2' });
		expect(await settledCount(querySecured.id)).toBe(0);
		expect(await settledCount(headerSecured.id)).toBe(0);
	});

	it('n8n 2.41 answers the CloudEvents OPTIONS handshake itself (204, no WebHook-Allowed-Origin): the node never sees it', async () => {
		const answer = await httpRequest('OPTIONS', `${querySecured.path}?code=${SECRET}`, {
			headers: { 'WebHook-Request-Origin': 'eventgrid.azure.net', 'WebHook-Request-Rate': '120' },
		});
		expect(answer.status).toBe(204);
		expect(answer.headers['webhook-allowed-origin']).toBeUndefined();
	});

	it('a batch in the Event Grid schema starts one execution with one item per matching event, the created blob as a file', async () => {
		const before = (await executionsOf(querySecured.id)).length;
		const answer = await deliver(querySecured, [
			blobCreatedEvent(container, 'in/report.csv', { endpoint: endpoint(), eTag: blobEtag, contentLength: blobBytes.length }),
			blobDeletedEvent(container, 'in/old.csv'),
			blobCreatedEvent('another-container', 'x.csv'),
			{ ...blobCreatedEvent(container, 'in/cold.csv'), eventType: 'Microsoft.Storage.BlobTierChanged' },
		]);
		expect(answer.status).toBe(200);
		const [execution] = await waitForExecutions(querySecured.id, before + 1);
		expect(execution.status).toBe('success');
		const items = await executionItems(execution.id, NODE_NAME);
		expect(items.map((item) => `${item.json.event} ${item.json.container}/${item.json.name}`)).toEqual([
			`BlobCreated ${container}/in/report.csv`,
			`BlobDeleted ${container}/in/old.csv`,
		]);
		expect(items[0].json).toMatchObject({ schema: 'eventGrid', size: blobBytes.length, etag: blobEtag, contentType: 'text/csv' });
		expect(items[0].binary?.data).toMatchObject({ fileName: 'report.csv', mimeType: 'text/csv', fileSize: expect.any(String) });
		expect(items[1].binary).toBeUndefined();
	});

	it('CloudEvents 1.0, one event and a batch, each start one execution', async () => {
		const before = (await executionsOf(headerSecured.id)).length;
		const single = await httpRequest('POST', headerSecured.path, {
			headers: { 'content-type': 'application/cloudevents+json; charset=utf-8', 'X-Event-Secret': HEADER_SECRET },
			body: JSON.stringify(blobCreatedCloudEvent('any', 'one.json')),
		});
		expect(single.status).toBe(200);
		await waitForExecutions(headerSecured.id, before + 1);
		const batch = await httpRequest('POST', headerSecured.path, {
			headers: { 'content-type': 'application/cloudevents-batch+json; charset=utf-8', 'X-Event-Secret': HEADER_SECRET },
			body: JSON.stringify([blobCreatedCloudEvent('any', 'two.json'), blobCreatedCloudEvent('any', 'skip.csv'), blobCreatedCloudEvent('other', 'three.json')]),
		});
		expect(batch.status).toBe(200);
		const executions = await waitForExecutions(headerSecured.id, before + 2);
		const names = await Promise.all(executions.slice(0, 2).map(async (e) => (await executionItems(e.id, NODE_NAME)).map((i) => `${i.json.schema} ${i.json.name}`)));
		expect(names.sort()).toEqual([['cloudEvents one.json'], ['cloudEvents two.json', 'cloudEvents three.json']].sort());
	});

	it('a delivery whose events are all filtered out is acknowledged and starts nothing', async () => {
		const before = (await executionsOf(querySecured.id)).length;
		const answer = await deliver(querySecured, [blobCreatedEvent('another-container', 'a.csv'), blobCreatedEvent('another-container', 'b.csv')]);
		expect(answer.status).toBe(200);
		expect(answer.json()).toEqual({ received: 2, started: false });
		expect(await settledCount(querySecured.id)).toBe(before);
	});

	it('a wrong or missing secret gets 401 and starts nothing', async () => {
		const before = [(await executionsOf(querySecured.id)).length, (await executionsOf(headerSecured.id)).length];
		const event = [blobCreatedEvent(container, 'in/report.csv')];
		for (const query of ['', '?code=wrong', `?code=${SECRET}x`, `?other=${SECRET}`]) {
			const answer = await deliver(querySecured, event, { query });
			expect(answer.status).toBe(401);
			expect(answer.text).not.toContain(SECRET);
		}
		expect((await deliver(headerSecured, [blobCreatedEvent('c', 'x.json')], { query: '' })).status).toBe(401);
		expect((await deliver(headerSecured, [blobCreatedEvent('c', 'x.json')], { query: '', headers: { 'X-Event-Secret': 'nope' } })).status).toBe(401);
		// The header secret does not work as a query parameter.
		expect((await deliver(headerSecured, [blobCreatedEvent('c', 'x.json')], { query: `?code=${HEADER_SECRET}` })).status).toBe(401);
		expect(await settledCount(querySecured.id)).toBe(before[0]);
		expect(await settledCount(headerSecured.id)).toBe(before[1]);
	});

	it('a malformed or oversized body gets 400 and starts nothing', async () => {
		const before = (await executionsOf(querySecured.id)).length;
		const malformed = await deliver(querySecured, '[{"id": "1", "eventType": ');
		expect(malformed.status).toBe(400);
		expect(malformed.json().error).toMatch(/not valid JSON/);
		const notEvents = await deliver(querySecured, '{"hello": "world"}');
		expect(notEvents.status).toBe(400);
		const big = [blobCreatedEvent(container, 'in/report.csv', { contentType: 'x'.repeat(70 * 1024) })];
		const oversized = await deliver(querySecured, big);
		expect(oversized.status).toBe(400);
		expect(oversized.json().error).toContain('larger than 65536 bytes');
		expect(await settledCount(querySecured.id)).toBe(before);
	});

	it('downloads exactly the version the event reports: a blob changed since is output without the file, saying why', async () => {
		const before = (await executionsOf(querySecured.id)).length;
		await storage.getContainerClient(container).getBlockBlobClient('in/changing.csv').uploadData(Buffer.from('v1'));
		const stale = '0x8D000000000000A';
		await deliver(querySecured, [blobCreatedEvent(container, 'in/changing.csv', { endpoint: endpoint(), eTag: stale })]);
		const [execution] = await waitForExecutions(querySecured.id, before + 1);
		const [item] = await executionItems(execution.id, NODE_NAME);
		expect(item.binary).toBeUndefined();
		expect(item.json.downloadSkipped).toContain('changed before it could be downloaded');
	});

	it('the secrets appear in no execution\'s items or errors and nowhere in n8n\'s log', async () => {
		const executions = [...(await executionsOf(querySecured.id)), ...(await executionsOf(headerSecured.id))];
		expect(executions.length).toBeGreaterThan(0);
		for (const execution of executions) {
			const text = await executionResultText(execution.id);
			expect(text).not.toContain(SECRET);
			expect(text).not.toContain(HEADER_SECRET);
			expect(text).not.toContain(devEnv.AZURITE_KEY);
		}
		const log = readFileSync(e2e().logFile, 'utf8');
		expect(log).not.toContain(SECRET);
		expect(log).not.toContain(HEADER_SECRET);
	});
});
