import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { blobJson, publicUrl } from '../../helpers/format';
import { getContainerName } from '../../helpers/locators';
import type { BlobStorageConnection } from '../../transport/client';
import { containerLocator, forOperation, returnAllAndLimit } from '../common.descriptions';

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
		],
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection) {
	const container = getContainerName(this, itemIndex);
	const prefix = this.getNodeParameter('prefix', itemIndex, '') as string;
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const options = this.getNodeParameter('options', itemIndex, {}) as {
		includeMetadata?: boolean;
		includeTags?: boolean;
		pageSize?: number;
	};
	const containerClient = connection.service.getContainerClient(container);
	const baseUrl = publicUrl(containerClient.url);
	const maxPageSize = Math.min(options.pageSize ?? 5000, 5000, Number.isFinite(limit) ? Math.max(limit, 1) : 5000);

	const results: IDataObject[] = [];
	const pages = containerClient
		.listBlobsFlat({
			prefix: prefix || undefined,
			includeMetadata: options.includeMetadata,
			includeTags: options.includeTags,
		})
		.byPage({ maxPageSize });
	for await (const page of pages) {
		for (const blob of page.segment.blobItems) {
			const url = `${baseUrl}/${blob.name.split('/').map(encodeURIComponent).join('/')}`;
			results.push(
				blobJson(container, blob.name, url, blob.properties, {
					metadata: options.includeMetadata ? (blob.metadata ?? {}) : undefined,
					tags: options.includeTags ? (blob.tags ?? {}) : undefined,
				}),
			);
			if (results.length >= limit) return results;
		}
	}
	return results;
}
