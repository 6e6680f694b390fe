import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { readIfMatch } from '../../helpers/existingBlob';
import { publicUrl } from '../../helpers/format';
import { getBlobTarget } from '../../helpers/locators';
import { booleanValue, readOptions } from '../../helpers/params';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { blobLocator, containerLocator, forOperation, ifMatchOption, requestOptionFields } from '../common.descriptions';

export const description: INodeProperties[] = forOperation('blob', 'delete', [
	containerLocator,
	blobLocator,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Delete Snapshots',
				name: 'deleteSnapshots',
				type: 'boolean',
				default: false,
				description:
					'Whether to delete the blob\'s snapshots with it. Azure refuses to delete a blob that has snapshots unless this is on.',
			},
			{
				displayName: 'Succeed If Blob Does Not Exist',
				name: 'ignoreMissing',
				type: 'boolean',
				default: false,
				description:
					'Whether a missing blob counts as deleted (output deleted: false) instead of an error. Useful for clean-up steps that may run twice.',
			},
			ifMatchOption,
			...requestOptionFields,
		],
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const { container, blobName } = getBlobTarget(this, itemIndex, connection);
	const options = readOptions<{ deleteSnapshots?: unknown; ignoreMissing?: unknown; ifMatch?: unknown }>(this, itemIndex);
	const deleteSnapshots = booleanValue(this, options.deleteSnapshots, itemIndex, 'Delete Snapshots', false);
	const ignoreMissing = booleanValue(this, options.ignoreMissing, itemIndex, 'Succeed If Blob Does Not Exist', false);
	const ifMatch = readIfMatch(this, options.ifMatch, itemIndex);
	const blobClient = containerClient(connection, container).getBlobClient(blobName);
	const result = { name: blobName, container, url: publicUrl(blobClient.url) };
	const request = {
		deleteSnapshots: deleteSnapshots ? ('include' as const) : undefined,
		conditions: ifMatch ? { ifMatch } : undefined,
		abortSignal: signal,
	};
	if (ignoreMissing) {
		// deleteIfExists treats only BlobNotFound as "nothing to do"; a missing container still fails.
		const { succeeded } = await blobClient.deleteIfExists(request);
		return succeeded ? { ...result, deleted: true } : { ...result, deleted: false, existed: false };
	}
	await blobClient.delete(request);
	return { ...result, deleted: true };
}
