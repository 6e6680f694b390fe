import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { publicUrl } from '../../helpers/format';
import { getBlobTarget } from '../../helpers/locators';
import type { BlobStorageConnection } from '../../transport/client';
import { blobLocator, containerLocator, forOperation } from '../common.descriptions';

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
		],
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection) {
	const { container, blobName } = getBlobTarget(this, itemIndex, connection);
	const options = this.getNodeParameter('options', itemIndex, {}) as { deleteSnapshots?: boolean; ignoreMissing?: boolean };
	const blobClient = connection.service.getContainerClient(container).getBlobClient(blobName);
	const result = { name: blobName, container, url: publicUrl(blobClient.url) };
	const request = {
		deleteSnapshots: options.deleteSnapshots ? ('include' as const) : undefined,
		abortSignal: this.getExecutionCancelSignal?.(),
	};
	if (options.ignoreMissing) {
		// deleteIfExists treats only BlobNotFound as "nothing to do"; a missing container still fails.
		const { succeeded } = await blobClient.deleteIfExists(request);
		return succeeded ? { ...result, deleted: true } : { ...result, deleted: false, existed: false };
	}
	await blobClient.delete(request);
	return { ...result, deleted: true };
}
