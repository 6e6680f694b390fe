/**
 * Streaming transfers. Uploads read the source once, in order, cut it into blocks (filled in
 * place, in at most concurrency + 1 reused buffers), stage up to `concurrency` blocks at a time
 * and commit the block list only at the end, so a failure or a cancel leaves no partial blob.
 * Memory stays at about (concurrency + 1) x blockSize whatever the file size. What is hashed
 * (each block's MD5 for Azure to verify, the whole blob's for its Content-MD5) is the caller's
 * choice (`UploadIntegrity`). Downloads pass the SDK's resuming stream through one stage that
 * checks the MD5 and hands on large chunks.
 */
import { createHash, randomBytes } from 'crypto';
import { read, ReadStream } from 'fs';
import type { Readable } from 'stream';
import { pipeline, Transform } from 'stream';

import { BODY_PIECE, mayBeOwnEarlierTry } from './policies';
import type {
	BlobClient,
	BlobHTTPHeaders,
	BlobRequestConditions,
	BlockBlobClient,
	BlockBlobTier,
	BlockBlobUploadOptions,
	Metadata,
	Tags,
} from '@azure/storage-blob';

export const MiB = 1024 * 1024;
export const MAX_BLOCKS = 50_000;
export const MAX_BLOCK_SIZE = 4000 * MiB;
export const DEFAULT_BLOCK_SIZE = 8 * MiB;
export const DEFAULT_CONCURRENCY = 4;
export const MAX_CONCURRENCY = 64;

/**
 * The block size to use: the requested one, raised so the blob fits in 50,000 blocks when the
 * size is known (rounded up to whole MiB), capped at Azure's 4000 MiB per block.
 */
export function chooseBlockSize(requested: number, totalSize?: number): number {
	// An expression can hand over 0, a negative number or NaN: fall back to the default.
	let size = Number.isFinite(requested) && requested >= 1 ? Math.floor(requested) : DEFAULT_BLOCK_SIZE;
	if (totalSize !== undefined && totalSize > size * MAX_BLOCKS) {
		size = Math.ceil(totalSize / MAX_BLOCKS / MiB) * MiB;
	}
	return Math.min(size, MAX_BLOCK_SIZE);
}

/**
 * Block ids must all have the same length (also across uploads to the same blob name, whose
 * uncommitted blocks Azure keeps for a week): base64 of a 6-character prefix and a zero-padded
 * counter, 14 bytes. Uploads pass a random prefix so their committed block list identifies them.
 */
export function blockId(index: number, prefix = 'block-'): string {
	return Buffer.from(`${prefix}${String(index).padStart(8, '0')}`).toString('base64');
}

/** A prefix for block ids that no other upload uses (36 random bits, 6 characters). */
function uploadPrefix(): string {
	return randomBytes(6).toString('base64url').slice(0, 6);
}

/**
 * What an upload hashes. 'perBlock': each block's MD5 travels with it and Azure refuses a block
 * that arrived damaged. 'wholeBlob': the MD5 of the whole content is stored as the blob's
 * Content-MD5, which later downloads check. 'both': the two (two passes over every byte).
 * 'none': nothing. Content sent in one request carries one MD5 that is both at once.
 */
export type UploadIntegrity = 'perBlock' | 'wholeBlob' | 'both' | 'none';
export const UPLOAD_INTEGRITY_CHOICES: readonly UploadIntegrity[] = ['wholeBlob', 'perBlock', 'both', 'none'];
export const DEFAULT_UPLOAD_INTEGRITY: UploadIntegrity = 'wholeBlob';

/** Which MD5 passes an integrity choice asks for. */
export function integrityPasses(integrity: UploadIntegrity = DEFAULT_UPLOAD_INTEGRITY): { perBlock: boolean; wholeBlob: boolean } {
	return { perBlock: integrity === 'perBlock' || integrity === 'both', wholeBlob: integrity === 'wholeBlob' || integrity === 'both' };
}

/**
 * Block buffers for one transfer, reused: a block is filled in place and its buffer goes back to
 * the pool once its request is over, so a large upload allocates (and the garbage collector
 * frees) `capacity` buffers, not one per block. Never blocks: should more be asked for than
 * `capacity` it allocates, and keeps at most `capacity` for reuse.
 */
