/**
 * What a user sees when the network or the server misbehaves: the node runs in n8n's real engine
 * against Azurite, through a loopback proxy that resets, stalls, throttles or corrupts chosen
 * requests, or against servers that never answer, refuse connections, or stop and come back.
 * Every test checks the outcome (identical bytes, or a clear error and no blob / an unchanged
 * blob), how many tries went out where the proxy can see them, and that it took bounded time.
 */
import { createHash } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import diagnostics from 'diagnostics_channel';
import { BlobServiceClient } from '@azure/storage-blob';
import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import type { ICredentialTestFunctions, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { AzureBlobStorage } from '../../nodes/AzureBlobStorage/AzureBlobStorage.node';
import { AZURITE_KEY, startAzurite, type RunningAzurite } from '../helpers/azurite';
import { runNode, useBinaryDataMode, type RunResult } from '../helpers/engine';
import { sharedKey } from '../helpers/fixtures';
import { startFaultProxy, startSilentServer, unusedPort, type FaultProxy, type SeenRequest } from '../helpers/faultProxy';
import { byName, MiB, readStoredBinary, sha256, sharedKeyFor, storedFileItem } from '../streaming/support';

// An Azurite of this file's own (data on disk, so it can be stopped and started again with its
// data), so that no other test file's load delays its answers past these short timeouts.
let azurite: RunningAzurite | undefined;
let location: string;
const container = 'trust-faults';
let proxy: FaultProxy;

beforeAll(async () => {
	await useBinaryDataMode('filesystem');
	location = mkdtempSync(join(tmpdir(), 'azurite-faults-'));
	azurite = await startAzurite({ location });
	await service().getContainerClient(container).create();
	proxy = await startFaultProxy(azurite.blobEndpoint);
}, 60_000);

afterAll(async () => {
	await proxy?.close();
	await azurite?.stop();
	rmSync(location, { recursive: true, force: true });
});

beforeEach(() => proxy.reset());

function md5(data: Buffer): string {
	return createHash('md5').update(data).digest('base64');
}

function content(size: number, seed: number): Buffer {
	const data = Buffer.alloc(size);
	for (let i = 0; i < size; i++) data[i] = (i * 31 + seed * 7 + (i >> 10)) % 251;
	return data;
}

const service = () => new BlobServiceClient(azurite!.blobEndpoint, sharedKey);
const blob = (name: string) => service().getContainerClient(container).getBlockBlobClient(name);

/** Puts a blob in place behind the node's back, with its Content-MD5. */
async function putBlob(name: string, data: Buffer): Promise<string> {
	const response = await blob(name).uploadData(data, { blobHTTPHeaders: { blobContentMD5: createHash('md5').update(data).digest() } });
	return response.etag!;
}

interface TimedRun extends RunResult {
	ms: number;
}

async function run(
	parameters: INodeParameters,
	options: { items?: INodeExecutionData[]; endpoint?: string; continueOnFail?: boolean } = {},
): Promise<TimedRun> {
	const { authentication, credentials } = sharedKeyFor(options.endpoint ?? proxy.blobEndpoint);
	const started = Date.now();
	const result = await runNode({
		credentials,
		items: options.items,
		continueOnFail: options.continueOnFail,
		parameters: { authentication, ...parameters },
	});
	return { ...result, ms: Date.now() - started };
}

/** Nothing the user can see (output, error message, description, stack) holds the account key. */
function expectNoSecret(result: RunResult): void {
	const error = result.error as (RunResult['error'] & { stack?: string }) | undefined;
	const visible = [JSON.stringify(result.items), JSON.stringify(error ?? {}), error?.message, error?.description, error?.stack].join('\n');
	expect(visible).not.toContain(AZURITE_KEY);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const blockIdOf = (r: SeenRequest) => new URL(r.url, 'http://x').searchParams.get('blockid');
const putBlocks = () => proxy.seen.filter((r) => r.method === 'PUT' && r.comp === 'block');
const commits = () => proxy.seen.filter((r) => r.method === 'PUT' && r.comp === 'blocklist');
const requestsFor = (name: string, method?: string) =>
	proxy.seen.filter((r) => new URL(r.url, 'http://x').pathname.endsWith(`/${container}/${name}`) && (!method || r.method === method));

function uploadParameters(blobName: string, options: INodeParameters, ifExists = 'fail'): INodeParameters {
	return {
		resource: 'blob',
		operation: 'upload',
		container: byName(container),
		blobName,
		inputDataType: 'binary',
		binaryPropertyName: 'data',
		ifExists,
		options,
	};
}

function downloadParameters(blobName: string, options: INodeParameters): INodeParameters {
	return { resource: 'blob', operation: 'download', container: byName(container), blob: byName(blobName), binaryPropertyName: 'data', options };
}

/** The requests of the one block a rule broke, in the order they arrived (the try, then the retries). */
function triesOfBrokenBlock(): SeenRequest[] {
	const broken = putBlocks().find((r) => r.fault);
	expect(broken).toBeDefined();
	return putBlocks().filter((r) => blockIdOf(r) === blockIdOf(broken!));
}

describe('uploads in blocks retry a transient failure of one block', () => {
	const data = content(4 * MiB, 1);
	const blockOptions = { blockSizeMiB: 1, parallelUploads: 2, requestTimeout: 10, maxRetries: 3 };

	it('a block whose connection is reset half-way through its body is sent again and the blob arrives identical', async () => {
		// The 2nd Put Block is cut after 256 KiB of its 1 MiB body (TCP reset).
		proxy.setRule(({ method, comp, index }) => (method === 'PUT' && comp === 'block' && index === 2 ? { kind: 'resetRequest', afterBytes: 256 * 1024 } : undefined));
		const result = await run(uploadParameters('blocks/reset.bin', blockOptions), { items: [await storedFileItem(data, 'reset.bin')] });

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ size: data.length, blocks: 4 });
		expect(triesOfBrokenBlock()).toHaveLength(2);
		expect(putBlocks()).toHaveLength(5);
		expect(commits()).toHaveLength(1);
		expect(sha256(await blob('blocks/reset.bin').downloadToBuffer())).toBe(sha256(data));
		expect(result.ms).toBeLessThan(15_000);
		expectNoSecret(result);
	});

	it.each([
		// The least gap to see: the wait asked for, less some room for a busy event loop (timers
		// count from the loop's cached time). All but the first are above the longest first
		// back-off (0.8 s), so they show that Azure's wait was used, not the back-off.
		['503 with Retry-After: 1', 503, () => ({ 'retry-after': '1' }), 850],
		['429 with Retry-After: 2', 429, () => ({ 'retry-after': '2' }), 1700],
		['503 with Retry-After as an HTTP date 3 s ahead', 503, () => ({ 'retry-after': new Date(Date.now() + 3000).toUTCString() }), 1700],
		['429 with x-ms-retry-after-ms: 1500', 429, () => ({ 'x-ms-retry-after-ms': '1500' }), 1200],
	])('a block answered %s is sent again after the wait Azure asked for, and the blob arrives identical', async (_label, status, headers, minimumGap) => {
		proxy.setRule(({ method, comp, index }) =>
			method === 'PUT' && comp === 'block' && index === 2 ? { kind: 'status', status, headers: headers() } : undefined,
		);
		const name = `blocks/throttled-${status}-${minimumGap}-${Date.now()}.bin`;
		const result = await run(uploadParameters(name, blockOptions), { items: [await storedFileItem(data, 'throttled.bin')] });

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ size: data.length, blocks: 4 });
		const tries = triesOfBrokenBlock();
		expect(tries).toHaveLength(2);
		expect(tries[0].status).toBe(status);
		expect(tries[1].status).toBe(201);
		// The retry went out no earlier than Azure asked (the proxy answered within a few ms of the try)...
		expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(minimumGap);
		// ...and not much later either: no back-off on top of a wait Azure named.
		expect(tries[1].at - tries[0].at).toBeLessThan(minimumGap + 3500);
		expect(sha256(await blob(name).downloadToBuffer())).toBe(sha256(data));
		expect(result.ms).toBeLessThan(15_000);
	});

	it.each(['3600', '61'])('a block answered 503 with Retry-After: %s (more than the 60 s the node waits) fails at once, saying how long Azure asked to wait; nothing is committed', async (seconds) => {
		proxy.setRule(({ method, comp, index }) =>
			method === 'PUT' && comp === 'block' && index >= 2 ? { kind: 'status', status: 503, retryAfter: seconds } : undefined,
		);
		const name = `blocks/busy-${seconds}.bin`;
		const result = await run(uploadParameters(name, blockOptions), { items: [await storedFileItem(data, 'busy.bin')] });

		expect(result.error?.message).toMatch(new RegExp(`Azure asked to wait ${seconds} s before trying again`));
		expect(result.error?.httpCode).toBe('503');
		expect(String(result.error?.description)).toMatch(/Nothing was committed/);
		// Not waited for, and not retried.
		expect(triesOfBrokenBlock()).toHaveLength(1);
		expect(commits()).toHaveLength(0);
		expect(await blob(name).exists()).toBe(false);
		expect(result.ms).toBeLessThan(8_000);
		expectNoSecret(result);
	});
});

