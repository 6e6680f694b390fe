import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { publicUrl } from '../../helpers/format';
import { getContainerName } from '../../helpers/locators';
import { booleanValue, readOptions } from '../../helpers/params';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { mayBeOwnEarlierTry } from '../../transport/policies';
import { containerLocator, forOperation, requestOptionFields } from '../common.descriptions';

export const description: INodeProperties[] = forOperation('container', 'delete', [
	containerLocator,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Succeed If Container Does Not Exist',
				name: 'ignoreMissing',
				type: 'boolean',
				default: false,
				description: 'Whether a missing container counts as deleted (output deleted: false) instead of an error',
			},
			...requestOptionFields,
		],
	},
	{
		displayName: 'Deleting a container deletes every blob in it. Azure keeps nothing unless soft delete is on for the account.',
		name: 'deleteNotice',
		type: 'notice',
		default: '',
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const name = getContainerName(this, itemIndex, connection);
	const options = readOptions<{ ignoreMissing?: unknown }>(this, itemIndex);
	const ignoreMissing = booleanValue(this, options.ignoreMissing, itemIndex, 'Succeed If Container Does Not Exist', false);
	const client = containerClient(connection, name);
	const result = { name, url: publicUrl(client.url) };
	const request = { abortSignal: signal };
	if (ignoreMissing) {
		const { succeeded } = await client.deleteIfExists(request);
		return succeeded ? { ...result, deleted: true } : { ...result, deleted: false, existed: false };
	}
	try {
		await client.delete(request);
	} catch (error) {
		// A retried delete whose first try was applied (its answer lost) finds nothing: deleted.
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- the router translates it
		if (!mayBeOwnEarlierTry(error, 404)) throw error;
	}
	return { ...result, deleted: true };
}
