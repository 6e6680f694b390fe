import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { inputBinary, storedBinaryStream } from '../../helpers/binaryStore';
import { blobJson, publicUrl } from '../../helpers/format';
import type { IfBlobExists } from '../../helpers/existingBlob';
import { existingBlob, readIfMatch, writeConditions } from '../../helpers/existingBlob';
import { leaseIdValue } from '../../helpers/lease';
import { assertBlobName, assertNoSecret, getContainerName, readBlobNameField } from '../../helpers/locators';
import type { NamedValues } from '../../helpers/namedValues';
import { readMetadata, readTags } from '../../helpers/namedValues';
import { choiceValue, integerValue, readChoice, readOptions, readText, textValue } from '../../helpers/params';
import { headerValueProblem } from '../../helpers/validation';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { azureFailureError, describeRestError } from '../../transport/errors';
import type { UploadIntegrity, UploadSource } from '../../transport/transfer';
import {
	DEFAULT_BLOCK_SIZE,
	DEFAULT_CONCURRENCY,
	DEFAULT_UPLOAD_INTEGRITY,
	MAX_CONCURRENCY,
	MiB,
	UPLOAD_INTEGRITY_CHOICES,
	uploadBlob,
} from '../../transport/transfer';
import {
	accessTierOption,
	binaryPropertyName,
	containerLocator,
	forOperation,
	ifBlobExists,
	ifMatchOption,
	leaseIdOption,
	nameValueOption,
	requestOptionFields,
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
			{
				displayName: 'Integrity Check',
				name: 'integrity',
				type: 'options',
				default: 'wholeBlob',
				options: [
					{
						name: 'Whole-Blob MD5',
						value: 'wholeBlob',
						description:
							'One MD5 pass: the MD5 of the whole file is stored as the blob\'s Content-MD5, which later downloads check (this node always does). A block damaged on the way is found at the first download, not at upload; HTTPS already guards the way.',
					},
					{
						name: 'Per-Block MD5',
						value: 'perBlock',
						description:
							'One MD5 pass: each block carries its MD5 and Azure refuses a block that arrived damaged, so the upload fails instead. The blob gets no Content-MD5, so later downloads cannot be checked.',
					},
					{
						name: 'Both',
						value: 'both',
						description: 'Two MD5 passes (about twice the CPU): Azure verifies every block and the blob stores its Content-MD5',
					},
					{
						name: 'None',
						value: 'none',
						description:
							'No MD5: the least CPU; rely on HTTPS alone. (On the Azurite emulator this is slower: it computes its own checksum of each block without MD5.).',
					},
				],
				description:
					'What the upload hashes, each pass about 2 CPU seconds per GiB on the n8n host. A file of one block or less goes up in one request whose single MD5 Azure both verifies and stores: one pass for every choice but None.',
			},
			{
				...leaseIdOption,
				description: `${leaseIdOption.description} Needs "If Blob Exists" set to Overwrite.`,
			},
			nameValueOption(
				'Metadata',
				'metadata',
				'Name/value pairs stored with the blob. Names: letters, digits, underscores; values: printable ASCII (encode other text, e.g. with encodeURIComponent).',
			),
			{
				...ifMatchOption,
				description: `${ifMatchOption.description} Needs "If Blob Exists" set to Overwrite.`,
			},
			{
				displayName: 'Parallel Uploads',
				name: 'parallelUploads',
				type: 'number',
				default: DEFAULT_CONCURRENCY,
				typeOptions: { minValue: 1, maxValue: 64 },
				description:
					'How many blocks are sent at the same time. More parallel uploads fill a fast, distant link better; each one holds a block in memory.',
			},
			...requestOptionFields,
			nameValueOption(
				'Tags',
				'tags',
				'Blob index tags (up to 10), searchable across the account. Letters, digits, spaces and + - . / : = _ only.',
			),
		],
	},
]);

interface UploadOptionValues {
	accessTier?: unknown;
	blockSizeMiB?: unknown;
	cacheControl?: unknown;
	contentDisposition?: unknown;
	contentType?: unknown;
	ifMatch?: unknown;
	integrity?: unknown;
	leaseId?: unknown;
	metadata?: NamedValues;
	parallelUploads?: unknown;
	tags?: NamedValues;
}

const TIERS = ['Hot', 'Cool', 'Cold', 'Archive'] as const;

