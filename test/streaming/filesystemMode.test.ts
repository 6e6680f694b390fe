/**
 * Large files in n8n's filesystem binary data mode (n8n 2.x's default): uploads stream from the
 * stored file in blocks, downloads stream into the store; neither holds the file in memory.
 */
import { randomBytes } from 'crypto';
import type { INodeParameters } from 'n8n-workflow';

import { runNode, useBinaryDataMode } from '../helpers/engine';
import { blobEndpoint, createContainer, sdk } from '../helpers/fixtures';
import { startFaultProxy, type FaultProxy } from '../helpers/faultProxy';
import type { StoreWatch } from './support';
import { byName, md5Base64, MiB, readStoredBinary, sha256, sharedKeyFor, storedFileItem, watchBinaryStore } from './support';

const FILE_SIZE = 40 * MiB;
const content = randomBytes(FILE_SIZE);
let container: string;
let watch: StoreWatch | undefined;

beforeAll(async () => {
	await useBinaryDataMode('filesystem');
	container = await createContainer('streaming-fs');
});

afterEach(() => {
	watch?.stop();
	watch = undefined;
});

function uploadParameters(authentication: string, blobName: string, options: INodeParameters) {
	return {
		authentication,
		resource: 'blob',
		operation: 'upload',
		container: byName(container),
		blobName,
		inputDataType: 'binary',
		binaryPropertyName: 'data',
		ifExists: 'fail',
		options,
	};
}

function downloadParameters(authentication: string, blobName: string, options: INodeParameters = {}) {
	return {
		authentication,
		resource: 'blob',
		operation: 'download',
		container: byName(container),
		blob: byName(blobName),
		binaryPropertyName: 'data',
		options,
	};
}

test('uploads a 40 MiB file from the filesystem store in ten 4 MiB blocks, read as a stream, and the downloaded bytes are identical', async () => {
	const item = await storedFileItem(content, 'big.bin');
	const { authentication, credentials } = sharedKeyFor(blobEndpoint());
	watch = watchBinaryStore();

	const result = await runNode({
		credentials,
		items: [item],
		parameters: uploadParameters(authentication, 'uploads/big.bin', { blockSizeMiB: 4, parallelUploads: 3 }),
	});

	expect(result.error).toBeUndefined();
	expect(result.items[0].json).toMatchObject({ size: FILE_SIZE, blocks: 10, contentMD5: md5Base64(content) });
	// The file was read through one stream and never as a whole buffer (getBinaryDataBuffer).
	expect(watch.bufferReads).toBe(0);
	expect(watch.streams).toHaveLength(1);
	expect(watch.streams[0].destroyed).toBe(true);

	const blob = sdk().getContainerClient(container).getBlockBlobClient('uploads/big.bin');
	const blocks = await blob.getBlockList('all');
	expect(blocks.committedBlocks?.map((b) => b.size)).toEqual(Array(10).fill(4 * MiB));
	expect(blocks.uncommittedBlocks ?? []).toHaveLength(0);
	const properties = await blob.getProperties();
	expect(Buffer.from(properties.contentMD5 ?? []).toString('base64')).toBe(md5Base64(content));
	expect(sha256(await blob.downloadToBuffer())).toBe(sha256(content));
});

test('a file no bigger than one block goes up in a single request, without a block list', async () => {
	const small = content.subarray(0, 3 * MiB);
	const item = await storedFileItem(small, 'small.bin');
	let proxy: FaultProxy | undefined;
	try {
		proxy = await startFaultProxy(blobEndpoint());
		const { authentication, credentials } = sharedKeyFor(proxy.blobEndpoint);
		const result = await runNode({
			credentials,
			items: [item],
			parameters: uploadParameters(authentication, 'uploads/small.bin', { blockSizeMiB: 4 }),
		});

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ size: small.length, blocks: 0 });
		const writes = proxy.seen.filter((r) => r.method === 'PUT');
		expect(writes.map((r) => r.comp)).toEqual(['']);
		const blob = sdk().getContainerClient(container).getBlobClient('uploads/small.bin');
		expect(sha256(await blob.downloadToBuffer())).toBe(sha256(small));
	} finally {
		await proxy?.close();
	}
});

