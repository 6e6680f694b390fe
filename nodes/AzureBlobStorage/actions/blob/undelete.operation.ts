import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { publicUrl } from '../../helpers/format';
import { getBlobTarget } from '../../helpers/locators';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { blobLocator, containerLocator, forOperation, requestOptionFields } from '../common.descriptions';

export const description: INodeProperties[] = forOperation('blob', 'undelete', [
	containerLocator,
	{
		...blobLocator,
		description: 'The deleted blob to restore (type its name: deleted blobs are not in the list). Needs soft delete on for the account.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [...requestOptionFields],
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const { container, blobName } = getBlobTarget(this, itemIndex, connection);
	const blobClient = containerClient(connection, container).getBlobClient(blobName);
	await blobClient.undelete({ abortSignal: signal });
	return { name: blobName, container, url: publicUrl(blobClient.url), undeleted: true };
}
