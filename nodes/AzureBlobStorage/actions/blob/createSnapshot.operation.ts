import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { compact, publicUrl } from '../../helpers/format';
import { leaseIdValue } from '../../helpers/lease';
import { getBlobTarget } from '../../helpers/locators';
import type { NamedValues } from '../../helpers/namedValues';
import { readMetadata } from '../../helpers/namedValues';
import { readOptions } from '../../helpers/params';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { blobLocator, containerLocator, forOperation, leaseIdOption, nameValueOption, requestOptionFields } from '../common.descriptions';

export const description: INodeProperties[] = forOperation('blob', 'createSnapshot', [
	containerLocator,
	blobLocator,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			leaseIdOption,
			nameValueOption(
				'Metadata',
				'metadata',
				'Metadata for the snapshot instead of a copy of the blob\'s own. Names: letters, digits, underscores; values: printable ASCII.',
			),
			...requestOptionFields,
		],
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const { container, blobName } = getBlobTarget(this, itemIndex, connection);
	const options = readOptions<{ leaseId?: unknown; metadata?: NamedValues }>(this, itemIndex);
	const metadata = readMetadata(this, options.metadata, itemIndex, connection);
	const leaseId = leaseIdValue(this, options.leaseId, itemIndex);
	const blobClient = containerClient(connection, container).getBlobClient(blobName);
	const response = await blobClient.createSnapshot({ metadata, conditions: { leaseId }, abortSignal: signal });
	const snapshot = response.snapshot ?? '';
	return compact({
		name: blobName,
		container,
		url: publicUrl(blobClient.url),
		snapshot,
		snapshotUrl: `${publicUrl(blobClient.url)}?snapshot=${encodeURIComponent(snapshot)}`,
		etag: response.etag,
		lastModified: response.lastModified?.toISOString(),
	});
}
