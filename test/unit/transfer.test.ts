import { Readable } from 'stream';

import {
	blockId,
	blocksOf,
	chooseBlockSize,
	DEFAULT_BLOCK_SIZE,
	MAX_BLOCK_SIZE,
	MAX_BLOCKS,
	MiB,
} from '../../nodes/AzureBlobStorage/transport/transfer';

const GiB = 1024 * MiB;
const TiB = 1024 * GiB;

describe('chooseBlockSize', () => {
	test('keeps the requested block size when the file fits in 50,000 blocks of it', () => {
		expect(chooseBlockSize(8 * MiB, 100 * GiB)).toBe(8 * MiB);
		expect(chooseBlockSize(8 * MiB, 8 * MiB * MAX_BLOCKS)).toBe(8 * MiB);
		expect(chooseBlockSize(4 * MiB)).toBe(4 * MiB);
	});

	test('raises the block size for a declared 1 TiB file so it fits in 50,000 blocks (whole MiB)', () => {
		const size = chooseBlockSize(8 * MiB, 1 * TiB);
		expect(size).toBe(21 * MiB); // 1 TiB / 50,000 = 20.97 MiB
		expect(Math.ceil(TiB / size)).toBeLessThanOrEqual(MAX_BLOCKS);
	});

	test('raises by the smallest whole MiB that fits, one byte over the limit included', () => {
		const size = chooseBlockSize(8 * MiB, 8 * MiB * MAX_BLOCKS + 1);
		expect(size).toBe(9 * MiB);
	});

	test('caps the block size at Azure\'s 4000 MiB per block', () => {
		expect(chooseBlockSize(8 * MiB, 400 * TiB)).toBe(MAX_BLOCK_SIZE);
		expect(chooseBlockSize(5000 * MiB)).toBe(MAX_BLOCK_SIZE);
	});

	test('falls back to the default for a block size an expression turned into 0, a negative number or NaN', () => {
		expect(chooseBlockSize(0)).toBe(DEFAULT_BLOCK_SIZE);
		expect(chooseBlockSize(-4 * MiB)).toBe(DEFAULT_BLOCK_SIZE);
		expect(chooseBlockSize(Number.NaN, 10 * MiB)).toBe(DEFAULT_BLOCK_SIZE);
	});
});

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer[]> {
	const out: Buffer[] = [];
	for await (const block of source) out.push(block);
	return out;
}

describe('blocksOf', () => {
	const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

	test('cuts a stream of odd-sized chunks into blocks of exactly the block size, the last one shorter, in order', async () => {
		const chunks = [data.subarray(0, 7), data.subarray(7, 300), data.subarray(300, 301), data.subarray(301)];
		const blocks = await collect(blocksOf(Readable.from(chunks), 128));
		expect(blocks.map((b) => b.length)).toEqual([...Array(7).fill(128), 1000 - 7 * 128]);
		expect(Buffer.concat(blocks).equals(data)).toBe(true);
	});

	test('yields nothing for an empty stream and one block for exactly one block of content', async () => {
		expect(await collect(blocksOf(Readable.from([]), 128))).toHaveLength(0);
		const one = await collect(blocksOf(Readable.from([data.subarray(0, 100), data.subarray(100, 128)]), 128));
		expect(one.map((b) => b.length)).toEqual([128]);
	});

	test('accepts string chunks', async () => {
		const blocks = await collect(blocksOf(Readable.from(['abc', 'defg']), 3));
		expect(blocks.map((b) => b.toString())).toEqual(['abc', 'def', 'g']);
	});

	test('reads the source only as far as the blocks asked for', async () => {
		let produced = 0;
		async function* source() {
			for (let i = 0; i < 100; i++) {
				produced += 1;
				yield Buffer.alloc(10);
			}
		}
		const blocks = blocksOf(source(), 20);
		await blocks.next();
		await blocks.return(undefined);
		expect(produced).toBe(2);
	});
});

test('block ids all have the same length, as Azure requires', () => {
	const lengths = new Set([0, 9, 49_999].map((i) => Buffer.from(blockId(i), 'base64').length));
	expect(lengths.size).toBe(1);
	expect(blockId(1)).not.toBe(blockId(2));
});
