import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { blobJson, publicUrl } from '../../helpers/format';
import type { IfBlobExists } from '../../helpers/existingBlob';
import { existingBlob, writeConditions } from '../../helpers/existingBlob';
import { assertBlobName, getContainerName } from '../../helpers/locators';
import type { NamedValues } from '../../helpers/namedValues';
import { readMetadata, readTags } from '../../helpers/namedValues';
import type { BlobStorageConnection } from '../../transport/client';
import { azureFailureError, toNodeError } from '../../transport/errors';
import type { UploadSource } from '../../transport/transfer';
import { DEFAULT_BLOCK_SIZE, DEFAULT_CONCURRENCY, MiB, uploadBlob } from '../../transport/transfer';
import {
	accessTierOption,
	binaryPropertyName,
	containerLocator,
	forOperation,
	ifBlobExists,
	nameValueOption,
} from '../common.descriptions';

export const description: INodeProperties[] = forOperation('blob', 'upload', [
	containerLocator,
	{
		displayName: 'Blob Name',
		name: 'blobName',
		type: 'string',
		default: '',
		placeholder: 'e.g. reports/2024/jan.csv',
		description:
			'Name of the blob to create, including any folder prefix. Leave empty to use the file name of the input binary.',
	},
	{
		displayName: 'Input Data',
		name: 'inputDataType',
		type: 'options',
		default: 'binary',
		options: [
			{ name: 'Binary File', value: 'binary', description: 'A file from a binary field of the input item' },
			{ name: 'Text', value: 'text', description: 'Text typed here or built with an expression' },
		],
	},
	{ ...binaryPropertyName, displayOptions: { show: { inputDataType: ['binary'] } } },
	{
		displayName: 'Text Content',
		name: 'textContent',
		type: 'string',
		default: '',
		typeOptions: { rows: 5 },
		displayOptions: { show: { inputDataType: ['text'] } },
		description: 'The text to store in the blob (saved as UTF-8)',
	},
	ifBlobExists,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			accessTierOption,
			{
				displayName: 'Block Size (MiB)',
				name: 'blockSizeMiB',
				type: 'number',
				default: 8, // DEFAULT_BLOCK_SIZE in MiB, as a literal for n8n's lint
				typeOptions: { minValue: 1, maxValue: 4000 },
				description:
					'Files larger than one block are sent in blocks of this size. Bigger blocks mean fewer requests and better speed on fast links, at the cost of memory (about block size x (parallel uploads + 1)). Raised automatically when a file would need more than 50,000 blocks.',
			},
			{
				displayName: 'Cache Control',
				name: 'cacheControl',
				type: 'string',
				default: '',
				placeholder: 'e.g. max-age=3600',
				description: 'Cache-Control header Azure returns when the blob is read',
			},
			{
				displayName: 'Content Disposition',
				name: 'contentDisposition',
				type: 'string',
				default: '',
				placeholder: 'e.g. attachment; filename="report.pdf"',
			},
			{
				displayName: 'Content Type',
				name: 'contentType',
				type: 'string',
				default: '',
				placeholder: 'e.g. application/pdf',
				description: 'MIME type stored with the blob. Leave empty to use the MIME type of the input binary.',
			},
			nameValueOption('Metadata', 'metadata', 'Name/value pairs stored with the blob (names: letters, digits, underscores)'),
			{
				displayName: 'Parallel Uploads',
				name: 'parallelUploads',
				type: 'number',
				default: DEFAULT_CONCURRENCY,
				typeOptions: { minValue: 1, maxValue: 64 },
				description:
					'How many blocks are sent at the same time. More parallel uploads fill a fast, distant link better; each one holds a block in memory.',
			},
			nameValueOption('Tags', 'tags', 'Blob index tags (up to 10), searchable across the account with Find by Tags'),
		],
	},
]);

interface UploadOptionValues {
	accessTier?: string;
	blockSizeMiB?: number;
	cacheControl?: string;
	contentDisposition?: string;
	contentType?: string;
	metadata?: NamedValues;
	parallelUploads?: number;
	tags?: NamedValues;
}

