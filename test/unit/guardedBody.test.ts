import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { PassThrough } from 'stream';
import type { Readable } from 'stream';

import { BODY_PIECE, RequestTimeoutError, requestTimeoutPolicy } from '../../nodes/AzureBlobStorage/transport/policies';

const KiB = 1024;

/** A streamed GET through the timeout policy, answered with `source` as the body. */
async function guarded(source: PassThrough, headers: Record<string, string>, requestTimeoutMs = 30_000): Promise<Readable> {
	const policy = requestTimeoutPolicy({ requestTimeoutMs, maxRetries: 0 });
	const request = {
		url: 'https://account.blob.core.windows.net/c/blob.bin',
		method: 'GET',
		headers: createHttpHeaders(),
		streamResponseStatusCodes: new Set([200, 206]),
	};
	const response = await policy.sendRequest(request, async (sent) => ({
		status: 200,
		headers: createHttpHeaders(headers),
		request: sent,
		readableStreamBody: source,
	}));
	return response.readableStreamBody as Readable;
}

function pattern(size: number): Buffer {
	const data = Buffer.alloc(size);
	for (let i = 0; i < size; i++) data[i] = (i * 31 + (i >> 12)) & 0xff;
	return data;
}

/** Feeds `data` to `source` in `chunk`-sized writes (as a TLS socket hands a body on), then ends it. */
function feed(source: PassThrough, data: Buffer, chunk: number): void {
	for (let offset = 0; offset < data.length; offset += chunk) source.write(data.subarray(offset, offset + chunk));
	source.end();
}

/** The pieces as the reader gets them ('data' events: an iterator's read() would join buffered ones). */
async function pieces(body: Readable): Promise<Buffer[]> {
	const all: Buffer[] = [];
	body.on('data', (piece: Buffer) => all.push(piece));
	await new Promise((resolve, reject) => body.once('end', resolve).once('error', reject));
	return all;
}

describe('download bodies through the timeout policy', () => {
	test('a body of known length arriving in 16 KiB pieces is handed on in 1 MiB pieces, the last one shorter, bytes unchanged', async () => {
		const data = pattern(2 * BODY_PIECE + 100 * KiB + 7);
		const source = new PassThrough();
		const body = await guarded(source, { 'content-length': String(data.length) });
		feed(source, data, 16 * KiB);
		const got = await pieces(body);
		expect(got.map((piece) => piece.length)).toEqual([BODY_PIECE, BODY_PIECE, 100 * KiB + 7]);
		expect(Buffer.concat(got).equals(data)).toBe(true);
	});

	test('a body that breaks off part-way through a piece hands on every byte that arrived before the error (a resume starts there)', async () => {
		const data = pattern(3 * BODY_PIECE);
		const arrived = BODY_PIECE + 300 * KiB;
		const source = new PassThrough();
		const body = await guarded(source, { 'content-length': String(data.length) });
		const got: Buffer[] = [];
		body.on('data', (piece: Buffer) => got.push(piece));
		const failed = new Promise<Error>((resolve) => body.once('error', resolve));
		for (let offset = 0; offset < arrived; offset += 16 * KiB) source.write(data.subarray(offset, Math.min(offset + 16 * KiB, arrived)));
		await new Promise((resolve) => setImmediate(resolve));
		source.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
		await failed;
		expect(Buffer.concat(got).equals(data.subarray(0, arrived))).toBe(true);
	});

	test('a small body gets a buffer of its own size, not of a whole piece', async () => {
		const data = pattern(40 * KiB + 3);
		const source = new PassThrough();
		const body = await guarded(source, { 'content-length': String(data.length) });
		feed(source, data, 16 * KiB);
		const got = await pieces(body);
		expect(got).toHaveLength(1);
		expect(got[0].equals(data)).toBe(true);
		expect(got[0].buffer.byteLength).toBeLessThan(BODY_PIECE);
	});

	test('a body of unknown length, or a compressed one, is handed on as it comes', async () => {
		const cases: Record<string, string>[] = [{}, { 'content-length': '49152', 'content-encoding': 'gzip' }];
		for (const headers of cases) {
			const data = pattern(48 * KiB);
			const source = new PassThrough();
			const body = await guarded(source, headers);
			feed(source, data, 16 * KiB);
			const got = await pieces(body);
			expect(got.map((piece) => piece.length)).toEqual([16 * KiB, 16 * KiB, 16 * KiB]);
			expect(Buffer.concat(got).equals(data)).toBe(true);
		}
	});

	test('a body that ends short hands on what came before it ends', async () => {
		const data = pattern(100 * KiB);
		const source = new PassThrough();
		const body = await guarded(source, { 'content-length': String(BODY_PIECE) });
		feed(source, data, 16 * KiB);
		const got = await pieces(body);
		expect(Buffer.concat(got).equals(data)).toBe(true);
	});

	describe('idle timeout', () => {
		beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
		afterEach(() => jest.useRealTimers());

		test('bytes that keep coming, also while a piece is being filled, are not idle; a stall after them is', async () => {
			const source = new PassThrough();
			const body = await guarded(source, { 'content-length': String(BODY_PIECE) }, 1_000);
			const failure = new Promise<Error>((resolve) => body.once('error', resolve));
			body.on('data', () => undefined);
			// 20 pieces of 16 KiB, 400 ms apart: 8 s in all, none of them a full piece, never 1 s without a byte.
			for (let i = 0; i < 20; i++) {
				source.write(pattern(16 * KiB));
				await new Promise((resolve) => setImmediate(resolve));
				jest.advanceTimersByTime(400);
			}
			expect(body.destroyed).toBe(false);
			jest.advanceTimersByTime(1_000);
			const error = await failure;
			expect(error).toBeInstanceOf(RequestTimeoutError);
			expect(error.message).toMatch(/No data from account\.blob\.core\.windows\.net within 1 s/);
		});
	});
});