describe('only transient failures are retried, after an exponential back-off', () => {
	const textUpload = (blobName: string, maxRetries: number): INodeParameters => ({
		resource: 'blob',
		operation: 'upload',
		container: byName(container),
		blobName,
		inputDataType: 'text',
		textContent: `content of ${blobName}`,
		ifExists: 'overwrite',
		options: { requestTimeout: 10, maxRetries },
	});

	it.each([408, 500, 502, 504])('a request answered %s once is sent again after 0.4-0.8 s and succeeds', async (status) => {
		const name = `retried/${status}.txt`;
		proxy.setRule(({ method, index }) => (method === 'PUT' && index === 1 ? { kind: 'status', status } : undefined));
		const result = await run(textUpload(name, 3));

		expect(result.error).toBeUndefined();
		const puts = requestsFor(name, 'PUT');
		expect(puts.map((r) => r.status)).toEqual([status, 201]);
		// First back-off: half to all of 0.8 s (equal jitter); both bounds have room for a loaded machine.
		expect(puts[1].at - puts[0].at).toBeGreaterThanOrEqual(250);
		expect(puts[1].at - puts[0].at).toBeLessThan(2500);
		expect((await blob(name).downloadToBuffer()).toString()).toBe(`content of ${name}`);
	});

	it('a request that keeps failing with 500 backs off longer each time and the error says how often it was tried', async () => {
		const name = 'retried/always-500.txt';
		proxy.setRule(({ method }) => (method === 'PUT' ? 'error500' : undefined));
		const result = await run(textUpload(name, 2));

		expect(result.error?.message).toMatch(/\(tried 3 times\)$/);
		expect(result.error?.httpCode).toBe('500');
		const puts = requestsFor(name, 'PUT');
		expect(puts).toHaveLength(3);
		// Back-offs of 0.4-0.8 s, then 0.8-1.6 s (room for a loaded machine on both sides).
		expect(puts[1].at - puts[0].at).toBeGreaterThanOrEqual(250);
		expect(puts[1].at - puts[0].at).toBeLessThan(2500);
		expect(puts[2].at - puts[1].at).toBeGreaterThanOrEqual(600);
		expect(puts[2].at - puts[1].at).toBeLessThan(3500);
		expect(await blob(name).exists()).toBe(false);
		expect(result.ms).toBeLessThan(8000);
		expectNoSecret(result);
	});

	it.each([400, 403, 404, 409, 501])('a request answered %s is reported at once and not sent again', async (status) => {
		const name = `not-retried/${status}.txt`;
		proxy.setRule(({ method }) => (method === 'PUT' ? { kind: 'status', status } : undefined));
		const result = await run(textUpload(name, 10));

		expect(result.error?.httpCode).toBe(String(status));
		expect(result.error?.message).not.toMatch(/tried \d+ times/);
		expect(requestsFor(name, 'PUT')).toHaveLength(1);
		expect(await blob(name).exists()).toBe(false);
		expect(result.ms).toBeLessThan(3000);
		expectNoSecret(result);
	});
});