export class BlockPool {
	private readonly free: Buffer[] = [];

	constructor(
		readonly blockSize: number,
		private readonly capacity: number,
	) {}

	take(): Buffer {
		return this.free.pop() ?? Buffer.allocUnsafeSlow(this.blockSize);
	}

	/** Gives a buffer (or a view of one from `take`) back once nothing reads it any more. */
	give(block: Buffer): void {
		const whole = block.byteOffset === 0 && block.buffer.byteLength === this.blockSize ? Buffer.from(block.buffer, 0, this.blockSize) : undefined;
		if (whole && this.free.length < this.capacity) this.free.push(whole);
	}
}

/**
 * Like `blocksOf`, but fills buffers from `pool` in place (one copy per byte, no concatenation);
 * each yielded block is a view of a pool buffer that the caller gives back when done with it.
 */
export async function* pooledBlocksOf(source: AsyncIterable<Buffer | string>, pool: BlockPool): AsyncGenerator<Buffer> {
	const size = pool.blockSize;
	let block: Buffer | undefined;
	let length = 0;
	for await (const chunk of source) {
		const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
		let offset = 0;
		while (offset < buffer.length) {
			block ??= pool.take();
			const take = Math.min(size - length, buffer.length - offset);
			buffer.copy(block, length, offset, offset + take);
			length += take;
			offset += take;
			if (length === size) {
				const full = block;
				block = undefined;
				length = 0;
				yield full;
			}
		}
	}
	if (block && length > 0) yield block.subarray(0, length);
}

/** Yields buffers of exactly `size` bytes (the last one may be shorter) from a stream. */
export async function* blocksOf(source: AsyncIterable<Buffer | string>, size: number): AsyncGenerator<Buffer> {
	let parts: Buffer[] = [];
	let length = 0;
	for await (const chunk of source) {
		let buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
		while (buffer.length > 0) {
			const take = Math.min(size - length, buffer.length);
			parts.push(take === buffer.length ? buffer : buffer.subarray(0, take));
			length += take;
			buffer = buffer.subarray(take);
			if (length === size) {
				yield parts.length === 1 ? parts[0] : Buffer.concat(parts, length);
				parts = [];
				length = 0;
			}
		}
	}
	if (length > 0) yield parts.length === 1 ? parts[0] : Buffer.concat(parts, length);
}

/** Reads into `buffer` at `offset` up to `length` bytes of the file from `position`; 0 at the end. */
type ReadAt = (buffer: Buffer, offset: number, length: number, position: number) => Promise<number>;

/**
 * When `stream` is a file stream over an open file that has not started reading (what n8n's
 * filesystem binary store hands out), a way to read that file at given positions. The stream
 * itself is left unread and still owns (and closes) the file; once it is destroyed (a cancel)
 * nothing more is read through its descriptor.
 */
function fileReader(stream: Readable): ReadAt | undefined {
	if (!(stream instanceof ReadStream)) return undefined;
	const file = stream as ReadStream & { fd?: unknown; start?: number; end?: number };
	if (file.destroyed || file.bytesRead !== 0 || file.readableFlowing || file.readableLength > 0) return undefined;
	if ((file.start ?? 0) !== 0 || (file.end !== undefined && file.end !== Number.POSITIVE_INFINITY)) return undefined;
	const fd = file.fd;
	if (typeof fd !== 'number' || fd < 0) return undefined;
	return async (buffer, offset, length, position) =>
		await new Promise<number>((resolve, reject) => {
			if (file.destroyed) return reject(new Error('The source file was closed'));
			read(fd, buffer, offset, length, position, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead)));
		});
}

/** Blocks read from a file straight into pool buffers: one read per block, no chunk in between. */
async function* fileBlocks(read: ReadAt, pool: BlockPool): AsyncGenerator<Buffer> {
	let position = 0;
	for (;;) {
		const block = pool.take();
		let filled = 0;
		while (filled < block.length) {
			const bytes = await read(block, filled, block.length - filled, position + filled);
			if (bytes === 0) break;
			filled += bytes;
		}
		position += filled;
		if (filled === 0) {
			pool.give(block);
			return;
		}
		yield filled === block.length ? block : block.subarray(0, filled);
		if (filled < block.length) return;
	}
}

