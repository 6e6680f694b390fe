/**
 * The pieces under the upload and download paths, as plain functions: blocks filled in place in
 * reused buffers (no more buffers than asked for, bytes in order), and the download stage that
 * hands on 1 MiB chunks and fails at the end on an MD5 mismatch without passing on the rest.
 */
import { createHash, randomBytes } from 'crypto';
import { Readable, Writable } from 'stream';
import { pipeline } from 'stream/promises';

import { BlockPool, IntegrityError, pooledBlocksOf, verifyingStream } from '../../nodes/AzureBlobStorage/transport/transfer';

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

async function collect(stream: Readable): Promise<Buffer[]> {
	const chunks: Buffer[] = [];
	await pipeline(
		stream,
		new Writable({
			write(chunk: Buffer, _encoding, callback) {
				chunks.push(Buffer.from(chunk));
				callback();
			},
		}),
	);
	return chunks;
}

function network(content: Buffer, piece: number): Readable {
	return Readable.from(
		(function* () {
			for (let offset = 0; offset < content.length; offset += piece) yield content.subarray(offset, offset + piece);
		})(),
	);
}

test('a download arriving in 16 KiB pieces is handed on in chunks of the chunk size, identical, with its MD5', async () => {
	const content = randomBytes(300_000);
	const md5 = createHash('md5').update(content).digest();
	const { stream, md5: digest } = verifyingStream(network(content, 16 * 1024), { expectedMD5: md5 }, 'b', 64 * 1024);
	const chunks = await collect(stream);
	expect(chunks.map((c) => c.length)).toEqual([65536, 65536, 65536, 65536, 300_000 - 4 * 65536]);
	expect(Buffer.concat(chunks).equals(content)).toBe(true);
	expect(digest()).toBe(md5.toString('base64'));
});

test('a mismatch fails the stream at its end with an IntegrityError, and the last partial chunk is not passed on', async () => {
	const content = randomBytes(100_000);
	const wrong = createHash('md5').update('other').digest();
	const { stream } = verifyingStream(network(content, 10_000), { expectedMD5: wrong }, 'b', 64 * 1024);
	const received: Buffer[] = [];
	stream.on('data', (chunk: Buffer) => received.push(chunk));
	await expect(new Promise((resolve, reject) => stream.on('end', resolve).on('error', reject))).rejects.toBeInstanceOf(IntegrityError);
	expect(received.reduce((n, c) => n + c.length, 0)).toBe(64 * 1024);
});