describe('an endpoint that accepts connections and never answers', () => {
	const limits = { requestTimeout: 1, maxRetries: 1 };
	const operations: Array<[string, (c: string) => INodeParameters]> = [
		['blob upload', (c) => ({ resource: 'blob', operation: 'upload', container: byName(c), blobName: 'a.txt', inputDataType: 'text', textContent: 'hello', options: limits })],
		['blob download', (c) => ({ resource: 'blob', operation: 'download', container: byName(c), blob: byName('a.txt'), binaryPropertyName: 'data', options: limits })],
		['blob getAll', (c) => ({ resource: 'blob', operation: 'getAll', container: byName(c), returnAll: true, options: limits })],
		['blob delete', (c) => ({ resource: 'blob', operation: 'delete', container: byName(c), blob: byName('a.txt'), options: limits })],
		['blob uploadFromUrl', (c) => ({ resource: 'blob', operation: 'uploadFromUrl', container: byName(c), blobName: 'b.bin', sourceUrl: 'http://127.0.0.1:1/source.bin', options: limits })],
		['container create', () => ({ resource: 'container', operation: 'create', containerName: 'silent-new', options: limits })],
		['container getAll', () => ({ resource: 'container', operation: 'getAll', returnAll: true, options: limits })],
		['container delete', (c) => ({ resource: 'container', operation: 'delete', container: byName(c), options: limits })],
	];

	it('every operation fails after Request Timeout x tries plus back-off, naming the host and "Request Timeout"; the credential Test answers within 20 s', async () => {
		const servers = await Promise.all([...operations.map(() => startSilentServer()), startSilentServer()]);
		try {
			const credentialServer = servers[operations.length];
			const credentialTest = (async () => {
				const started = Date.now();
				const node = new AzureBlobStorage();
				const answer = await node.methods.credentialTest.azureBlobStorageCredentialTest.call({} as ICredentialTestFunctions, {
					id: '1',
					name: 'silent',
					type: 'azureBlobStorageSharedKeyApi',
					data: sharedKeyFor(credentialServer.blobEndpoint).credentials.azureBlobStorageSharedKeyApi,
				});
				return { answer, ms: Date.now() - started };
			})();
			const runs = await Promise.all(operations.map(([, parameters], i) => run(parameters('silent'), { endpoint: servers[i].blobEndpoint })));

			operations.forEach(([label], i) => {
				const { error, items, ms } = runs[i];
				const context = `${label}: ${error?.message} after ${ms} ms, ${servers[i].connections} connections`;
				const expected = new RegExp(`^No answer from ${escape(servers[i].host)} within 1 s \\(Request Timeout\\) \\(tried 2 times\\)$`);
				expect({ context, ok: expected.test(String(error?.message)) }).toEqual({ context, ok: true });
				expect(items).toHaveLength(0);
				// One connection per try: the first try, then one retry (maxRetries 1).
				expect({ context, connections: servers[i].connections }).toEqual({ context, connections: 2 });
				// Two tries of 1 s each plus one back-off (0.4-0.8 s); generous for a loaded machine.
				expect({ context, atLeast: ms >= 1900 }).toEqual({ context, atLeast: true });
				expect({ context, atMost: ms < 10_000 }).toEqual({ context, atMost: true });
				expectNoSecret(runs[i]);
			});

			const { answer, ms } = await credentialTest;
			expect(answer.status).toBe('Error');
			expect(answer.message).toMatch(new RegExp(`^No answer from ${escape(credentialServer.host)} within \\d+ s \\(Request Timeout\\)`));
			expect(answer.message).not.toContain(AZURITE_KEY);
			// The spec says one try of 10 s; the implementation now makes up to two tries of 8 s
			// (see the report). Either way the dialog answers within its 20 s.
			expect(credentialServer.connections).toBeGreaterThanOrEqual(1);
			expect(credentialServer.connections).toBeLessThanOrEqual(2);
			expect(ms).toBeLessThan(20_000);
		} finally {
			await Promise.all(servers.map((s) => s.close()));
		}
	}, 45_000);
});

