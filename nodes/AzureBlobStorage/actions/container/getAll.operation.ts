import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { compact, publicUrl } from '../../helpers/format';
import { assertNoSecret } from '../../helpers/locators';
import { booleanValue, readBoolean, readOptions, readText } from '../../helpers/params';
import type { BlobStorageConnection } from '../../transport/client';
import { forOperation, requestOptionFields, returnAllAndLimit } from '../common.descriptions';
import { readLimit } from '../blob/getAll.operation';

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
			...requestOptionFields,
		],
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const prefix = assertNoSecret(this, readText(this, 'prefix', itemIndex, 'Prefix'), itemIndex, 'Prefix', connection);
	const returnAll = readBoolean(this, 'returnAll', itemIndex, 'Return All', false);
	const limit = returnAll ? Infinity : readLimit(this, itemIndex);
	const options = readOptions<{ includeMetadata?: unknown }>(this, itemIndex);
	const includeMetadata = booleanValue(this, options.includeMetadata, itemIndex, 'Include Metadata', false);
	const serviceUrl = publicUrl(connection.service.url).replace(/\/+$/, '');

	if (connection.scopedContainer) {
		// A container SAS cannot list containers; the one it grants is the answer.
		const name = connection.scopedContainer;
		return name.startsWith(prefix) ? [{ name, url: `${serviceUrl}/${name}` }] : [];
	}
	const results: IDataObject[] = [];
	const pages = connection.service
		.listContainers({ prefix: prefix || undefined, includeMetadata, abortSignal: signal })
		.byPage({ maxPageSize: Number.isFinite(limit) ? Math.min(limit, 5000) : 5000 });
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