/**
 * The blocks of a stream in buffers of `pool`, each given back by the caller once sent: read
 * straight from the file when the stream is one of n8n's filesystem store (no 1 MiB chunk
 * allocated per read, which made garbage collection a large part of an upload's CPU), otherwise
 * copied from the stream's chunks.
 */
export function streamBlocks(stream: Readable, pool: BlockPool): AsyncGenerator<Buffer> {
	const read = fileReader(stream);
	return read ? fileBlocks(read, pool) : pooledBlocksOf(stream, pool);
}

export interface UploadOptions {
	blobHTTPHeaders: BlobHTTPHeaders;
	metadata?: Metadata;
	tags?: Tags;
	tier?: BlockBlobTier | string;
	conditions?: BlobRequestConditions;
	blockSize?: number;
	concurrency?: number;
	/** What is hashed; see `UploadIntegrity`. Default: 'wholeBlob'. */
	integrity?: UploadIntegrity;
	abortSignal?: AbortSignal;
	onProgress?: (uploadedBytes: number) => void;
}

export interface UploadSource {
	/** Whole content in memory (inline binary data or text). */
	buffer?: Buffer;
	/** Streamed content (binary data kept on disk by n8n). */
	stream?: Readable;
	/** Size when known; used to choose the block size. */
	size?: number;
}

export interface UploadResult {
	etag?: string;
	lastModified?: Date;
	/** The MD5 stored as the blob's Content-MD5 (base64), when one was computed. */
	contentMD5?: string;
	size: number;
	blocks: number;
	requestId?: string;
}

/** Thrown when a block upload fails part-way; says how far it got. Keeps the Azure error as cause. */
export class PartialUploadError extends Error {
	constructor(
		readonly cause: unknown,
		readonly uploadedBytes: number,
		readonly stagedBlocks: number,
	) {
		super(`Upload failed after ${uploadedBytes} bytes in ${stagedBlocks} blocks; nothing was committed`);
	}
}

function abortError(): Error {
	const error = new Error('The upload was cancelled');
	error.name = 'AbortError';
	return error;
}

function md5(data: Buffer): Buffer {
	return createHash('md5').update(data).digest();
}

/** How to tell that the blob as it is now was written by this upload. */
interface OwnWrite {
	/** The Content-MD5 this upload stored. */
	digest?: Buffer;
	/** The block ids this upload committed (unique to it: random prefix). */
	blockIds?: string[];
}

/** The blob's properties when it is, as it is now, what this upload wrote; undefined otherwise. */
async function ownWriteProperties(client: BlockBlobClient, own: OwnWrite, options: UploadOptions) {
	if (own.digest) {
		const properties = await client.getProperties({ abortSignal: options.abortSignal });
		return properties.contentMD5 && Buffer.from(properties.contentMD5).equals(own.digest) ? properties : undefined;
	}
	if (own.blockIds) {
		const ids = own.blockIds;
		const list = await client.getBlockList('committed', { abortSignal: options.abortSignal });
		const committed = list.committedBlocks ?? [];
		if (committed.length !== ids.length || !committed.every((block, i) => block.name === ids[i])) return undefined;
		return await client.getProperties({ abortSignal: options.abortSignal });
	}
	return undefined;
}

/**
 * A conditional write (If-None-Match: * or If-Match) whose answer was lost is retried, and the
 * retry is refused (409/412) because the first try did write. When the blob now holds exactly
 * what this upload sent (same Content-MD5, or the same committed block ids, which are unique to
 * this upload), that refusal is this upload's own success. A single-request upload without any
 * MD5 (integrity 'none') cannot be recognised: the refusal is reported.
 */
async function ownEarlierWrite<T extends { etag?: string; lastModified?: Date; requestId?: string }>(
	client: BlockBlobClient,
	own: OwnWrite,
	options: UploadOptions,
	write: () => Promise<T>,
): Promise<T> {
	try {
		return await write();
	} catch (error) {
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the router translates it
		if (!mayBeOwnEarlierTry(error, 409, 412)) throw error;
		const properties = await ownWriteProperties(client, own, options);
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the router translates it
		if (!properties) throw error;
		return { etag: properties.etag, lastModified: properties.lastModified, requestId: properties.requestId } as T;
	}
}