/** The content to upload plus the name and type it brings along. */
async function readSource(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Promise<{ source: UploadSource; fileName?: string; mimeType?: string }> {
	const inputDataType = readChoice(ctx, 'inputDataType', itemIndex, 'Input Data', ['binary', 'text'], 'binary');
	if (inputDataType === 'text') {
		const text = readText(ctx, 'textContent', itemIndex, 'Text Content');
		return { source: { buffer: Buffer.from(text, 'utf8') }, mimeType: 'text/plain; charset=utf-8' };
	}
	const { property, binary } = inputBinary(
		ctx,
		itemIndex,
		'binaryPropertyName',
		'Put a node that reads or downloads a file (e.g. "Read/Write Files from Disk" or "HTTP Request") before this one, or choose "Text" as Input Data.',
	);
	const statedSize = binary.bytes;
	if (binary.id && binary.fileName !== undefined && typeof statedSize === 'number' && statedSize >= 0 && statedSize <= SMALL_FILE) {
		// A small stored file is read whole in one call (what it would be sent as anyway): no file
		// stream, no block reader. The item's size is only a hint; the buffer is what goes up.
		const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
		return { source: { buffer }, fileName: binary.fileName, mimeType: binary.mimeType };
	}
	if (binary.id) {
		// The item's own size (`bytes`) saves reading the store's metadata, unless its file name is needed from there.
		const stored = await storedBinaryStream(ctx, binary.id, binary.fileName === undefined ? undefined : binary.bytes);
		return {
			source: { stream: stored.stream, size: stored.size },
			fileName: binary.fileName ?? stored.fileName,
			mimeType: binary.mimeType ?? stored.mimeType,
		};
	}
	const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
	return { source: { buffer }, fileName: binary.fileName, mimeType: binary.mimeType };
}

/** An optional text option that Azure stores as an HTTP header (content type, cache control...). */
function headerOption(
	ctx: IExecuteFunctions,
	value: unknown,
	itemIndex: number,
	field: string,
	connection: BlobStorageConnection,
): string | undefined {
	const text = textValue(ctx, value, itemIndex, field);
	if (text === '') return undefined;
	assertNoSecret(ctx, text, itemIndex, field, connection);
	const problem = headerValueProblem(text);
	if (problem) throw new NodeOperationError(ctx.getNode(), `${field} ${problem}`, { itemIndex });
	return text;
}

interface UploadSettings {
	connection: BlobStorageConnection;
	container: string;
	blobName: string;
	ifExists: IfBlobExists;
	ifMatch?: string;
	leaseId?: string;
	metadata?: Record<string, string>;
	tags?: Record<string, string>;
	tier?: string;
	headers: { contentType?: string; cacheControl?: string; contentDisposition?: string };
	blockSize: number;
	concurrency: number;
	integrity: UploadIntegrity;
	signal: AbortSignal;
}

/** Every parameter of the item, checked before the file is opened or any request is sent. */
function readSettings(ctx: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const container = getContainerName(ctx, itemIndex, connection);
	const requestedName = readBlobNameField(ctx, 'blobName', itemIndex, 'Blob Name', connection);
	const ifExists = readChoice<IfBlobExists>(ctx, 'ifExists', itemIndex, 'If Blob Exists', ['fail', 'overwrite', 'skip'], 'fail');
	const options = readOptions<UploadOptionValues>(ctx, itemIndex);
	const ifMatch = readIfMatch(ctx, options.ifMatch, itemIndex, connection);
	const leaseId = leaseIdValue(ctx, options.leaseId, itemIndex);
	if (leaseId && ifExists !== 'overwrite') {
		throw new NodeOperationError(ctx.getNode(), 'Lease ID needs "If Blob Exists" set to Overwrite', {
			itemIndex,
			description: 'A lease is held on an existing blob; only Overwrite writes to an existing blob.',
		});
	}
	if (ifMatch && ifExists !== 'overwrite') {
		throw new NodeOperationError(ctx.getNode(), 'Only If ETag Matches needs "If Blob Exists" set to Overwrite', {
			itemIndex,
			description: 'An ETag condition replaces an existing blob only if it is unchanged; with Fail or Skip an existing blob is never replaced.',
		});
	}
	return {
		requestedName,
		settings: {
			connection,
			container,
			blobName: '',
			ifExists,
			ifMatch,
			leaseId,
			metadata: readMetadata(ctx, options.metadata, itemIndex, connection),
			tags: readTags(ctx, options.tags, itemIndex, connection),
			tier: options.accessTier === undefined ? undefined : choiceValue(ctx, options.accessTier, itemIndex, 'Access Tier', TIERS, 'Hot'),
			headers: {
				contentType: headerOption(ctx, options.contentType, itemIndex, 'Content Type', connection),
				cacheControl: headerOption(ctx, options.cacheControl, itemIndex, 'Cache Control', connection),
				contentDisposition: headerOption(ctx, options.contentDisposition, itemIndex, 'Content Disposition', connection),
			},
			blockSize: integerValue(ctx, options.blockSizeMiB, itemIndex, 'Block Size (MiB)', { min: 1, max: 4000 }, DEFAULT_BLOCK_SIZE / MiB) * MiB,
			concurrency: integerValue(ctx, options.parallelUploads, itemIndex, 'Parallel Uploads', { min: 1, max: MAX_CONCURRENCY }, DEFAULT_CONCURRENCY),
			integrity: choiceValue(ctx, options.integrity, itemIndex, 'Integrity Check', UPLOAD_INTEGRITY_CHOICES, DEFAULT_UPLOAD_INTEGRITY),
			signal,
		} satisfies UploadSettings,
	};
}

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const { requestedName, settings } = readSettings(this, itemIndex, connection, signal);
	const { source, fileName, mimeType } = await readSource(this, itemIndex);
	try {
		if (!requestedName && !fileName) {
			throw new NodeOperationError(this.getNode(), 'Blob Name is empty and the input binary has no file name', {
				itemIndex,
				description: 'Enter a Blob Name, e.g. reports/{{ $now.toFormat("yyyy-MM-dd") }}.csv',
			});
		}
		const blobName =
			requestedName || assertBlobName(this, fileName as string, itemIndex, 'Blob Name (empty, so the file name of the input binary was used)', connection);
		const headers = { ...settings.headers };
		if (!headers.contentType && mimeType) {
			assertNoSecret(this, mimeType, itemIndex, 'MIME type of the input binary (used as Content Type)', connection);
			if (!headerValueProblem(mimeType)) headers.contentType = mimeType;
		}
		return await uploadSource(this, itemIndex, source, { ...settings, blobName, headers });
	} finally {
		// Whatever ended the upload (a bad name, an existing blob, a failed check or request, a
		// cancel), the file handle of a streamed source is closed here; on success it is a no-op.
		source.stream?.destroy();
	}
}

