import { createHash } from 'crypto';
import { inputBinary, storedBinaryStream } from '../../helpers/binaryStore';
import type { Readable } from 'stream';

import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { compact, publicUrl } from '../../helpers/format';
import { existingBlob } from '../../helpers/existingBlob';
import { leaseIdValue } from '../../helpers/lease';
import { getBlobTarget } from '../../helpers/locators';
import { booleanValue, choiceValue, readChoice, readOptions, readText, textValue } from '../../helpers/params';
import { headerValueProblem } from '../../helpers/validation';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { BlockPool, blocksOf, MiB, streamBlocks } from '../../transport/transfer';
import { binaryPropertyName, blobLocator, containerLocator, forOperation, leaseIdOption, requestOptionFields } from '../common.descriptions';

/** Azure's largest Append Block. */
export const MAX_APPEND_BLOCK = 4 * MiB;

export const description: INodeProperties[] = forOperation('blob', 'append', [
	containerLocator,
	{ ...blobLocator, description: 'The append blob to add to, e.g. logs/2024-06-01.log. Type a new name to create it.' },
	{
		displayName: 'Input Data',
		name: 'inputDataType',
		type: 'options',
		default: 'text',
		options: [
			{ name: 'Binary File', value: 'binary', description: 'A file from a binary field of the input item' },
			{ name: 'Text', value: 'text', description: 'Text typed here or built with an expression' },
		],
	},
	{ ...binaryPropertyName, description: 'Name of the binary field of the input item that holds the bytes to append', displayOptions: { show: { inputDataType: ['binary'] } } },
	{
		displayName: 'Text Content',
		name: 'textContent',
		type: 'string',
		default: '',
		typeOptions: { rows: 3 },
		displayOptions: { show: { inputDataType: ['text'] } },
		description: 'The text to add at the end of the blob (UTF-8). When appending lines, end the text with a line break yourself.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Content Type',
				name: 'contentType',
				type: 'string',
				default: '',
				placeholder: 'e.g. text/plain; charset=utf-8',
				description: 'MIME type of a blob created by this append. Leave empty for text/plain (text) or the input file\'s type.',
			},
			{
				displayName: 'Create If Missing',
				name: 'createIfMissing',
				type: 'boolean',
				default: true,
				description: 'Whether to create an empty append blob first when none exists. Off: a missing blob is an error.',
			},
			{
				displayName: 'Integrity Check',
				name: 'integrity',
				type: 'options',
				default: 'perBlock',
				options: [
					{
						name: 'Per-Block MD5',
						value: 'perBlock',
						description: 'Each block carries its MD5 and Azure refuses a block that arrived damaged. One MD5 pass, about 2 CPU seconds per GiB.',
					},
					{
						name: 'None',
						value: 'none',
						description:
							'No MD5: the least CPU; rely on HTTPS alone. (On the Azurite emulator this is slower: it computes its own checksum of each block without MD5.).',
					},
				],
				description: 'What the append hashes. An append blob has no whole-blob MD5 (Azure keeps none for it), so the choice is per block or nothing.',
			},
			leaseIdOption,
			...requestOptionFields,
		],
	},
]);

interface AppendSource {
	buffer?: Buffer;
	stream?: Readable;
	/** Size of a streamed source, when the store knows it. */
	size?: number;
	mimeType?: string;
}

async function readSource(ctx: IExecuteFunctions, itemIndex: number): Promise<AppendSource> {
	const inputDataType = readChoice(ctx, 'inputDataType', itemIndex, 'Input Data', ['binary', 'text'], 'text');
	if (inputDataType === 'text') {
		return { buffer: Buffer.from(readText(ctx, 'textContent', itemIndex, 'Text Content'), 'utf8'), mimeType: 'text/plain; charset=utf-8' };
	}
	const { property, binary } = inputBinary(ctx, itemIndex, 'binaryPropertyName', 'Choose "Text" as Input Data, or put a node that produces a file before this one.');
	if (binary.id) {
		const stored = await storedBinaryStream(ctx, binary.id);
		return { stream: stored.stream, size: stored.size, mimeType: binary.mimeType };
	}
	return { buffer: await ctx.helpers.getBinaryDataBuffer(itemIndex, property), mimeType: binary.mimeType };
}

