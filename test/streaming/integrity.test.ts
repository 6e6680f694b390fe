/**
 * What each "Integrity Check" choice of Upload (and Append) really sends and stores, what it
 * catches, and that downloads are still checked while they are handed to n8n's store in large
 * chunks. The node talks to Azurite through a loopback proxy that records every request and can
 * flip a bit of a chosen one.
 */
import { createHash, randomBytes } from 'crypto';
import { Readable } from 'stream';
import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import type { INodeParameters } from 'n8n-workflow';

import { runNode, useBinaryDataMode } from '../helpers/engine';
import { blobEndpoint, createContainer, sdk } from '../helpers/fixtures';
import { startFaultProxy, type FaultProxy, type SeenRequest } from '../helpers/faultProxy';
import { byName, md5Base64, MiB, readStoredBinary, sha256, sharedKeyFor, storedFileItem } from './support';

const FILE_SIZE = 6 * MiB + 12_345; // seven 1 MiB blocks, the last one short
const content = randomBytes(FILE_SIZE);
let container: string;
let proxy: FaultProxy;

beforeAll(async () => {
	await useBinaryDataMode('filesystem');
	container = await createContainer('streaming-integrity');
	proxy = await startFaultProxy(blobEndpoint());
});

afterAll(async () => {
	await proxy.close();
});

beforeEach(() => proxy.reset());

const blob = (name: string) => sdk().getContainerClient(container).getBlockBlobClient(name);
const putBlocks = () => proxy.seen.filter((r) => r.method === 'PUT' && r.comp === 'block');
const commit = () => proxy.seen.find((r) => r.method === 'PUT' && r.comp === 'blocklist');
const header = (r: SeenRequest | undefined, name: string) => r?.headers[name] as string | undefined;

async function upload(blobName: string, options: INodeParameters, data = content) {
	const { authentication, credentials } = sharedKeyFor(proxy.blobEndpoint);
	return await runNode({
		credentials,
		items: [await storedFileItem(data, 'file.bin')],
		parameters: {
			authentication,
			resource: 'blob',
			operation: 'upload',
			container: byName(container),
			blobName,
			inputDataType: 'binary',
			binaryPropertyName: 'data',
			ifExists: 'overwrite',
			options: { blockSizeMiB: 1, parallelUploads: 2, ...options },
		},
	});
}

async function download(blobName: string, options: INodeParameters = {}) {
	const { authentication, credentials } = sharedKeyFor(proxy.blobEndpoint);
	return await runNode({
		credentials,
		parameters: { authentication, resource: 'blob', operation: 'download', container: byName(container), blob: byName(blobName), binaryPropertyName: 'data', options },
	});
}

async function storedContentMD5(name: string): Promise<string | undefined> {
	const md5 = (await blob(name).getProperties()).contentMD5;
	return md5?.length ? Buffer.from(md5).toString('base64') : undefined;
}

