import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { readIfMatch } from '../../helpers/existingBlob';
import { publicUrl } from '../../helpers/format';
import { leaseIdValue } from '../../helpers/lease';
import { getBlobTarget } from '../../helpers/locators';
import type { NamedValues } from '../../helpers/namedValues';
import { readMetadata } from '../../helpers/namedValues';
import { readOptions } from '../../helpers/params';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import {
	blobLocator,
	containerLocator,
	forOperation,
	ifMatchOption,
	leaseIdOption,
	nameValueOption,
	requestOptionFields,
} from '../common.descriptions';

export const description: INodeProperties[] = forOperation('blob', 'setMetadata', [
	containerLocator,
	blobLocator,
	nameValueOption(
		'Metadata',
		'metadata',
		'The blob\'s new metadata. It replaces all existing metadata: names not listed are removed, and an empty list removes all. Names: letters, digits, underscores; values: printable ASCII.',
	),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [leaseIdOption, ifMatchOption, ...requestOptionFields],
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const { container, blobName } = getBlobTarget(this, itemIndex, connection);
	const metadata = readMetadata(this, this.getNodeParameter('metadata', itemIndex, {}) as NamedValues, itemIndex, connection) ?? {};
	const options = readOptions<{ ifMatch?: unknown; leaseId?: unknown }>(this, itemIndex);
	const ifMatch = readIfMatch(this, options.ifMatch, itemIndex, connection);
	const leaseId = leaseIdValue(this, options.leaseId, itemIndex);
	const blobClient = containerClient(connection, container).getBlobClient(blobName);
	const response = await blobClient.setMetadata(metadata, { conditions: { ifMatch, leaseId }, abortSignal: signal });
	return {
		name: blobName,
		container,
		url: publicUrl(blobClient.url),
		etag: response.etag,
		lastModified: response.lastModified?.toISOString(),
		metadata,
	};
}
