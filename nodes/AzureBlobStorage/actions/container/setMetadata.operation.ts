import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { publicUrl } from '../../helpers/format';
import { getContainerName } from '../../helpers/locators';
import type { NamedValues } from '../../helpers/namedValues';
import { readMetadata } from '../../helpers/namedValues';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { containerLocator, forOperation, nameValueOption, requestOptionFields } from '../common.descriptions';

export const description: INodeProperties[] = forOperation('container', 'setMetadata', [
	containerLocator,
	nameValueOption(
		'Metadata',
		'metadata',
		'The container\'s new metadata. It replaces all existing metadata: names not listed are removed, and an empty list removes all. Names: letters, digits, underscores; values: printable ASCII.',
	),
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
	const name = getContainerName(this, itemIndex, connection);
	const metadata = readMetadata(this, this.getNodeParameter('metadata', itemIndex, {}) as NamedValues, itemIndex, connection) ?? {};
	const client = containerClient(connection, name);
	const response = await client.setMetadata(metadata, { abortSignal: signal });
	return {
		name,
		url: publicUrl(client.url),
		etag: response.etag,
		lastModified: response.lastModified?.toISOString(),
		metadata,
	};
}