describe('a stalled try is abandoned after the Request Timeout and the next, healthy try succeeds', () => {
	const limits = { requestTimeout: 2, maxRetries: 2 };

	it('an upload whose body the server stops reading is sent again and the blob arrives identical', async () => {
		const data = content(3 * MiB, 2);
		// The first Put Blob is never read past what the socket buffers take (nor forwarded); the second goes through.
		proxy.setRule(({ method, comp, index }) => (method === 'PUT' && comp === '' && index === 1 ? { kind: 'stallRequest' } : undefined));
		const result = await run(uploadParameters('stall/upload.bin', { ...limits, blockSizeMiB: 8 }), { items: [await storedFileItem(data, 'upload.bin')] });

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ size: data.length, blocks: 0, contentMD5: md5(data) });
		const puts = requestsFor('stall/upload.bin', 'PUT');
		expect(puts).toHaveLength(2);
		expect(puts[1].at - puts[0].at).toBeGreaterThanOrEqual(1700);
		expect(sha256(await blob('stall/upload.bin').downloadToBuffer())).toBe(sha256(data));
		// A body handed whole to the operating system gets up to 4 Request Timeouts to drain
		// before its silence counts (slow links are not cut): 2 s + 8 s, then the retry.
		expect(result.ms).toBeLessThan(18_000);
	});

	it('a block whose answer is held back is sent again and the blob arrives identical', async () => {
		const data = content(3 * MiB, 3);
		proxy.setRule(({ method, comp, index }) => (method === 'PUT' && comp === 'block' && index === 2 ? { kind: 'stallAnswer' } : undefined));
		const result = await run(uploadParameters('stall/blocks.bin', { ...limits, blockSizeMiB: 1, parallelUploads: 1 }), {
			items: [await storedFileItem(data, 'blocks.bin')],
		});

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ size: data.length, blocks: 3 });
		const tries = triesOfBrokenBlock();
		expect(tries).toHaveLength(2);
		expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(1700);
		expect(sha256(await blob('stall/blocks.bin').downloadToBuffer())).toBe(sha256(data));
		// As above: the held-back block had been handed whole to the operating system.
		expect(result.ms).toBeLessThan(18_000);
	});

	it('a download whose answer is held back is asked again and the file arrives identical', async () => {
		const data = content(2 * MiB, 4);
		await putBlob('stall/answer.bin', data);
		proxy.setRule(({ method, index }) => (method === 'GET' && index === 1 ? { kind: 'stallAnswer' } : undefined));
		const result = await run(downloadParameters('stall/answer.bin', limits));

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ md5Verified: true });
		expect(sha256(await readStoredBinary(result.items[0].binary!.data))).toBe(sha256(data));
		const gets = requestsFor('stall/answer.bin', 'GET');
		expect(gets).toHaveLength(2);
		expect(gets[1].at - gets[0].at).toBeGreaterThanOrEqual(1700);
		expect(result.ms).toBeLessThan(10_000);
	});
});

