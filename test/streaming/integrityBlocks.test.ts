/**
 * The pieces under the upload path, as plain functions: blocks filled in place in reused buffers
 * (no more buffers than asked for, bytes in order).
 */
import { randomBytes } from 'crypto';
import { Readable } from 'stream';

import { BlockPool, pooledBlocksOf } from '../../nodes/AzureBlobStorage/transport/transfer';

const data = randomBytes(1000);
const oddChunks = () => Readable.from([data.subarray(0, 7), data.subarray(7, 300), data.subarray(300, 301), data.subarray(301)]);

test('blocks are cut from odd-sized chunks in order, and with each given back after use one buffer serves them all', async () => {
	const pool = new BlockPool(128, 1);
	const seen = new Set<ArrayBufferLike>();
	const copies: Buffer[] = [];
	for await (const block of pooledBlocksOf(oddChunks(), pool)) {
		seen.add(block.buffer);
		copies.push(Buffer.from(block));
		pool.give(block);
	}
	expect(copies.map((b) => b.length)).toEqual([...Array(7).fill(128), 1000 - 7 * 128]);
	expect(Buffer.concat(copies).equals(data)).toBe(true);
	// One buffer reused for every block (the pool keeps one).
	expect(seen.size).toBe(1);
});

test('a block not given back is never handed out again while it is held', async () => {
	const pool = new BlockPool(100, 3);
	const held: Buffer[] = [];
	for await (const block of pooledBlocksOf(Readable.from([data]), pool)) held.push(block);
	expect(new Set(held.map((b) => b.buffer)).size).toBe(10);
	expect(Buffer.concat(held).equals(data)).toBe(true);
});