describe('Upload in blocks: what each Integrity Check choice sends and stores', () => {
	it('default (Whole-Blob MD5): blocks go without Content-MD5, the commit stores the real MD5 of the file, and the output shows it', async () => {
		const result = await upload('integrity/default.bin', {});

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ size: FILE_SIZE, blocks: 7, contentMD5: md5Base64(content) });
		expect(putBlocks()).toHaveLength(7);
		expect(putBlocks().every((r) => header(r, 'content-md5') === undefined)).toBe(true);
		expect(header(commit(), 'x-ms-blob-content-md5')).toBe(md5Base64(content));
		expect(await storedContentMD5('integrity/default.bin')).toBe(md5Base64(content));
		expect(sha256(await blob('integrity/default.bin').downloadToBuffer())).toBe(sha256(content));
	});

	it('Per-Block MD5: every block carries the MD5 of its own bytes, the blob gets no Content-MD5 and the output none', async () => {
		const result = await upload('integrity/per-block.bin', { integrity: 'perBlock' });

		expect(result.error).toBeUndefined();
		expect(result.items[0].json.contentMD5).toBeUndefined();
		const sent = putBlocks().map((r) => header(r, 'content-md5'));
		const expected = Array.from({ length: 7 }, (_, i) => md5Base64(content.subarray(i * MiB, (i + 1) * MiB)));
		expect(sent).toEqual(expected);
		expect(header(commit(), 'x-ms-blob-content-md5')).toBeUndefined();
		expect(await storedContentMD5('integrity/per-block.bin')).toBeUndefined();
		expect(sha256(await blob('integrity/per-block.bin').downloadToBuffer())).toBe(sha256(content));
	});

	it('Both: every block carries its MD5 and the blob stores the MD5 of the whole file', async () => {
		const result = await upload('integrity/both.bin', { integrity: 'both' });

		expect(result.error).toBeUndefined();
		expect(result.items[0].json.contentMD5).toBe(md5Base64(content));
		expect(putBlocks().map((r) => header(r, 'content-md5'))).toEqual(
			Array.from({ length: 7 }, (_, i) => md5Base64(content.subarray(i * MiB, (i + 1) * MiB))),
		);
		expect(await storedContentMD5('integrity/both.bin')).toBe(md5Base64(content));
	});

	it('None: no Put Block and no commit carries an MD5, the blob has no Content-MD5, and the bytes still arrive identical', async () => {
		const result = await upload('integrity/none.bin', { integrity: 'none' });

		expect(result.error).toBeUndefined();
		expect(result.items[0].json.contentMD5).toBeUndefined();
		expect(putBlocks()).toHaveLength(7);
		expect(putBlocks().every((r) => header(r, 'content-md5') === undefined)).toBe(true);
		expect(header(commit(), 'x-ms-blob-content-md5')).toBeUndefined();
		expect(await storedContentMD5('integrity/none.bin')).toBeUndefined();
		expect(sha256(await blob('integrity/none.bin').downloadToBuffer())).toBe(sha256(content));
	});

	it('a file of one block or less goes up in one request whose single MD5 is both checked by Azure and stored (Per-Block MD5 too), and with None carries none', async () => {
		const small = content.subarray(0, 300_000);
		for (const integrity of ['perBlock', 'wholeBlob', 'both']) {
			proxy.reset();
			const result = await upload(`integrity/small-${integrity}.bin`, { integrity }, small);
			expect(result.error).toBeUndefined();
			const [put] = proxy.seen.filter((r) => r.method === 'PUT');
			expect(put.comp).toBe('');
			expect(header(put, 'content-md5')).toBe(md5Base64(small));
			expect(header(put, 'x-ms-blob-content-md5')).toBe(md5Base64(small));
			expect(result.items[0].json.contentMD5).toBe(md5Base64(small));
			expect(await storedContentMD5(`integrity/small-${integrity}.bin`)).toBe(md5Base64(small));
		}
		proxy.reset();
		const none = await upload('integrity/small-none.bin', { integrity: 'none' }, small);
		expect(none.error).toBeUndefined();
		const [put] = proxy.seen.filter((r) => r.method === 'PUT');
		expect(header(put, 'content-md5')).toBeUndefined();
		expect(header(put, 'x-ms-blob-content-md5')).toBeUndefined();
	});
});

describe('Blocks in reused buffers', () => {
	it.each([1, 3])(
		'a store that hands out a plain stream (as the database and S3 modes do) uploads in blocks copied into reused buffers, bytes identical (%i parallel)',
		async (parallelUploads) => {
			const service = Container.get(BinaryDataService) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
			const original = service.getAsStream;
			service.getAsStream = async (...args) => Readable.from((await original.apply(service, args)) as Readable);
			try {
				const result = await upload(`integrity/plain-stream-${parallelUploads}.bin`, { integrity: 'both', parallelUploads });
				expect(result.error).toBeUndefined();
				expect(result.items[0].json).toMatchObject({ size: FILE_SIZE, blocks: 7, contentMD5: md5Base64(content) });
			} finally {
				delete service.getAsStream;
			}
			expect(putBlocks().map((r) => header(r, 'content-md5'))).toEqual(
				Array.from({ length: 7 }, (_, i) => md5Base64(content.subarray(i * MiB, (i + 1) * MiB))),
			);
			expect(sha256(await blob(`integrity/plain-stream-${parallelUploads}.bin`).downloadToBuffer())).toBe(sha256(content));
		},
	);
});