describe('a pause shorter than the Request Timeout is waited out, not retried', () => {
	const limits = { requestTimeout: 3, maxRetries: 2 };

	it('an upload whose body the server does not read for 1 s goes through in one try', async () => {
		const data = content(2 * MiB, 16);
		proxy.setRule(({ method, index }) => (method === 'PUT' && index === 1 ? { kind: 'stallRequest', ms: 1000 } : undefined));
		const result = await run(uploadParameters('pause/upload.bin', { ...limits, blockSizeMiB: 8 }, 'overwrite'), { items: [await storedFileItem(data, 'upload.bin')] });

		expect(result.error).toBeUndefined();
		expect(requestsFor('pause/upload.bin', 'PUT')).toHaveLength(1);
		expect(sha256(await blob('pause/upload.bin').downloadToBuffer())).toBe(sha256(data));
		expect(result.ms).toBeGreaterThanOrEqual(800);
		expect(result.ms).toBeLessThan(10_000);
	});

	it('a download whose body stops for 1 s half-way goes through in one request', async () => {
		const data = content(2 * MiB, 17);
		await putBlob('pause/download.bin', data);
		proxy.setRule(({ method, index }) => (method === 'GET' && index === 1 ? { kind: 'stallBody', afterBytes: MiB, ms: 1000 } : undefined));
		const result = await run(downloadParameters('pause/download.bin', limits));

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ md5Verified: true });
		expect(sha256(await readStoredBinary(result.items[0].binary!.data))).toBe(sha256(data));
		expect(requestsFor('pause/download.bin', 'GET')).toHaveLength(1);
		expect(result.ms).toBeGreaterThanOrEqual(800);
		expect(result.ms).toBeLessThan(10_000);
	});
});