/** The content to upload plus the name and type it brings along. */
async function readSource(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Promise<{ source: UploadSource; fileName?: string; mimeType?: string }> {
	const inputDataType = ctx.getNodeParameter('inputDataType', itemIndex, 'binary') as string;
	if (inputDataType === 'text') {
		const text = ctx.getNodeParameter('textContent', itemIndex, '') as string;
		return { source: { buffer: Buffer.from(text, 'utf8') }, mimeType: 'text/plain; charset=utf-8' };
	}
	const property = (ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string).trim();
	const item = ctx.getInputData()[itemIndex];
	const binary = item.binary?.[property];
	if (!binary) {
		const available = Object.keys(item.binary ?? {});
		throw new NodeOperationError(ctx.getNode(), `Input Binary Field "${property}" is not on the input item`, {
			itemIndex,
			description: available.length
				? `The item has these binary fields: ${available.join(', ')}. Set "Input Binary Field" to one of them.`
				: 'The input item has no binary data. Put a node that reads or downloads a file (e.g. "Read/Write Files from Disk" or "HTTP Request") before this one, or choose "Text" as Input Data.',
		});
	}
	if (binary.id) {
		const metadata = await ctx.helpers.getBinaryMetadata(binary.id);
		const stream = await ctx.helpers.getBinaryStream(binary.id, 1 * MiB);
		return {
			source: { stream, size: metadata.fileSize },
			fileName: binary.fileName ?? metadata.fileName,
			mimeType: binary.mimeType ?? metadata.mimeType,
		};
	}
	const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
	return { source: { buffer }, fileName: binary.fileName, mimeType: binary.mimeType };
}

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection) {
	const container = getContainerName(this, itemIndex);
	const ifExists = this.getNodeParameter('ifExists', itemIndex, 'fail') as IfBlobExists;
	const options = this.getNodeParameter('options', itemIndex, {}) as UploadOptionValues;

	const metadata = readMetadata(this, options.metadata, itemIndex);
	const tags = readTags(this, options.tags, itemIndex);

	const { source, fileName, mimeType } = await readSource(this, itemIndex);
	try {
		return await uploadSource(this, itemIndex, source, {
			connection,
			fileName,
			mimeType,
			container,
			ifExists,
			options,
			metadata,
			tags,
		});
	} finally {
		// Whatever ended the upload (a bad name, an existing blob, a failed check or request, a
		// cancel), the file handle of a streamed source is closed here; on success it is a no-op.
		source.stream?.destroy();
	}
}

interface UploadSettings {
	connection: BlobStorageConnection;
	fileName?: string;
	mimeType?: string;
	container: string;
	ifExists: IfBlobExists;
	options: UploadOptionValues;
	metadata?: Record<string, string>;
	tags?: Record<string, string>;
}

async function uploadSource(
	ctx: IExecuteFunctions,
	itemIndex: number,
	source: UploadSource,
	settings: UploadSettings,
) {
	const { fileName, mimeType, container, ifExists, options, metadata, tags } = settings;
	const requestedName = (ctx.getNodeParameter('blobName', itemIndex, '') as string).trim();
	if (!requestedName && !fileName) {
		throw new NodeOperationError(ctx.getNode(), 'Blob Name is empty and the input binary has no file name', {
			itemIndex,
			description: 'Enter a Blob Name, e.g. reports/{{ $now.toFormat("yyyy-MM-dd") }}.csv',
		});
	}
	const blobName = assertBlobName(ctx, requestedName || (fileName as string), itemIndex, 'Blob Name');
	const blockBlob = settings.connection.service.getContainerClient(container).getBlockBlobClient(blobName);
	const url = publicUrl(blockBlob.url);
	const abortSignal = ctx.getExecutionCancelSignal?.();

	if (ifExists !== 'overwrite') {
		// Saves sending the bytes when the answer is already known; the write itself stays
		// conditional (If-None-Match: *) for the case where the blob appears meanwhile.
		const existing = await existingBlob(blockBlob, abortSignal);
		if (existing) {
			if (ifExists === 'skip') return { ...blobJson(container, blobName, url, existing), skipped: true };
			throw azureFailureError(
				ctx.getNode(),
				{ code: 'BlobAlreadyExists', statusCode: 409, container, blob: blobName, requestId: existing.requestId },
				{ itemIndex },
			);
		}
	}

	const contentType = options.contentType?.trim() || mimeType || 'application/octet-stream';
	try {
		const result = await uploadBlob(blockBlob, source, {
			blobHTTPHeaders: {
				blobContentType: contentType,
				blobCacheControl: options.cacheControl || undefined,
				blobContentDisposition: options.contentDisposition || undefined,
			},
			metadata,
			tags,
			tier: options.accessTier,
			conditions: writeConditions(ifExists),
			blockSize: (options.blockSizeMiB ?? DEFAULT_BLOCK_SIZE / MiB) * MiB,
			concurrency: options.parallelUploads,
			abortSignal,
		});
		const json: IDataObject = {
			name: blobName,
			container,
			url,
			etag: result.etag,
			lastModified: result.lastModified?.toISOString(),
			size: result.size,
			contentMD5: result.contentMD5,
			contentType,
			blocks: result.blocks,
		};
		if (ifExists === 'skip') json.skipped = false;
		return json;
	} catch (error) {
		const status = (error as { statusCode?: number; cause?: { statusCode?: number } }).statusCode;
		if (ifExists === 'skip' && (status === 409 || status === 412)) {
			const existing = await blockBlob.getProperties();
			return { ...blobJson(container, blobName, url, existing), skipped: true };
		}
		throw toNodeError(ctx.getNode(), error, { itemIndex, secrets: settings.connection.secrets });
	}
}