/** Content up to this size is sent without asking first whether the blob exists. */
const SEND_WITHOUT_ASKING = 1024 * 1024;
/** A stored file up to this size (as its item states) is read into memory in one call. */
const SMALL_FILE = 1024 * 1024;

function sourceSize(source: UploadSource): number {
	return source.buffer?.length ?? source.size ?? Number.POSITIVE_INFINITY;
}

async function uploadSource(ctx: IExecuteFunctions, itemIndex: number, source: UploadSource, settings: UploadSettings) {
	const { container, blobName, ifExists, signal } = settings;
	const blockBlob = containerClient(settings.connection, container).getBlockBlobClient(blobName);
	const url = publicUrl(blockBlob.url);

	if (ifExists !== 'overwrite' && !(sourceSize(source) <= SEND_WITHOUT_ASKING)) {
		// Saves sending the bytes of a large file when the answer is already known; the write
		// itself stays conditional (If-None-Match: *) for the case where the blob appears
		// meanwhile. Small content goes straight up with that condition: one request, not two.
		const existing = await existingBlob(blockBlob, signal);
		if (existing) {
			if (ifExists === 'skip') return { ...blobJson(container, blobName, url, existing), skipped: true };
			throw azureFailureError(
				ctx.getNode(),
				{ code: 'BlobAlreadyExists', statusCode: 409, container, blob: blobName, requestId: existing.requestId },
				{ itemIndex },
			);
		}
	}

	const contentType = settings.headers.contentType || 'application/octet-stream';
	try {
		const result = await uploadBlob(blockBlob, source, {
			blobHTTPHeaders: {
				blobContentType: contentType,
				blobCacheControl: settings.headers.cacheControl,
				blobContentDisposition: settings.headers.contentDisposition,
			},
			metadata: settings.metadata,
			tags: settings.tags,
			tier: settings.tier,
			conditions: settings.leaseId ? { ...writeConditions(ifExists, settings.ifMatch), leaseId: settings.leaseId } : writeConditions(ifExists, settings.ifMatch),
			blockSize: settings.blockSize,
			concurrency: settings.concurrency,
			integrity: settings.integrity,
			abortSignal: signal,
		});
		const json: IDataObject = {
			name: blobName,
			container,
			url,
			etag: result.etag,
			lastModified: result.lastModified?.toISOString(),
			size: result.size,
			// No MD5 is stored with Per-Block MD5 or None (above one block).
			...(result.contentMD5 ? { contentMD5: result.contentMD5 } : {}),
			contentType,
			blocks: result.blocks,
		};
		if (ifExists === 'skip') json.skipped = false;
		return json;
	} catch (error) {
		const status = (error as { statusCode?: number }).statusCode;
		if (ifExists === 'skip' && (status === 409 || status === 412)) {
			const existing = await blockBlob.getProperties({ abortSignal: signal });
			return { ...blobJson(container, blobName, url, existing), skipped: true };
		}
		if (ifExists === 'fail' && !settings.ifMatch && (status === 409 || status === 412)) {
			// Refused by If-None-Match: * — the blob exists (Azure says 409, some emulators 412).
			throw azureFailureError(
				ctx.getNode(),
				{ code: 'BlobAlreadyExists', statusCode: 409, container, blob: blobName, requestId: describeRestError(error as Parameters<typeof describeRestError>[0]).requestId },
				{ itemIndex },
			);
		}
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the router translates it, knowing the item's deadline
		throw error;
	}
}
