/**
 * Streaming transfers. Uploads read the source once, in order, cut it into blocks, stage up to
 * `concurrency` blocks at a time (each with its MD5 so Azure verifies it) and commit the block
 * list only at the end, so a failure or a cancel leaves no partial blob. Memory stays at about
 * (concurrency + 1) x blockSize whatever the file size. Downloads hand the SDK's resuming stream
 * straight to the caller.
 */
import { createHash } from 'crypto';
import type { Readable } from 'stream';
import { pipeline, Transform } from 'stream';

import { mayBeOwnEarlierTry } from './policies';
import type {
	BlobClient,
	BlobHTTPHeaders,
	BlobRequestConditions,
	BlockBlobClient,
	BlockBlobTier,
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

/** Block ids must all have the same length; base64 of a zero-padded counter. */
export function blockId(index: number): string {
	return Buffer.from(`block-${String(index).padStart(8, '0')}`).toString('base64');
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

export interface UploadOptions {
	blobHTTPHeaders: BlobHTTPHeaders;
	metadata?: Metadata;
	tags?: Tags;
	tier?: BlockBlobTier | string;
	conditions?: BlobRequestConditions;
	blockSize?: number;
	concurrency?: number;
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
	contentMD5: string;
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

/**
 * A conditional write (If-None-Match: * or If-Match) whose answer was lost is retried, and the
 * retry is refused (409/412) because the first try did write. When the blob now holds exactly
 * the bytes this upload sent (same Content-MD5), that refusal is this upload's own success.
 */
async function ownEarlierWrite<T extends { etag?: string; lastModified?: Date; requestId?: string }>(
	client: BlockBlobClient,
	digest: Buffer,
	options: UploadOptions,
	write: () => Promise<T>,
): Promise<T> {
	try {
		return await write();
	} catch (error) {
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the router translates it
		if (!mayBeOwnEarlierTry(error, 409, 412)) throw error;
		const properties = await client.getProperties({ abortSignal: options.abortSignal });
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the router translates it
		if (!properties.contentMD5 || !Buffer.from(properties.contentMD5).equals(digest)) throw error;
		return { etag: properties.etag, lastModified: properties.lastModified, requestId: properties.requestId } as T;
	}
}

async function uploadInOneRequest(client: BlockBlobClient, data: Buffer, options: UploadOptions): Promise<UploadResult> {
	const digest = md5(data);
	const response = await ownEarlierWrite(client, digest, options, async () =>
		await client.upload(data, data.length, {
			blobHTTPHeaders: { ...options.blobHTTPHeaders, blobContentMD5: digest },
			metadata: options.metadata,
			tags: options.tags,
			tier: options.tier,
			conditions: options.conditions,
			abortSignal: options.abortSignal,
		}),
	);
	options.onProgress?.(data.length);
	return {
		etag: response.etag,
		lastModified: response.lastModified,
		contentMD5: digest.toString('base64'),
		size: data.length,
		blocks: 0,
		requestId: response.requestId,
	};
}

async function uploadInBlocks(
	client: BlockBlobClient,
	blocks: AsyncIterable<Buffer>,
	options: UploadOptions,
	destroySource: () => void,
): Promise<UploadResult> {
	// Bounded whatever a caller passes: each block in flight holds its bytes in memory.
	const requested = options.concurrency ?? DEFAULT_CONCURRENCY;
	const concurrency = Number.isInteger(requested) && requested >= 1 ? Math.min(requested, MAX_CONCURRENCY) : DEFAULT_CONCURRENCY;
	const whole = createHash('md5');
	const ids: string[] = [];
	const inFlight = new Set<Promise<void>>();
	let uploadedBytes = 0;
	let stagedBlocks = 0;
	let failure: unknown;

	const stage = (id: string, block: Buffer) => {
		const promise = client
			// Put Block needs the lease ID too when the blob is leased.
			.stageBlock(id, block, block.length, {
				transactionalContentMD5: md5(block),
				conditions: options.conditions?.leaseId ? { leaseId: options.conditions.leaseId } : undefined,
				abortSignal: options.abortSignal,
			})
			.then(
				() => {
					uploadedBytes += block.length;
					stagedBlocks += 1;
					options.onProgress?.(uploadedBytes);
				},
				(error: unknown) => {
					failure ??= error;
				},
			)
			.finally(() => inFlight.delete(promise));
		inFlight.add(promise);
	};

	try {
		for await (const block of blocks) {
			if (failure) break;
			whole.update(block);
			const id = blockId(ids.length);
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

	const digest = whole.digest();
	const response = await ownEarlierWrite(client, digest, options, async () =>
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
		contentMD5: digest.toString('base64'),
		size: uploadedBytes,
		blocks: ids.length,
		requestId: response.requestId,
	};
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
		return await uploadInBlocks(client, slices(), options, () => {});
	}
	const stream = source.stream;
	if (!stream) throw new Error('uploadBlob needs a buffer or a stream');
	const onAbort = () => stream.destroy();
	options.abortSignal?.addEventListener('abort', onAbort, { once: true });
	try {
		const blocks = blocksOf(stream, blockSize);
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
		return await uploadInBlocks(client, all(), options, () => stream.destroy());
	} finally {
		options.abortSignal?.removeEventListener('abort', onAbort);
		if (options.abortSignal?.aborted) stream.destroy();
	}
}

export interface DownloadOptions {
	offset?: number;
	count?: number;
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
 * A lost connection is resumed from where it stopped (ranged requests pinned to the ETag). With
 * an expected MD5, the stream fails at its end when the bytes differ, so a corrupted download
 * never becomes a file; `md5()` gives the digest once the stream has ended.
 */
export async function downloadBlob(client: BlobClient, options: DownloadOptions = {}) {
	const response = await client.download(options.offset ?? 0, options.count, {
		abortSignal: options.abortSignal,
		maxRetryRequests: 5,
	});
	const body = response.readableStreamBody as Readable | undefined;
	if (!body) throw new Error('Azure returned no body for the download');
	return { stream: body, response };
}

/** Passes a download through, hashing it; fails at the end when it does not match `expectedMD5`. */
export function verifyingStream(source: Readable, integrity: DownloadIntegrity, blobName: string): { stream: Readable; md5: () => string | undefined } {
	if (!integrity.expectedMD5?.length && !integrity.computeMD5) return { stream: source, md5: () => undefined };
	const hash = createHash('md5');
	let digest: string | undefined;
	const expected = integrity.expectedMD5?.length ? Buffer.from(integrity.expectedMD5).toString('base64') : undefined;
	const hasher = new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			hash.update(chunk);
			callback(null, chunk);
		},
		flush(callback) {
			digest = hash.digest('base64');
			if (expected && digest !== expected) {
				callback(
					new IntegrityError(
						`The downloaded content of blob "${blobName}" does not match its Content-MD5; it was not used`,
						`Azure stores the MD5 ${expected} for this blob; the bytes received hash to ${digest}. The data was damaged on the way (a proxy or network fault) or the blob's Content-MD5 property is wrong. Run the download again; if it keeps failing, check the blob's Content-MD5.`,
					),
				);
				return;
			}
			callback();
		},
	});
	pipeline(source, hasher, () => undefined);
	return { stream: hasher, md5: () => digest };
}
