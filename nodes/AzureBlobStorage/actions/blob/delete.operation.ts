import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { readIfMatch } from '../../helpers/existingBlob';
import { publicUrl } from '../../helpers/format';
import { leaseIdValue } from '../../helpers/lease';
import { getBlobTarget } from '../../helpers/locators';
import { booleanValue, readOptions } from '../../helpers/params';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { mayBeOwnEarlierTry } from '../../transport/policies';
import { blobLocator, containerLocator, forOperation, ifMatchOption, leaseIdOption, requestOptionFields } from '../common.descriptions';

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
			leaseIdOption,
			ifMatchOption,
			...requestOptionFields,
		],
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const { container, blobName } = getBlobTarget(this, itemIndex, connection);
	const options = readOptions<{ deleteSnapshots?: unknown; ignoreMissing?: unknown; ifMatch?: unknown; leaseId?: unknown }>(this, itemIndex);
	const deleteSnapshots = booleanValue(this, options.deleteSnapshots, itemIndex, 'Delete Snapshots', false);
	const ignoreMissing = booleanValue(this, options.ignoreMissing, itemIndex, 'Succeed If Blob Does Not Exist', false);
	const ifMatch = readIfMatch(this, options.ifMatch, itemIndex, connection);
	const leaseId = leaseIdValue(this, options.leaseId, itemIndex);
	const blobClient = containerClient(connection, container).getBlobClient(blobName);
	const result = { name: blobName, container, url: publicUrl(blobClient.url) };
	const request = {
		deleteSnapshots: deleteSnapshots ? ('include' as const) : undefined,
		conditions: ifMatch || leaseId ? { ifMatch, leaseId } : undefined,
		abortSignal: signal,
	};
	if (ignoreMissing) {
		// deleteIfExists treats only BlobNotFound as "nothing to do"; a missing container still fails.
		const { succeeded } = await blobClient.deleteIfExists(request);
		return succeeded ? { ...result, deleted: true } : { ...result, deleted: false, existed: false };
	}
	try {
		await blobClient.delete(request);
	} catch (error) {
		// A retried delete whose first try was applied (its answer lost) finds nothing: deleted.
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the router translates it
		if (!mayBeOwnEarlierTry(error, 404) || (error as { code?: string }).code === 'ContainerNotFound') throw error;
	}
	return { ...result, deleted: true };
}