describe('downloads resume a body that breaks off and check what arrived', () => {
	const data = content(4 * MiB, 5);
	let etag: string;

	beforeAll(async () => {
		etag = await putBlob('download/whole.bin', data);
	});

	it.each([
		['stalls after 1 MiB', { kind: 'stallBody' as const, afterBytes: MiB }, 1700],
		['is reset after 1 MiB', { kind: 'resetResponse' as const, afterBytes: MiB }, 0],
	])('a download whose body %s resumes from where it stopped (ranged, pinned to the ETag) and the file is identical', async (_label, fault, minimumMs) => {
		proxy.setRule(({ method, index }) => (method === 'GET' && index === 1 ? fault : undefined));
		const result = await run(downloadParameters('download/whole.bin', { requestTimeout: 2, maxRetries: 2, computeMd5: true }));

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ md5Verified: true, md5: md5(data), contentMD5: md5(data) });
		expect(sha256(await readStoredBinary(result.items[0].binary!.data))).toBe(sha256(data));
		const gets = requestsFor('download/whole.bin', 'GET');
		expect(gets).toHaveLength(2);
		// The second request continues the first: a range from where it broke off, and only if
		// the blob is still the same one.
		const range = String(gets[1].headers['x-ms-range'] ?? gets[1].headers.range);
		const start = Number(/^bytes=(\d+)-/.exec(range)?.[1]);
		expect(start).toBeGreaterThan(0);
		expect(start).toBeLessThanOrEqual(MiB);
		expect(gets[1].headers['if-match']).toBe(etag);
		expect(result.ms).toBeGreaterThanOrEqual(minimumMs);
		expect(result.ms).toBeLessThan(10_000);
	});

	it('a download whose connection is lost every time gives up after 5 resumes and outputs no file', async () => {
		proxy.setRule(({ method }) => (method === 'GET' ? { kind: 'resetResponse', afterBytes: 256 * 1024 } : undefined));
		const result = await run(downloadParameters('download/whole.bin', { requestTimeout: 5, maxRetries: 1 }));

		expect(result.error?.message).toBe('The download broke off and could not be resumed');
		expect(result.items).toHaveLength(0);
		// The first request and 5 ranged resumes.
		const gets = requestsFor('download/whole.bin', 'GET');
		expect(gets).toHaveLength(6);
		expect(gets.slice(1).every((r) => /^bytes=\d+-/.test(String(r.headers['x-ms-range'])) && r.headers['if-match'] === etag)).toBe(true);
		expect(result.ms).toBeLessThan(10_000);
		expectNoSecret(result);
	});

	it('a download that keeps moving on a slow link is not cut, however long it takes in all', async () => {
		// 4 MiB at 1.5 MiB/s: nearly 3 s in all, with a Request Timeout of 2 s.
		proxy.setRule(({ method }) => (method === 'GET' ? { kind: 'slowBody', bytesPerSecond: 1.5 * MiB } : undefined));
		const result = await run(downloadParameters('download/whole.bin', { requestTimeout: 2, maxRetries: 0 }));

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ md5Verified: true });
		expect(sha256(await readStoredBinary(result.items[0].binary!.data))).toBe(sha256(data));
		expect(requestsFor('download/whole.bin', 'GET')).toHaveLength(1);
		expect(result.ms).toBeGreaterThanOrEqual(2200);
		expect(result.ms).toBeLessThan(10_000);
	});

	it('a download whose bytes arrive damaged fails with the Content-MD5 error and outputs no file', async () => {
		proxy.setRule(({ method }) => (method === 'GET' ? { kind: 'corruptResponse', atByte: 2 * MiB + 17 } : undefined));
		const result = await run(downloadParameters('download/whole.bin', {}));

		expect(result.error?.message).toBe('The downloaded content of blob "download/whole.bin" does not match its Content-MD5; it was not used');
		expect(result.items).toHaveLength(0);
		// The body was complete (just wrong): no resume, and not tried again.
		expect(requestsFor('download/whole.bin', 'GET')).toHaveLength(1);
		expect(result.ms).toBeLessThan(10_000);
		expectNoSecret(result);
	});

	it('with Continue On Fail, the damaged download becomes an error item without a file and the next item is downloaded', async () => {
		await putBlob('download/other.bin', data.subarray(0, MiB));
		proxy.setRule(({ method, url }) => (method === 'GET' && url.includes('/whole.bin') ? { kind: 'corruptResponse', atByte: 5 } : undefined));
		const result = await run(
			{ ...downloadParameters('={{ $json.name }}', {}), blob: byName('={{ $json.name }}') },
			{ items: [{ json: { name: 'download/whole.bin' } }, { json: { name: 'download/other.bin' } }], continueOnFail: true },
		);

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(2);
		expect(result.items[0].json.error).toBe('The downloaded content of blob "download/whole.bin" does not match its Content-MD5; it was not used');
		expect(result.items[0].binary).toBeUndefined();
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
		expect(result.items[1].json).toMatchObject({ name: 'download/other.bin', md5Verified: true });
		expect(sha256(await readStoredBinary(result.items[1].binary!.data))).toBe(sha256(data.subarray(0, MiB)));
		expectNoSecret(result);
	});
});

describe('an overwrite whose new content never arrives leaves the old blob as it was', () => {
	const old = content(512 * 1024, 6);
	const limits = { requestTimeout: 10, maxRetries: 2 };

	it('single request: every try is reset half-way through the body; the error says so and the old bytes are unchanged', async () => {
		const etag = await putBlob('overwrite/single.bin', old);
		proxy.setRule(({ method, comp, url }) =>
			method === 'PUT' && comp === '' && url.includes('/overwrite/single.bin') ? { kind: 'resetRequest', afterBytes: 512 * 1024 } : undefined,
		);
		const result = await run(uploadParameters('overwrite/single.bin', { ...limits, blockSizeMiB: 8 }, 'overwrite'), {
			items: [await storedFileItem(content(3 * MiB, 7), 'single.bin')],
		});

		expect(result.error?.message).toMatch(
			new RegExp(`^Could not reach the blob endpoint ${escape(proxy.host)}: (the connection was reset|the connection was closed while sending) \\(tried 3 times\\)$`),
		);
		expect(requestsFor('overwrite/single.bin', 'PUT')).toHaveLength(3);
		const properties = await blob('overwrite/single.bin').getProperties();
		expect(properties.etag).toBe(etag);
		expect(sha256(await blob('overwrite/single.bin').downloadToBuffer())).toBe(sha256(old));
		expect(result.ms).toBeLessThan(15_000);
		expectNoSecret(result);
	});

	it('in blocks: every try of one block is reset half-way; nothing is committed and the old bytes are unchanged', async () => {
		const etag = await putBlob('overwrite/blocks.bin', old);
		let brokenId: string | null = null;
		proxy.setRule(({ method, comp, url }) => {
			if (method !== 'PUT' || comp !== 'block') return undefined;
			const id = new URL(url, 'http://x').searchParams.get('blockid');
			brokenId ??= id;
			return id === brokenId ? { kind: 'resetRequest', afterBytes: 256 * 1024 } : undefined;
		});
		const result = await run(uploadParameters('overwrite/blocks.bin', { ...limits, blockSizeMiB: 1, parallelUploads: 2 }, 'overwrite'), {
			items: [await storedFileItem(content(4 * MiB, 8), 'blocks.bin')],
		});

		expect(result.error?.message).toMatch(new RegExp(`^Could not reach the blob endpoint ${escape(proxy.host)}: .*\\(tried 3 times\\)$`));
		expect(String(result.error?.description)).toMatch(/Nothing was committed: \d+ blocks \(\d+ bytes\) had been staged/);
		expect(triesOfBrokenBlock()).toHaveLength(3);
		expect(commits()).toHaveLength(0);
		const properties = await blob('overwrite/blocks.bin').getProperties();
		expect(properties.etag).toBe(etag);
		expect(sha256(await blob('overwrite/blocks.bin').downloadToBuffer())).toBe(sha256(old));
		expect(result.ms).toBeLessThan(15_000);
		expectNoSecret(result);
	});
});

