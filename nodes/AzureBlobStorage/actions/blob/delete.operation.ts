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
	try {
		await blobClient.delete({
			deleteSnapshots: options.deleteSnapshots ? 'include' : undefined,
			abortSignal: this.getExecutionCancelSignal?.(),
		});
	} catch (error) {
		const code = (error as { code?: string; details?: { errorCode?: string } }).details?.errorCode ?? (error as { code?: string }).code;
		if (options.ignoreMissing && code === 'BlobNotFound') return { ...result, deleted: false, existed: false };
		throw error;
	}
	return { ...result, deleted: true };
}
