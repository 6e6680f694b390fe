import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { binaryStoreRefusal } from '../../helpers/binaryStore';
import { blobJson, publicUrl } from '../../helpers/format';
import { assertNoSecret, getBlobTarget } from '../../helpers/locators';
import { booleanValue, integerValue, readBinaryFieldName, readOptions, textValue } from '../../helpers/params';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { downloadBlob, storableContent } from '../../transport/transfer';
import { blobLocator, containerLocator, forOperation, requestOptionFields } from '../common.descriptions';

export { IN_MEMORY_BINARY_LIMIT } from '../../helpers/binaryStore';

export const description: INodeProperties[] = forOperation('blob', 'download', [
	containerLocator,
	blobLocator,
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the output binary field to put the file in',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Compute MD5',
				name: 'computeMd5',
				type: 'boolean',
				default: false,
				description:
					'Whether to compute the MD5 of the bytes received and output it as md5 (base64), also for ranges and for blobs without a Content-MD5. Costs about 2 CPU seconds per GiB, the same pass as the Content-MD5 check (never done twice).',
			},
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				description: 'File name of the output binary. Leave empty to use the last part of the blob name.',
			},
			{
				displayName: 'Range Length (Bytes)',
				name: 'rangeLength',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0 },
				description: 'Download at most this many bytes (0 = to the end of the blob)',
			},
			{
				displayName: 'Range Start (Bytes)',
				name: 'rangeStart',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0 },
				description: 'Download from this byte offset (0 = from the beginning)',
			},
			{
				displayName: 'Verify Content-MD5',
				name: 'verifyMd5',
				type: 'boolean',
				default: true,
				description:
					'Whether to check a whole-blob download against the blob\'s Content-MD5 (when it has one) and fail the item, with no file output, if they differ. One MD5 pass, about 2 CPU seconds per GiB on the n8n host; off saves it and relies on HTTPS alone.',
			},
			...requestOptionFields,
		],
	},
]);

const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const { container, blobName } = getBlobTarget(this, itemIndex, connection);
	const property = readBinaryFieldName(this, 'binaryPropertyName', itemIndex, 'Put Output File in Field');
	const options = readOptions<{ fileName?: unknown; rangeStart?: unknown; rangeLength?: unknown; computeMd5?: unknown; verifyMd5?: unknown }>(this, itemIndex);
	const rangeStart = integerValue(this, options.rangeStart, itemIndex, 'Range Start (Bytes)', { min: 0, max: MAX_OFFSET }, 0);
	const rangeLength = integerValue(this, options.rangeLength, itemIndex, 'Range Length (Bytes)', { min: 0, max: MAX_OFFSET }, 0);
	const computeMD5 = booleanValue(this, options.computeMd5, itemIndex, 'Compute MD5', false);
	const verifyMD5 = booleanValue(this, options.verifyMd5, itemIndex, 'Verify Content-MD5', true);
	const requestedFileName = assertNoSecret(this, textValue(this, options.fileName, itemIndex, 'File Name'), itemIndex, 'File Name', connection).trim();
	if (/[\u0000-\u001f\u007f/\\]/.test(requestedFileName)) {
		throw new NodeOperationError(this.getNode(), 'File Name has a line break, control character, "/" or "\\"', {
			itemIndex,
			description: 'A file name is one name without folders, e.g. report.pdf.',
		});
	}

	const blobClient = containerClient(connection, container).getBlobClient(blobName);
	const { stream: body, response } = await downloadBlob(blobClient, {
		offset: rangeStart,
		count: rangeLength ? rangeLength : undefined,
		abortSignal: signal,
	});

	const size = response.contentLength ?? 0;
	const refusal = await binaryStoreRefusal(this.helpers, size, `Blob "${blobName}"`);
	if (refusal) {
		body.destroy();
		throw new NodeOperationError(this.getNode(), refusal.message, { itemIndex, description: refusal.fix });
	}

	// A whole-blob download is checked against the blob's Content-MD5 (when it has one, unless
	// turned off); a part cannot be, since Azure keeps the MD5 of the whole blob only.
	const wholeBlob = rangeStart === 0 && !rangeLength && !response.contentRange;
	const expectedMD5 = wholeBlob && verifyMD5 ? response.contentMD5 : undefined;
	const { content, md5 } = await storableContent(body, size, { expectedMD5, computeMD5 }, blobName);

	const fileName = requestedFileName || blobName.split('/').pop() || blobName;
	const contentType = response.contentType || 'application/octet-stream';
	const binary = await this.helpers.prepareBinaryData(content, fileName, contentType);
	if (!binary.mimeType || binary.mimeType === 'application/octet-stream') binary.mimeType = contentType;
	binary.fileName = fileName;

	const json = blobJson(container, blobName, publicUrl(blobClient.url), response, { metadata: response.metadata });
	if (response.contentRange) json.contentRange = response.contentRange;
	const blobMD5 = response.blobContentMD5 ?? (wholeBlob ? response.contentMD5 : undefined);
	if (blobMD5?.length) json.contentMD5 = Buffer.from(blobMD5).toString('base64');
	if (expectedMD5?.length) json.md5Verified = true;
	const digest = md5();
	if (computeMD5 && digest) json.md5 = digest;
	return { json, binary: { [property]: binary } };
}