async function uploadInOneRequest(client: BlockBlobClient, data: Buffer, options: UploadOptions): Promise<UploadResult> {
	// One request: its Content-MD5 is verified by Azure on receipt and stored as the blob's, so
	// any choice but 'none' is one pass and gets both.
	const digest = options.integrity === 'none' ? undefined : md5(data);
	const response = await ownEarlierWrite(client, { digest }, options, async () =>
		await client.upload(data, data.length, {
			// Content-MD5, checked by Azure on receipt (the SDK passes it on; its type leaves it out),
			// and x-ms-blob-content-md5, stored.
			transactionalContentMD5: digest,
			blobHTTPHeaders: { ...options.blobHTTPHeaders, blobContentMD5: digest },
			metadata: options.metadata,
			tags: options.tags,
			tier: options.tier,
			conditions: options.conditions,
			abortSignal: options.abortSignal,
		} as BlockBlobUploadOptions & { transactionalContentMD5?: Uint8Array }),
	);
	options.onProgress?.(data.length);
	return {
		etag: response.etag,
		lastModified: response.lastModified,
		contentMD5: digest?.toString('base64'),
		size: data.length,
		blocks: 0,
		requestId: response.requestId,
	};
}

async function uploadInBlocks(
	client: BlockBlobClient,
	blocks: AsyncIterable<Buffer>,
	options: UploadOptions,
	concurrency: number,
	destroySource: () => void,
	pool?: BlockPool,
): Promise<UploadResult> {
	const passes = integrityPasses(options.integrity);
	const whole = passes.wholeBlob ? createHash('md5') : undefined;
	const prefix = uploadPrefix();
	const ids: string[] = [];
	const inFlight = new Set<Promise<void>>();
	const conditions = options.conditions?.leaseId ? { leaseId: options.conditions.leaseId } : undefined;
	let uploadedBytes = 0;
	let stagedBlocks = 0;
	let failure: unknown;

	const stage = (id: string, block: Buffer) => {
		const promise = client
			// Put Block needs the lease ID too when the blob is leased.
			.stageBlock(id, block, block.length, {
				transactionalContentMD5: passes.perBlock ? md5(block) : undefined,
				conditions,
				abortSignal: options.abortSignal,
			})
			.then(
				() => {
					uploadedBytes += block.length;
					stagedBlocks += 1;
					options.onProgress?.(uploadedBytes);
					// The request (retries included) is over: the buffer can take the next block.
					pool?.give(block);
				},
				(error: unknown) => {
					// Not reused after a failure: a cut request's socket may still hold slices of it.
					failure ??= error;
				},
			)
			.finally(() => inFlight.delete(promise));
		inFlight.add(promise);
	};

	try {
		for await (const block of blocks) {
			if (failure) break;
			whole?.update(block);
			const id = blockId(ids.length, prefix);
			ids.push(id);
			if (ids.length > MAX_BLOCKS) {
				throw new Error(`The content needs more than ${MAX_BLOCKS} blocks; raise "Block Size (MiB)"`);
			}
			stage(id, block);
			while (inFlight.size >= concurrency) await Promise.race(inFlight);
			// Stop before reading another block from the source once a block has failed.
			if (failure) break;
		}
	} catch (error) {
		failure ??= error;
	}
	if (failure) destroySource();
	await Promise.all(inFlight);
	if (failure) {
		// A cancel surfaces as whatever broke first (often the destroyed source stream); report
		// it as the cancel it is.
		const cause = options.abortSignal?.aborted ? abortError() : failure;
		throw new PartialUploadError(cause, uploadedBytes, stagedBlocks);
	}

	const digest = whole?.digest();
	const response = await ownEarlierWrite(client, { digest, blockIds: ids }, options, async () =>
		await client.commitBlockList(ids, {
			blobHTTPHeaders: { ...options.blobHTTPHeaders, blobContentMD5: digest },
			metadata: options.metadata,
			tags: options.tags,
			tier: options.tier,
			conditions: options.conditions,
			abortSignal: options.abortSignal,
		}),
	);
	return {
		etag: response.etag,
		lastModified: response.lastModified,
		contentMD5: digest?.toString('base64'),
		size: uploadedBytes,
		blocks: ids.length,
		requestId: response.requestId,
	};
}