/**
 * The blocks to append, in order. A streamed source is cut into one reused 4 MiB buffer: each
 * block is appended (retries included) before the next is read.
 */
async function* blocksFrom(source: AppendSource): AsyncGenerator<Buffer> {
	if (source.stream && source.size !== undefined && source.size <= MAX_APPEND_BLOCK) {
		// One block at most: read as it comes (a 4 MiB buffer for a small file would be garbage).
		yield* blocksOf(source.stream, MAX_APPEND_BLOCK);
		return;
	}
	if (source.stream) {
		const pool = new BlockPool(MAX_APPEND_BLOCK, 1);
		for await (const block of streamBlocks(source.stream, pool)) {
			yield block;
			// Resumed only when the caller asks for the next block: this one has been appended.
			pool.give(block);
		}
		return;
	}
	const buffer = source.buffer ?? Buffer.alloc(0);
	for (let offset = 0; offset < buffer.length; offset += MAX_APPEND_BLOCK) yield buffer.subarray(offset, offset + MAX_APPEND_BLOCK);
}

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const { container, blobName } = getBlobTarget(this, itemIndex, connection);
	const options = readOptions<{ contentType?: unknown; createIfMissing?: unknown; integrity?: unknown; leaseId?: unknown }>(this, itemIndex);
	const integrity = choiceValue(this, options.integrity, itemIndex, 'Integrity Check', ['perBlock', 'none'], 'perBlock');
	const createIfMissing = booleanValue(this, options.createIfMissing, itemIndex, 'Create If Missing', true);
	const leaseId = leaseIdValue(this, options.leaseId, itemIndex);
	const contentTypeOption = textValue(this, options.contentType, itemIndex, 'Content Type').trim();
	const contentTypeProblem = contentTypeOption ? headerValueProblem(contentTypeOption) : undefined;
	if (contentTypeProblem) throw new NodeOperationError(this.getNode(), `Content Type ${contentTypeProblem}`, { itemIndex });

	const appendBlob = containerClient(connection, container).getAppendBlobClient(blobName);
	const url = publicUrl(appendBlob.url);
	const source = await readSource(this, itemIndex);
	try {
		// Checked before any byte is sent: a block blob or page blob cannot be appended to.
		const existing = await existingBlob(appendBlob, signal);
		let created = false;
		if (existing && existing.blobType !== 'AppendBlob') {
			throw new NodeOperationError(this.getNode(), `Blob "${blobName}" is a ${existing.blobType ?? 'non-append blob'}, not an append blob, so nothing can be appended to it`, {
				itemIndex,
				description: 'Append works only on append blobs (created by this operation). Append to a new blob name, or download, change and upload this blob instead.',
			});
		}
		if (!existing) {
			if (!createIfMissing) {
				throw new NodeOperationError(this.getNode(), `Blob "${blobName}" does not exist in container "${container}"`, {
					itemIndex,
					description: 'Turn on "Create If Missing" to create the append blob on the first append, or check the blob name.',
				});
			}
			const response = await appendBlob.createIfNotExists({
				blobHTTPHeaders: { blobContentType: contentTypeOption || source.mimeType || 'application/octet-stream' },
				abortSignal: signal,
			});
			created = response.succeeded;
		}

		let blocks = 0;
		let appendedBytes = 0;
		let last: { etag?: string; lastModified?: Date; blobAppendOffset?: string; blobCommittedBlockCount?: number } | undefined;
		let lastLength = 0;
		for await (const block of blocksFrom(source)) {
			if (block.length === 0) continue;
			last = await appendBlob.appendBlock(block, block.length, {
				transactionalContentMD5: integrity === 'perBlock' ? createHash('md5').update(block).digest() : undefined,
				conditions: leaseId ? { leaseId } : undefined,
				abortSignal: signal,
			});
			blocks += 1;
			appendedBytes += block.length;
			lastLength = block.length;
		}
		const size = last?.blobAppendOffset !== undefined ? Number(last.blobAppendOffset) + lastLength : existing?.contentLength ?? 0;
		return compact({
			name: blobName,
			container,
			url,
			created,
			appendedBytes,
			blocks,
			size,
			committedBlockCount: last?.blobCommittedBlockCount,
			etag: last?.etag,
			lastModified: last?.lastModified?.toISOString(),
		});
	} finally {
		source.stream?.destroy();
	}
}