describe('What each choice catches when a block is damaged on the way', () => {
	const corruptThirdBlock = () =>
		proxy.setRule(({ method, comp, index }) => (method === 'PUT' && comp === 'block' && index === 3 ? 'corrupt' : undefined));

	it('Per-Block MD5: Azure refuses the damaged block, nothing is committed and no blob exists', async () => {
		corruptThirdBlock();
		const result = await upload('integrity/caught-at-upload.bin', { integrity: 'perBlock' });

		expect(result.error?.message).toMatch(/MD5/i);
		expect(putBlocks().find((r) => r.fault === 'corrupt')?.status).toBe(400);
		expect(commit()).toBeUndefined();
		expect(await blob('integrity/caught-at-upload.bin').exists()).toBe(false);
	});

	it('Whole-Blob MD5: the damaged block is stored, and the first download through the node fails with the Content-MD5 error and outputs no file', async () => {
		corruptThirdBlock();
		const uploaded = await upload('integrity/caught-at-download.bin', {});
		expect(uploaded.error).toBeUndefined();
		expect(await storedContentMD5('integrity/caught-at-download.bin')).toBe(md5Base64(content));

		proxy.reset();
		const downloaded = await download('integrity/caught-at-download.bin');
		expect(downloaded.error?.message).toBe(
			'The downloaded content of blob "integrity/caught-at-download.bin" does not match its Content-MD5; it was not used',
		);
		expect(downloaded.items).toHaveLength(0);
	});
});

describe('Downloads: checked in the same stage that hands n8n large chunks', () => {
	const big = randomBytes(5 * MiB + 777);

	beforeAll(async () => {
		await blob('integrity/download.bin').uploadData(big, { blobHTTPHeaders: { blobContentMD5: createHash('md5').update(big).digest() } });
	});

	/** Records the sizes of the chunks n8n's binary store receives while `action` runs. */
	async function storeChunkSizes<T>(action: () => Promise<T>): Promise<{ value: T; sizes: number[] }> {
		const service = Container.get(BinaryDataService) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
		const original = service.store;
		const sizes: number[] = [];
		service.store = async (...args) => {
			const source = args[1];
			if (source instanceof Readable) {
				args[1] = Readable.from(
					(async function* () {
						for await (const chunk of source) {
							sizes.push((chunk as Buffer).length);
							yield chunk;
						}
					})(),
				);
			}
			return await original.apply(service, args);
		};
		try {
			return { value: await action(), sizes };
		} finally {
			delete service.store;
		}
	}

	it('a 5 MiB blob reaches n8n\'s store in 1 MiB chunks (the last one shorter), checked against its Content-MD5, bytes identical', async () => {
		const { value: result, sizes } = await storeChunkSizes(async () => await download('integrity/download.bin'));

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ md5Verified: true, contentMD5: md5Base64(big) });
		expect(sizes).toEqual([MiB, MiB, MiB, MiB, MiB, 777]);
		expect(sha256(await readStoredBinary(result.items[0].binary!.data))).toBe(sha256(big));
	});

	it('a download damaged on the way (in its fourth MiB) still fails with the Content-MD5 error and outputs no file', async () => {
		proxy.setRule(({ method }) => (method === 'GET' ? { kind: 'corruptResponse', atByte: 3 * MiB + 11 } : undefined));
		const result = await download('integrity/download.bin');

		expect(result.error?.message).toBe('The downloaded content of blob "integrity/download.bin" does not match its Content-MD5; it was not used');
		expect(result.items).toHaveLength(0);
	});

	it('with Verify Content-MD5 off, nothing is checked: the damaged bytes are output without md5Verified (the documented trade-off)', async () => {
		proxy.setRule(({ method }) => (method === 'GET' ? { kind: 'corruptResponse', atByte: 11 } : undefined));
		const result = await download('integrity/download.bin', { verifyMd5: false });

		expect(result.error).toBeUndefined();
		expect(result.items[0].json.md5Verified).toBeUndefined();
		const received = await readStoredBinary(result.items[0].binary!.data);
		expect(received.length).toBe(big.length);
		expect(received.equals(big)).toBe(false);
	});

	it('with Verify Content-MD5 off and Compute MD5 on, the MD5 of what arrived is output', async () => {
		const result = await download('integrity/download.bin', { verifyMd5: false, computeMd5: true });

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ md5: md5Base64(big) });
		expect(result.items[0].json.md5Verified).toBeUndefined();
	});
});