/** Parallel block uploads: the requested number, bounded whatever a caller passes (each holds a block). */
function boundedConcurrency(requested: number | undefined): number {
	const value = requested ?? DEFAULT_CONCURRENCY;
	return Number.isInteger(value) && value >= 1 ? Math.min(value, MAX_CONCURRENCY) : DEFAULT_CONCURRENCY;
}

/**
 * Uploads a buffer or stream as a block blob. Content of at most one block goes up in one
 * request; larger content is staged in blocks and committed at the end.
 */
export async function uploadBlob(client: BlockBlobClient, source: UploadSource, options: UploadOptions): Promise<UploadResult> {
	const blockSize = chooseBlockSize(options.blockSize ?? DEFAULT_BLOCK_SIZE, source.size ?? source.buffer?.length);
	if (source.buffer) {
		if (source.buffer.length <= blockSize) return await uploadInOneRequest(client, source.buffer, options);
		const buffer = source.buffer;
		async function* slices() {
			for (let offset = 0; offset < buffer.length; offset += blockSize) yield buffer.subarray(offset, offset + blockSize);
		}
		return await uploadInBlocks(client, slices(), options, boundedConcurrency(options.concurrency), () => {});
	}
	const stream = source.stream;
	if (!stream) throw new Error('uploadBlob needs a buffer or a stream');
	const onAbort = () => stream.destroy();
	options.abortSignal?.addEventListener('abort', onAbort, { once: true });
	const concurrency = boundedConcurrency(options.concurrency);
	// Blocks in flight plus the one being filled: the most the loop below ever holds. Content
	// known to fit in one block is read as it comes (a buffer of the block size for a small file
	// would be mostly garbage).
	const pool = source.size !== undefined && source.size <= blockSize ? undefined : new BlockPool(blockSize, concurrency + 1);
	const blocks = pool ? streamBlocks(stream, pool) : blocksOf(stream, blockSize);
	try {
		const first = await blocks.next();
		if (first.done) return await uploadInOneRequest(client, Buffer.alloc(0), options);
		const second = await blocks.next();
		if (second.done) return await uploadInOneRequest(client, first.value, options);
		async function* all(): AsyncGenerator<Buffer> {
			yield first.value as Buffer;
			yield second.value as Buffer;
			yield* blocks;
		}
		// Destroyed without an error: nothing listens for 'error' on the source any more, and an
		// unhandled 'error' event would take the whole n8n process down.
		return await uploadInBlocks(client, all(), options, concurrency, () => stream.destroy(), pool);
	} finally {
		options.abortSignal?.removeEventListener('abort', onAbort);
		if (options.abortSignal?.aborted) stream.destroy();
		// Ends a reader left part-way (a failure before all blocks were asked for).
		await blocks.return(undefined);
	}
}

export interface DownloadOptions {
	offset?: number;
	count?: number;
	/** E.g. { ifMatch } to pin the download to one version of the blob. */
	conditions?: BlobRequestConditions;
	abortSignal?: AbortSignal;
}

/** Downloaded bytes that do not match the blob's Content-MD5: the content is not used. */
export class IntegrityError extends Error {
	constructor(
		message: string,
		readonly description: string,
	) {
		super(message);
		this.name = 'IntegrityError';
	}
}

export interface DownloadIntegrity {
	/** The MD5 the bytes must have (the blob's Content-MD5, for a whole-blob download). */
	expectedMD5?: Uint8Array;
	/** Whether to compute the MD5 of what arrived even when there is nothing to compare it with. */
	computeMD5?: boolean;
}

/**
 * Starts a download and returns the body stream plus the blob's properties from the response.
 * A lost connection is resumed from where it stopped (ranged requests pinned to the ETag). Pass
 * the body through `verifyingStream` to check it against the blob's Content-MD5.
 */
export async function downloadBlob(client: BlobClient, options: DownloadOptions = {}) {
	const response = await client.download(options.offset ?? 0, options.count, {
		abortSignal: options.abortSignal,
		conditions: options.conditions,
		maxRetryRequests: 5,
	});
	const body = response.readableStreamBody as Readable | undefined;
	if (!body) throw new Error('Azure returned no body for the download');
	return { stream: body, response };
}

