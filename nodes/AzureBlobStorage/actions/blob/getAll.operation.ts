import type { BlobItem } from '@azure/storage-blob';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { blobJson, compact, publicUrl } from '../../helpers/format';
import { assertNoSecret, getContainerName } from '../../helpers/locators';
import { booleanValue, integerValue, readBoolean, readOptions, readText, textValue } from '../../helpers/params';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { listBlobPages } from '../../transport/listBlobs';
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
				displayName: 'Delimiter',
				name: 'delimiter',
				type: 'string',
				default: '',
				placeholder: 'e.g. /',
				description:
					'Folder view: with "/", blobs below the next "/" after the Prefix are returned as one item per folder (type: folder, name: the folder prefix, e.g. reports/2024/), next to the blobs at this level (type: blob). Use a folder\'s name as the Prefix to walk into it.',
			},
			{
				displayName: 'Include Deleted',
				name: 'includeDeleted',
				type: 'boolean',
				default: false,
				description: 'Whether to list soft-deleted blobs too (deleted: true). Needs soft delete on for the account.',
			},
			{
				displayName: 'Include Metadata',
				name: 'includeMetadata',
				type: 'boolean',
				default: false,
				description: 'Whether to add each blob\'s metadata (name/value pairs set at upload)',
			},
			{
				displayName: 'Include Snapshots',
				name: 'includeSnapshots',
				type: 'boolean',
				default: false,
				description: 'Whether to list each blob\'s snapshots too (each with its snapshot ID)',
			},
			{
				displayName: 'Include Tags',
				name: 'includeTags',
				type: 'boolean',
				default: false,
				description: 'Whether to add each blob\'s index tags. Needs the "t" SAS permission or the Storage Blob Data Owner role.',
			},
			{
				displayName: 'Include Versions',
				name: 'includeVersions',
				type: 'boolean',
				default: false,
				description: 'Whether to list earlier versions too (each with its version ID). Needs versioning on for the account.',
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
	const prefix = assertNoSecret(this, readText(this, 'prefix', itemIndex, 'Prefix'), itemIndex, 'Prefix', connection);
	const returnAll = readBoolean(this, 'returnAll', itemIndex, 'Return All', false);
	const limit = returnAll ? Infinity : readLimit(this, itemIndex);
	const options = readOptions<{
		delimiter?: unknown;
		includeDeleted?: unknown;
		includeMetadata?: unknown;
		includeSnapshots?: unknown;
		includeTags?: unknown;
		includeVersions?: unknown;
		pageSize?: unknown;
	}>(this, itemIndex);
	const delimiter = assertNoSecret(this, textValue(this, options.delimiter, itemIndex, 'Delimiter'), itemIndex, 'Delimiter', connection);
	const includeDeleted = booleanValue(this, options.includeDeleted, itemIndex, 'Include Deleted', false);
	const includeSnapshots = booleanValue(this, options.includeSnapshots, itemIndex, 'Include Snapshots', false);
	const includeVersions = booleanValue(this, options.includeVersions, itemIndex, 'Include Versions', false);
	const includeMetadata = booleanValue(this, options.includeMetadata, itemIndex, 'Include Metadata', false);
	const includeTags = booleanValue(this, options.includeTags, itemIndex, 'Include Tags', false);
	const pageSize = integerValue(this, options.pageSize, itemIndex, 'Page Size', { min: 1, max: 5000 }, 5000);
	const client = containerClient(connection, container);
	const baseUrl = publicUrl(client.url);
	const maxPageSize = Math.min(pageSize, Number.isFinite(limit) ? limit : 5000);

	const results: IDataObject[] = [];
	const pages = listBlobPages(client, {
		prefix: prefix || undefined,
		delimiter: delimiter || undefined,
		includeMetadata,
		includeTags,
		includeDeleted,
		includeSnapshots,
		includeVersions,
		pageSize: maxPageSize,
		abortSignal: signal,
	});
	const blobItem = (blob: BlobItem): IDataObject => {
		const url = `${baseUrl}/${blob.name.split('/').map(encodeURIComponent).join('/')}`;
		return compact({
			...(delimiter ? { type: 'blob' } : {}),
			...blobJson(container, blob.name, url, blob.properties, {
				metadata: includeMetadata ? (blob.metadata ?? {}) : undefined,
				tags: includeTags ? (blob.tags ?? {}) : undefined,
			}),
			snapshot: blob.snapshot || undefined,
			versionId: blob.versionId,
			isCurrentVersion: blob.isCurrentVersion,
			deleted: blob.deleted || undefined,
		});
	};
	for await (const page of pages) {
		if (delimiter) {
			// Folder view: one item per "folder" (prefix) and the blobs at this level, in name order.
			const folders: IDataObject[] = page.prefixes.map((name) => ({ type: 'folder', name, container }));
			const entries = [...folders, ...page.blobs.map(blobItem)].sort((a, b) =>
				String(a.name) < String(b.name) ? -1 : String(a.name) > String(b.name) ? 1 : 0,
			);
			for (const entry of entries) {
				results.push(entry);
				if (results.length >= limit) return results;
			}
			continue;
		}
		for (const blob of page.blobs) {
			results.push(blobItem(blob));
			if (results.length >= limit) return results;
		}
	}
	return results;
}

/** "Limit": a whole number of at least 1 (a limit of 0 returning one item was a bug). */
export function readLimit(ctx: IExecuteFunctions, itemIndex: number): number {
	return integerValue(ctx, ctx.getNodeParameter('limit', itemIndex, 50), itemIndex, 'Limit', { min: 1, max: 1_000_000_000 }, 50);
}