describe('Append: Per-Block MD5 (default) or None', () => {
	async function append(blobName: string, options: INodeParameters) {
		const { authentication, credentials } = sharedKeyFor(proxy.blobEndpoint);
		return await runNode({
			credentials,
			items: [await storedFileItem(content, 'file.bin')],
			parameters: {
				authentication,
				resource: 'blob',
				operation: 'append',
				container: byName(container),
				blob: byName(blobName),
				inputDataType: 'binary',
				binaryPropertyName: 'data',
				options,
			},
		});
	}
	const appendBlocks = () => proxy.seen.filter((r) => r.method === 'PUT' && r.comp === 'appendblock');

	it('default: each 4 MiB block carries its MD5; None: no block does; the blob holds the file twice, in order', async () => {
		const first = await append('integrity/appended.log', {});
		expect(first.error).toBeUndefined();
		expect(appendBlocks().map((r) => header(r, 'content-md5'))).toEqual([md5Base64(content.subarray(0, 4 * MiB)), md5Base64(content.subarray(4 * MiB))]);

		proxy.reset();
		const second = await append('integrity/appended.log', { integrity: 'none' });
		expect(second.error).toBeUndefined();
		expect(appendBlocks()).toHaveLength(2);
		expect(appendBlocks().every((r) => header(r, 'content-md5') === undefined)).toBe(true);

		const stored = await sdk().getContainerClient(container).getAppendBlobClient('integrity/appended.log').downloadToBuffer();
		expect(sha256(stored)).toBe(sha256(Buffer.concat([content, content])));
	});
});

describe('A lost answer to the commit is recognised without any MD5 (the committed block ids are unique to the upload)', () => {
	it('Per-Block MD5 with If Blob Exists = Fail: the commit applied but unanswered, retried and refused, counts as this upload', async () => {
		proxy.setRule(({ method, comp, index }) => (method === 'PUT' && comp === 'blocklist' && index === 1 ? { kind: 'stallAnswer' } : undefined));
		const { authentication, credentials } = sharedKeyFor(proxy.blobEndpoint);
		const result = await runNode({
			credentials,
			items: [await storedFileItem(content, 'file.bin')],
			parameters: {
				authentication,
				resource: 'blob',
				operation: 'upload',
				container: byName(container),
				blobName: 'integrity/late-commit.bin',
				inputDataType: 'binary',
				binaryPropertyName: 'data',
				ifExists: 'fail',
				options: { blockSizeMiB: 1, parallelUploads: 2, integrity: 'perBlock', requestTimeout: 1, maxRetries: 2 },
			},
		});

		expect(result.error?.message).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ size: FILE_SIZE, blocks: 7, etag: expect.any(String) });
		expect(proxy.seen.filter((r) => r.comp === 'blocklist' && r.method === 'PUT')).toHaveLength(2);
		expect(sha256(await blob('integrity/late-commit.bin').downloadToBuffer())).toBe(sha256(content));
	});
});

describe('Bad values from expressions are refused naming the field', () => {
	it.each([
		['upload', { integrity: '={{ "fast" }}' }, 'Integrity Check must be one of "wholeBlob", "perBlock", "both", "none"; got "fast"'],
		['upload', { integrity: '={{ 5 }}' }, /^Integrity Check must be one of .* got a number/],
		['download', { verifyMd5: '={{ "maybe" }}' }, /^Verify Content-MD5 /],
		['append', { integrity: '={{ "wholeBlob" }}' }, 'Integrity Check must be one of "perBlock", "none"; got "wholeBlob"'],
	])('%s with %j', async (operation, options, message) => {
		const { authentication, credentials } = sharedKeyFor(proxy.blobEndpoint);
		const parameters: INodeParameters = {
			authentication,
			resource: 'blob',
			operation,
			container: byName(container),
			options: options as INodeParameters,
			...(operation === 'upload' ? { blobName: 'integrity/never.bin', inputDataType: 'text', textContent: 'x', ifExists: 'overwrite' } : {}),
			...(operation === 'append' ? { blob: byName('integrity/never.log'), inputDataType: 'text', textContent: 'x' } : {}),
			...(operation === 'download' ? { blob: byName('integrity/download.bin'), binaryPropertyName: 'data' } : {}),
		};
		const result = await runNode({ credentials, parameters });

		if (typeof message === 'string') expect(result.error?.message).toBe(message);
		else expect(result.error?.message).toMatch(message);
		if (operation !== 'download') expect(proxy.seen.filter((r) => r.method === 'PUT')).toHaveLength(0);
	});
});
