import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { compact, publicUrl } from '../../helpers/format';
import type { BlobStorageConnection } from '../../transport/client';
import { forOperation, returnAllAndLimit } from '../common.descriptions';

export const description: INodeProperties[] = forOperation('container', 'getAll', [
	{
		displayName: 'Prefix',
		name: 'prefix',
		type: 'string',
		default: '',
		description: 'Only containers whose names start with this text',
	},
	...returnAllAndLimit,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Include Metadata',
				name: 'includeMetadata',
				type: 'boolean',
				default: false,
				description: 'Whether to add each container\'s metadata',
			},
		],
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection) {
	const prefix = this.getNodeParameter('prefix', itemIndex, '') as string;
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const { includeMetadata } = this.getNodeParameter('options', itemIndex, {}) as { includeMetadata?: boolean };
	const serviceUrl = publicUrl(connection.service.url).replace(/\/+$/, '');

	if (connection.scopedContainer) {
		// A container SAS cannot list containers; the one it grants is the answer.
		const name = connection.scopedContainer;
		return name.startsWith(prefix) ? [{ name, url: `${serviceUrl}/${name}` }] : [];
	}
	const results: IDataObject[] = [];
	const pages = connection.service
		.listContainers({ prefix: prefix || undefined, includeMetadata })
		.byPage({ maxPageSize: Number.isFinite(limit) ? Math.min(Math.max(limit, 1), 5000) : 5000 });
	for await (const page of pages) {
		for (const container of page.containerItems) {
			results.push(
				compact({
					name: container.name,
					url: `${serviceUrl}/${container.name}`,
					etag: container.properties.etag,
					lastModified: container.properties.lastModified?.toISOString(),
					publicAccess: container.properties.publicAccess ?? 'none',
					leaseState: container.properties.leaseState,
					hasImmutabilityPolicy: container.properties.hasImmutabilityPolicy,
					hasLegalHold: container.properties.hasLegalHold,
					metadata: includeMetadata ? (container.metadata ?? {}) : undefined,
				}),
			);
			if (results.length >= limit) return results;
		}
	}
	return results;
}