test('downloads a 40 MiB blob into the filesystem store as a stream: the output binary has an id and identical bytes', async () => {
	await sdk().getContainerClient(container).getBlockBlobClient('downloads/big.bin').uploadData(content, {
		blobHTTPHeaders: { blobContentType: 'application/x-test' },
	});
	const { authentication, credentials } = sharedKeyFor(blobEndpoint());
	watch = watchBinaryStore();

	const result = await runNode({ credentials, parameters: downloadParameters(authentication, 'downloads/big.bin') });
	watch.stop();

	expect(result.error).toBeUndefined();
	const binary = result.items[0].binary!.data;
	expect(binary.id).toBeDefined();
	expect(binary).toMatchObject({ fileName: 'big.bin', mimeType: 'application/x-test', bytes: FILE_SIZE });
	// n8n's store received a stream, never a buffer of the blob.
	expect(watch.writes).toEqual(['stream']);
	expect(sha256(await readStoredBinary(binary))).toBe(sha256(content));
	expect(result.items[0].json.contentMD5).toBe(md5Base64(content));
});

test('downloads exactly the asked byte range and reports it as contentRange', async () => {
	const source = content.subarray(0, 2 * MiB);
	await sdk().getContainerClient(container).getBlockBlobClient('downloads/range.bin').uploadData(source);
	const { authentication, credentials } = sharedKeyFor(blobEndpoint());

	const middle = await runNode({
		credentials,
		parameters: downloadParameters(authentication, 'downloads/range.bin', { rangeStart: 1000, rangeLength: 5000 }),
	});
	expect(middle.error).toBeUndefined();
	const part = await readStoredBinary(middle.items[0].binary!.data);
	expect(part.equals(source.subarray(1000, 6000))).toBe(true);
	expect(middle.items[0].json.contentRange).toBe(`bytes 1000-5999/${source.length}`);

	const tail = await runNode({
		credentials,
		parameters: downloadParameters(authentication, 'downloads/range.bin', { rangeStart: source.length - 10 }),
	});
	expect(tail.error).toBeUndefined();
	expect((await readStoredBinary(tail.items[0].binary!.data)).equals(source.subarray(source.length - 10))).toBe(true);
	expect(tail.items[0].json.contentRange).toBe(`bytes ${source.length - 10}-${source.length - 1}/${source.length}`);
});

test('an upload refused before any byte is sent (a blob name Azure would change) closes the file it opened in the store', async () => {
	// Blob Name empty: the name comes from the file, which is opened first, then refused.
	const item = await storedFileItem(content.subarray(0, 6 * MiB), 'refused.');
	const { authentication, credentials } = sharedKeyFor(blobEndpoint());
	watch = watchBinaryStore();

	const result = await runNode({
		credentials,
		items: [item],
		parameters: uploadParameters(authentication, '', { blockSizeMiB: 4 }),
	});

	expect(result.error?.message).toMatch(/ends with "\."/);
	expect(watch.streams).toHaveLength(1);
	expect(watch.streams[0].destroyed).toBe(true);
	expect(await sdk().getContainerClient(container).getBlobClient('refused.').exists()).toBe(false);
});

test('a Blob Name Azure would change is refused before the file in the store is even opened', async () => {
	const item = await storedFileItem(content.subarray(0, 6 * MiB), 'refused.bin');
	const { authentication, credentials } = sharedKeyFor(blobEndpoint());
	watch = watchBinaryStore();

	const result = await runNode({
		credentials,
		items: [item],
		parameters: uploadParameters(authentication, 'uploads/refused.', { blockSizeMiB: 4 }),
	});

	expect(result.error?.message).toMatch(/^Blob Name "uploads\/refused\." ends with "\."/);
	expect(watch.streams).toHaveLength(0);
});