describe('the Operation Timeout bounds one item', () => {
	const data = content(2 * MiB, 14);

	beforeAll(async () => {
		await putBlob('deadline/ok.bin', data);
		await putBlob('deadline/stuck.bin', data);
	});

	// Each item brings its own limits (options set by expression): the stuck one 2 s in all, the
	// healthy one as long as it needs.
	const perItemLimits = { requestTimeout: '={{ $json.requestTimeout }}', maxRetries: 10, operationTimeout: '={{ $json.operationTimeout }}' };
	const healthyItem = { json: { name: 'deadline/ok.bin', requestTimeout: 30, operationTimeout: 600 } };

	it.each([
		['answers never come (each try cut at 1 s and retried)', { kind: 'stallAnswer' as const }, 1],
		['body stops half-way (Request Timeout 30 s)', { kind: 'stallBody' as const, afterBytes: 256 * 1024 }, 30],
	])('a download whose %s fails at the Operation Timeout of 2 s, and the next item still runs', async (_label, fault, requestTimeout) => {
		proxy.setRule(({ url }) => (url.includes('/deadline/stuck.bin') ? fault : undefined));
		const result = await run(
			{ ...downloadParameters('', perItemLimits), blob: byName('={{ $json.name }}') },
			{ items: [{ json: { name: 'deadline/stuck.bin', requestTimeout, operationTimeout: 2 } }, healthyItem], continueOnFail: true },
		);

		expect(result.error).toBeUndefined();
		expect(result.items[0].json.error).toBe('The operation did not finish within the Operation Timeout of 2 s');
		expect(result.items[0].binary).toBeUndefined();
		expect(result.items[1].json).toMatchObject({ name: 'deadline/ok.bin', md5Verified: true });
		expect(sha256(await readStoredBinary(result.items[1].binary!.data))).toBe(sha256(data));
		// 1 s tries: a try, a back-off, a second try cut by the deadline. 30 s tries: the one try.
		const stuck = requestsFor('deadline/stuck.bin');
		expect(stuck.length).toBeGreaterThanOrEqual(1);
		expect(stuck.length).toBeLessThanOrEqual(requestTimeout === 1 ? 2 : 1);
		expect(result.ms).toBeGreaterThanOrEqual(1700);
		expect(result.ms).toBeLessThan(10_000);
		// Nothing goes on trying after the item gave up.
		await new Promise((resolve) => setTimeout(resolve, 1000));
		expect(requestsFor('deadline/stuck.bin')).toHaveLength(stuck.length);
		expectNoSecret(result);
	});

	it('an upload whose body the server stops reading fails at the Operation Timeout, and no blob appears', async () => {
		proxy.setRule(({ method }) => (method === 'PUT' ? { kind: 'stallRequest' } : undefined));
		const result = await run(uploadParameters('deadline/upload.bin', { requestTimeout: 30, operationTimeout: 2, blockSizeMiB: 8 }), {
			items: [await storedFileItem(content(6 * MiB, 15), 'upload.bin')],
		});

		expect(result.error?.message).toBe('The operation did not finish within the Operation Timeout of 2 s');
		expect(requestsFor('deadline/upload.bin', 'PUT')).toHaveLength(1);
		expect(await blob('deadline/upload.bin').exists()).toBe(false);
		expect(result.ms).toBeGreaterThanOrEqual(1700);
		expect(result.ms).toBeLessThan(10_000);
		expectNoSecret(result);
	});
});

