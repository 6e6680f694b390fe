/**
 * What a user sees when a large upload is cancelled or breaks half-way. The node talks to Azurite
 * through a loopback proxy that watches every request and breaks chosen ones.
 */
import { randomBytes } from 'crypto';

import { runNode, useBinaryDataMode } from '../helpers/engine';
import { blobEndpoint, createContainer, sdk } from '../helpers/fixtures';
import { startFaultProxy, type FaultProxy } from '../helpers/faultProxy';
import type { StoreWatch } from './support';
import { byName, MiB, sha256, sharedKeyFor, storedFileItem, trackNodeRuns, watchBinaryStore } from './support';

const FILE_SIZE = 24 * MiB;
const BLOCKS = 24; // with 1 MiB blocks
const content = randomBytes(FILE_SIZE);
let container: string;
let proxy: FaultProxy;
let watch: StoreWatch | undefined;

beforeAll(async () => {
	await useBinaryDataMode('filesystem');
	container = await createContainer('streaming-faults');
	proxy = await startFaultProxy(blobEndpoint());
});

afterAll(async () => {
	await proxy.close();
});

beforeEach(() => {
	proxy.reset();
});

afterEach(() => {
	watch?.stop();
	watch = undefined;
});

function uploadParameters(blobName: string) {
	return {
		authentication: 'sharedKey',
		resource: 'blob',
		operation: 'upload',
		container: byName(container),
		blobName,
		inputDataType: 'binary',
		binaryPropertyName: 'data',
		ifExists: 'fail',
		options: { blockSizeMiB: 1, parallelUploads: 2 },
	};
}

async function blobExists(name: string): Promise<boolean> {
	return await sdk().getContainerClient(container).getBlobClient(name).exists();
}

const putBlocks = () => proxy.seen.filter((r) => r.method === 'PUT' && r.comp === 'block');
const commits = () => proxy.seen.filter((r) => r.comp === 'blocklist');

test('cancelling the execution after the first block stops the upload: no more blocks go out, nothing is committed, no blob exists', async () => {
	const item = await storedFileItem(content, 'cancel.bin');
	const { credentials } = sharedKeyFor(proxy.blobEndpoint);
	const nodeRuns = trackNodeRuns();
	watch = watchBinaryStore();
	try {
		const result = await runNode({
			credentials,
			items: [item],
			parameters: uploadParameters('cancel/cancel.bin'),
			cancelAfter: (cancel) => {
				proxy.onBlockStaged = (staged) => {
					if (staged === 1) cancel();
				};
			},
		});
		expect(result.run.status).toBe('canceled');
		// n8n reports the cancel at once; wait until the node itself has returned.
		await nodeRuns.settled();
	} finally {
		nodeRuns.stop();
	}
	expect(nodeRuns.runs).toHaveLength(1);
	await expect(nodeRuns.runs[0]).rejects.toThrow(/cancel/i);

	// At most the blocks already in flight when the cancel came (1 staged + 2 parallel) went out.
	expect(putBlocks().length).toBeLessThanOrEqual(3);
	expect(commits()).toHaveLength(0);
	expect(await blobExists('cancel/cancel.bin')).toBe(false);
	// The source file in n8n's store was closed.
	expect(watch.streams).toHaveLength(1);
	expect(watch.streams[0].destroyed).toBe(true);
});

test('a block that arrives corrupted is refused by Azure (per-block MD5): no blob exists and the error says how far the upload got', async () => {
	const item = await storedFileItem(content, 'corrupt.bin');
	const { credentials } = sharedKeyFor(proxy.blobEndpoint);
	proxy.setRule(({ method, comp, index }) => (method === 'PUT' && comp === 'block' && index === 5 ? 'corrupt' : undefined));
	// Per-block MD5 is a choice (Integrity Check); the default stores the whole blob's MD5 instead.
	const defaults = uploadParameters('faults/corrupt.bin');
	const parameters = { ...defaults, options: { ...defaults.options, integrity: 'perBlock' } };

	const result = await runNode({ credentials, items: [item], parameters });

	expect(result.error).toBeDefined();
	expect(String(result.error?.message)).toMatch(/MD5/i);
	const progress = /Nothing was committed: (\d+) blocks \((\d+) bytes\) had been staged/.exec(String(result.error?.description));
	expect(progress).not.toBeNull();
	const [stagedBlocks, stagedBytes] = [Number(progress![1]), Number(progress![2])];
	expect(stagedBlocks).toBeGreaterThanOrEqual(4);
	expect(stagedBlocks).toBeLessThan(BLOCKS);
	expect(stagedBytes).toBe(stagedBlocks * MiB);
	expect(putBlocks().find((r) => r.fault === 'corrupt')?.status).toBe(400);
	expect(commits()).toHaveLength(0);
	expect(await blobExists('faults/corrupt.bin')).toBe(false);
});

test('a connection dropped during one block is retried and the blob arrives complete', async () => {
	const item = await storedFileItem(content, 'dropped.bin');
	const { credentials } = sharedKeyFor(proxy.blobEndpoint);
	proxy.setRule(({ method, comp, index }) => (method === 'PUT' && comp === 'block' && index === 3 ? 'drop' : undefined));

	const result = await runNode({ credentials, items: [item], parameters: uploadParameters('faults/dropped.bin') });

	expect(result.error).toBeUndefined();
	expect(result.items[0].json).toMatchObject({ size: FILE_SIZE, blocks: BLOCKS });
	const puts = putBlocks();
	const dropped = puts.find((r) => r.fault === 'drop')!;
	expect(puts.filter((r) => r.fault === 'drop')).toHaveLength(1);
	// The dropped block was sent again and taken; every block was taken once or more. (On a loaded
	// machine Azurite sometimes resets a kept-alive connection too: one more retried block then.)
	expect(puts.some((r) => r.url === dropped.url && r.at > dropped.at && r.status === 201)).toBe(true);
	expect(new Set(puts.filter((r) => r.status === 201).map((r) => r.url)).size).toBe(BLOCKS);
	expect(puts.length).toBeGreaterThanOrEqual(BLOCKS + 1);
	expect(puts.length).toBeLessThanOrEqual(BLOCKS + 3);
	const blob = sdk().getContainerClient(container).getBlobClient('faults/dropped.bin');
	expect(sha256(await blob.downloadToBuffer())).toBe(sha256(content));
});

test('a block that keeps failing with HTTP 500 ends the upload after the retries: no blob exists and the error says how far it got', async () => {
	const item = await storedFileItem(content.subarray(0, 6 * MiB), 'failing.bin');
	const { credentials } = sharedKeyFor(proxy.blobEndpoint);
	// Put Blocks are counted across tries, so every try of the 4th block onwards fails.
	proxy.setRule(({ method, comp, index }) => (method === 'PUT' && comp === 'block' && index >= 4 ? 'error500' : undefined));

	const result = await runNode({ credentials, items: [item], parameters: uploadParameters('faults/failing.bin') });

	expect(result.error).toBeDefined();
	expect(result.error?.httpCode).toBe('500');
	expect(String(result.error?.description)).toMatch(/Nothing was committed: 3 blocks \(3145728 bytes\) had been staged/);
	expect(commits()).toHaveLength(0);
	expect(await blobExists('faults/failing.bin')).toBe(false);
}, 40_000);
