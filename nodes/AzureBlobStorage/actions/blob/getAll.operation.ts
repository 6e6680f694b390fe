import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { blobJson, publicUrl } from '../../helpers/format';
import { getContainerName } from '../../helpers/locators';
import { booleanValue, integerValue, readBoolean, readOptions, readText } from '../../helpers/params';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { containerLocator, forOperation, requestOptionFields, returnAllAndLimit } from '../common.descriptions';

export const description: INodeProperties[] = forOperation('blob', 'getAll', [
	containerLocator,
	{
		displayName: 'Prefix',
		name: 'prefix',
		type: 'string',
		default: '',
		placeholder: 'e.g. reports/2024/',
		description: 'Only blobs whose names start with this text. Use it to list one "folder".',
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
				description: 'Whether to add each blob\'s metadata (name/value pairs set at upload)',
			},
			{
				displayName: 'Include Tags',
				name: 'includeTags',
				type: 'boolean',
				default: false,
				description: 'Whether to add each blob\'s index tags. Needs the "t" SAS permission or the Storage Blob Data Owner role.',
			},
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'number',
				default: 5000,
				typeOptions: { minValue: 1, maxValue: 5000 },
				description:
					'How many blobs to ask Azure for per request (at most 5,000). Larger pages mean fewer round trips for big containers; smaller pages return the first results sooner.',
			},
			...requestOptionFields,
		],
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const container = getContainerName(this, itemIndex, connection);
	const prefix = readText(this, 'prefix', itemIndex, 'Prefix');
	const returnAll = readBoolean(this, 'returnAll', itemIndex, 'Return All', false);
	const limit = returnAll ? Infinity : readLimit(this, itemIndex);
	const options = readOptions<{ includeMetadata?: unknown; includeTags?: unknown; pageSize?: unknown }>(this, itemIndex);
	const includeMetadata = booleanValue(this, options.includeMetadata, itemIndex, 'Include Metadata', false);
	const includeTags = booleanValue(this, options.includeTags, itemIndex, 'Include Tags', false);
	const pageSize = integerValue(this, options.pageSize, itemIndex, 'Page Size', { min: 1, max: 5000 }, 5000);
	const client = containerClient(connection, container);
	const baseUrl = publicUrl(client.url);
	const maxPageSize = Math.min(pageSize, Number.isFinite(limit) ? limit : 5000);

	const results: IDataObject[] = [];
	const pages = client
		.listBlobsFlat({ prefix: prefix || undefined, includeMetadata, includeTags, abortSignal: signal })
		.byPage({ maxPageSize });
	for await (const page of pages) {
		for (const blob of page.segment.blobItems) {
			const url = `${baseUrl}/${blob.name.split('/').map(encodeURIComponent).join('/')}`;
			results.push(
				blobJson(container, blob.name, url, blob.properties, {
					metadata: includeMetadata ? (blob.metadata ?? {}) : undefined,
					tags: includeTags ? (blob.tags ?? {}) : undefined,
				}),
			);
			if (results.length >= limit) return results;
		}
	}
	return results;
}

/** "Limit": a whole number of at least 1 (a limit of 0 returning one item was a bug). */
export function readLimit(ctx: IExecuteFunctions, itemIndex: number): number {
	return integerValue(ctx, ctx.getNodeParameter('limit', itemIndex, 50), itemIndex, 'Limit', { min: 1, max: 1_000_000_000 }, 50);
}