describe('a refused connection', () => {
	it('fails within a second or two with the refused message, and is not tried again', async () => {
		const port = await unusedPort();
		let requests = 0;
		const onRequest = (message: unknown) => {
			const request = (message as { request?: { host?: string; socket?: unknown; getHeader?: (name: string) => unknown } }).request;
			if (String(request?.getHeader?.('host') ?? '').endsWith(`:${port}`)) requests += 1;
		};
		diagnostics.subscribe('http.client.request.start', onRequest);
		let result: TimedRun;
		try {
			// The most retries the node allows: any retry at all would add back-off of 0.4 s or more.
			result = await run(
				{ resource: 'container', operation: 'getAll', returnAll: true, options: { maxRetries: 10, requestTimeout: 30 } },
				{ endpoint: `http://127.0.0.1:${port}/devstoreaccount1` },
			);
		} finally {
			diagnostics.unsubscribe('http.client.request.start', onRequest);
		}

		expect(result.error?.message).toBe(`Could not reach the blob endpoint 127.0.0.1:${port}: connection refused (nothing listens on that address and port)`);
		expect(requests).toBe(1);
		expect(result.ms).toBeLessThan(3000);
		expectNoSecret(result);
	});
});

// Last in the file: it stops this file's Azurite and starts it again (same port, same data).
describe('Azurite stops between two items and starts again', () => {
	const restartContainer = 'restart';

	beforeAll(async () => {
		await service().getContainerClient(restartContainer).create();
	});

	it('item 1 is uploaded, item 2 fails with "connection refused" (Continue On Fail), item 3 is uploaded after the restart', async () => {
		const port = azurite!.port;
		const files = [content(300 * 1024, 11), content(300 * 1024, 12), content(300 * 1024, 13)];
		const items = await Promise.all(files.map(async (data, i) => ({ ...(await storedFileItem(data, `f${i + 1}.bin`)), json: { name: `item-${i + 1}.bin` } })));
		// The node reads each item's file from n8n's store just before that item's first request:
		// stop Azurite when item 2 starts, start it again (same port, same data folder) when item 3 does.
		// (Small files are read whole, larger ones as a stream: both ways are watched.)
		const store = Container.get(BinaryDataService) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
		const originals = { getAsStream: store.getAsStream, getAsBuffer: store.getAsBuffer };
		let reads = 0;
		const events: string[] = [];
		const watched = (read: (...args: unknown[]) => Promise<unknown>) => async (...args: unknown[]) => {
			reads += 1;
			if (reads === 2) {
				await azurite!.stop();
				events.push('stopped');
			}
			if (reads === 3) {
				azurite = await startAzurite({ location, port });
				events.push('started');
			}
			return await read.apply(store, args);
		};
		store.getAsStream = watched(originals.getAsStream);
		store.getAsBuffer = watched(originals.getAsBuffer);
		let result: TimedRun;
		try {
			result = await run(
				{
					resource: 'blob',
					operation: 'upload',
					container: byName(restartContainer),
					blobName: '={{ $json.name }}',
					inputDataType: 'binary',
					binaryPropertyName: 'data',
					options: { requestTimeout: 5, maxRetries: 3 },
				},
				{ items, endpoint: `http://127.0.0.1:${port}/devstoreaccount1`, continueOnFail: true },
			);
		} finally {
			delete store.getAsStream;
			delete store.getAsBuffer;
		}

		expect(events).toEqual(['stopped', 'started']);
		expect(azurite!.port).toBe(port);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(3);
		expect(result.items[0].json).toMatchObject({ name: 'item-1.bin', size: files[0].length });
		expect(result.items[1].json.error).toMatch(new RegExp(`^Could not reach the blob endpoint 127\\.0\\.0\\.1:${port}: connection refused`));
		expect(result.items[1].pairedItem).toEqual({ item: 1 });
		expect(result.items[2].json).toMatchObject({ name: 'item-3.bin', size: files[2].length });
		// Azurite kept item 1 across the restart; item 2 never arrived.
		const restarted = service().getContainerClient(restartContainer);
		expect(sha256(await restarted.getBlobClient('item-1.bin').downloadToBuffer())).toBe(sha256(files[0]));
		expect(await restarted.getBlobClient('item-2.bin').exists()).toBe(false);
		expect(sha256(await restarted.getBlobClient('item-3.bin').downloadToBuffer())).toBe(sha256(files[2]));
		// Start-up of Azurite takes 4-6 s here; everything else is quick.
		expect(result.ms).toBeLessThan(45_000);
		expectNoSecret(result);
	}, 90_000);
});
