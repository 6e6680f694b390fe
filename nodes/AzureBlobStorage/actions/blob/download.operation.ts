import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { blobJson, publicUrl } from '../../helpers/format';
import { getBlobTarget } from '../../helpers/locators';
import type { BlobStorageConnection } from '../../transport/client';
import { downloadBlob, MiB } from '../../transport/transfer';
import { blobLocator, containerLocator, forOperation } from '../common.descriptions';

/**
 * n8n's in-memory binary mode keeps a file as one base64 string; V8 cannot hold a string for
 * much more than this many bytes of file.
 */
export const IN_MEMORY_BINARY_LIMIT = 384 * MiB;

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
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				description: 'File name of the output binary. Leave empty to use the last part of the blob name.',
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
				displayName: 'Range Length (Bytes)',
				name: 'rangeLength',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0 },
				description: 'Download at most this many bytes (0 = to the end of the blob)',
			},
		],
	},
]);

/** Whether n8n keeps binary data in memory (no id) rather than in a file or object store. */
async function binaryDataIsInMemory(ctx: IExecuteFunctions): Promise<boolean> {
	const probe = await ctx.helpers.prepareBinaryData(Buffer.alloc(0), 'probe.bin');
	return !probe.id;
}

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection) {
	const { container, blobName } = getBlobTarget(this, itemIndex, connection);
	const property = (this.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string).trim();
	const options = this.getNodeParameter('options', itemIndex, {}) as {
		fileName?: string;
		rangeStart?: number;
		rangeLength?: number;
	};
	const blobClient = connection.service.getContainerClient(container).getBlobClient(blobName);
	const abortSignal = this.getExecutionCancelSignal?.();
	const { stream, response } = await downloadBlob(blobClient, {
		offset: options.rangeStart ?? 0,
		count: options.rangeLength ? options.rangeLength : undefined,
		abortSignal,
	});

	const size = response.contentLength ?? 0;
	if (size > IN_MEMORY_BINARY_LIMIT && (await binaryDataIsInMemory(this))) {
		stream.destroy();
		throw new NodeOperationError(
			this.getNode(),
			`Blob "${blobName}" is ${Math.round(size / MiB)} MiB, too large for n8n's in-memory binary data mode`,
			{
				itemIndex,
				description:
					'Set the environment variable N8N_DEFAULT_BINARY_DATA_MODE=filesystem on the n8n server (and restart it) so large files are kept on disk, or download a part with the Range options.',
			},
		);
	}

	const fileName = options.fileName?.trim() || blobName.split('/').pop() || blobName;
	const contentType = response.contentType || 'application/octet-stream';
	const binary = await this.helpers.prepareBinaryData(stream, fileName, contentType);
	if (!binary.mimeType || binary.mimeType === 'application/octet-stream') binary.mimeType = contentType;
	binary.fileName = fileName;

	const json = blobJson(container, blobName, publicUrl(blobClient.url), response, { metadata: response.metadata });
	if (response.contentRange) json.contentRange = response.contentRange;
	if (response.blobContentMD5) json.contentMD5 = Buffer.from(response.blobContentMD5).toString('base64');
	return { json, binary: { [property]: binary } };
}