/**
 * Size of the chunks handed on by `verifyingStream`. A download arrives in 16-64 KiB pieces, and
 * n8n's filesystem store writes each piece it gets with its own system call; 1 MiB pieces cut
 * that (and the hashing calls) by 16-64x. The timeout policy already gathers a body into pieces of
 * this size from its start, which then pass through uncopied: the two must stay the same size.
 */
export const DOWNLOAD_CHUNK = BODY_PIECE;

/**
 * Passes a download through in chunks of `chunkSize` (the last one shorter), hashing them when
 * asked; fails at the end, without passing on the last chunk, when the bytes do not match
 * `expectedMD5`, so a reader (n8n's binary store) never completes a corrupted file. Holds at
 * most the chunk being filled plus the one waiting for the reader (backpressure).
 */
export function verifyingStream(
	source: Readable,
	integrity: DownloadIntegrity,
	blobName: string,
	chunkSize = DOWNLOAD_CHUNK,
): { stream: Readable; md5: () => string | undefined } {
	const hash = integrity.expectedMD5?.length || integrity.computeMD5 ? createHash('md5') : undefined;
	let digest: string | undefined;
	const expected = integrity.expectedMD5?.length ? Buffer.from(integrity.expectedMD5).toString('base64') : undefined;
	let pending: Buffer | undefined;
	let filled = 0;
	const coalescer = new Transform({
		// Chunks are handed on one by one as they are (in byte mode a reader's read() joins all
		// buffered chunks into one new buffer: a copy more), and one waits for the reader before
		// the source is paused.
		readableObjectMode: true,
		readableHighWaterMark: 1,
		transform(chunk: Buffer, _encoding, callback) {
			let offset = 0;
			// A chunk arriving at a boundary that fills whole chunks by itself goes on uncopied.
			while (filled === 0 && chunk.length - offset >= chunkSize) {
				const piece = chunk.subarray(offset, offset + chunkSize);
				hash?.update(piece);
				this.push(piece);
				offset += chunkSize;
			}
			while (offset < chunk.length) {
				pending ??= Buffer.allocUnsafeSlow(chunkSize);
				const copied = chunk.copy(pending, filled, offset, Math.min(chunk.length, offset + chunkSize - filled));
				filled += copied;
				offset += copied;
				if (filled === chunkSize) {
					// The full buffer is handed on and belongs to the reader now; a new one is filled next.
					hash?.update(pending);
					this.push(pending);
					pending = undefined;
					filled = 0;
				}
			}
			callback();
		},
		flush(callback) {
			const rest = pending && filled > 0 ? pending.subarray(0, filled) : undefined;
			if (rest) hash?.update(rest);
			digest = hash?.digest('base64');
			if (expected && digest !== expected) {
				callback(
					new IntegrityError(
						`The downloaded content of blob "${blobName}" does not match its Content-MD5; it was not used`,
						`Azure stores the MD5 ${expected} for this blob; the bytes received hash to ${digest}. The data was damaged on the way (a proxy or network fault) or the blob's Content-MD5 property is wrong. Run the download again; if it keeps failing, check the blob's Content-MD5.`,
					),
				);
				return;
			}
			callback(null, rest);
		},
	});
	pipeline(source, coalescer, () => undefined);
	return { stream: coalescer, md5: () => digest };
}

/**
 * A download's body as n8n's binary store should take it: checked (see `verifyingStream`) and in
 * 1 MiB chunks, or one chunk of the blob's size when it is smaller (a 1 MiB buffer per 4 KiB blob
 * made garbage collection a large part of the CPU of a run over many small blobs). A blob of one
 * chunk or less comes back as one checked buffer: n8n's store writes a buffer in one call, where a
 * stream costs it a pipeline and a stat per file. Rejects as the check does (IntegrityError).
 */
export async function storableContent(
	body: Readable,
	size: number,
	integrity: DownloadIntegrity,
	blobName: string,
): Promise<{ content: Buffer | Readable; md5: () => string | undefined }> {
	const chunkSize = size > 0 ? Math.min(DOWNLOAD_CHUNK, size) : DOWNLOAD_CHUNK;
	const { stream, md5 } = verifyingStream(body, integrity, blobName, chunkSize);
	if (!(size > 0 && size <= DOWNLOAD_CHUNK)) return { content: stream, md5 };
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk as Buffer);
	return { content: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), md5 };
}
