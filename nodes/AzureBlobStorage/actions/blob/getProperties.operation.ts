import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { compact, publicUrl } from '../../helpers/format';
import { getBlobTarget } from '../../helpers/locators';
import { booleanValue, readOptions } from '../../helpers/params';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { blobLocator, containerLocator, forOperation, requestOptionFields } from '../common.descriptions';

export const description: INodeProperties[] = forOperation('blob', 'getProperties', [
	containerLocator,
	blobLocator,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Include Tags',
				name: 'includeTags',
				type: 'boolean',
				default: true,
				description:
					'Whether to read the blob\'s index tags too (one more request when it has any). Needs the "t" SAS permission or the Storage Blob Data Owner role; turn it off if the credential lacks them.',
			},
			...requestOptionFields,
		],
	},
]);

function iso(date: Date | undefined): string | undefined {
	return date ? date.toISOString() : undefined;
}

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const { container, blobName } = getBlobTarget(this, itemIndex, connection);
	const options = readOptions<{ includeTags?: unknown }>(this, itemIndex);
	const includeTags = booleanValue(this, options.includeTags, itemIndex, 'Include Tags', true);
	const blobClient = containerClient(connection, container).getBlobClient(blobName);
	const p = await blobClient.getProperties({ abortSignal: signal });
	let tags: Record<string, string> | undefined;
	if (includeTags) tags = p.tagCount ? (await blobClient.getTags({ abortSignal: signal })).tags : {};
	return compact({
		name: blobName,
		container,
		url: publicUrl(blobClient.url),
		blobType: p.blobType,
		size: p.contentLength,
		contentType: p.contentType,
		contentEncoding: p.contentEncoding,
		contentLanguage: p.contentLanguage,
		contentDisposition: p.contentDisposition,
		cacheControl: p.cacheControl,
		contentMD5: p.contentMD5?.length ? Buffer.from(p.contentMD5).toString('base64') : undefined,
		etag: p.etag,
		lastModified: iso(p.lastModified),
		createdOn: iso(p.createdOn),
		lastAccessedOn: iso(p.lastAccessed),
		accessTier: p.accessTier,
		accessTierInferred: p.accessTierInferred,
		accessTierChangedOn: iso(p.accessTierChangedOn),
		archiveStatus: p.archiveStatus,
		rehydratePriority: p.rehydratePriority,
		leaseState: p.leaseState,
		leaseStatus: p.leaseStatus,
		leaseDuration: p.leaseDuration,
		copyId: p.copyId,
		copyStatus: p.copyStatus,
		copyProgress: p.copyProgress,
		copySource: p.copySource ? publicUrl(p.copySource) : undefined,
		copyCompletedOn: iso(p.copyCompletedOn),
		copyStatusDescription: p.copyStatusDescription,
		serverEncrypted: p.isServerEncrypted,
		versionId: p.versionId,
		isCurrentVersion: p.isCurrentVersion,
		committedBlockCount: p.blobCommittedBlockCount,
		sealed: p.isSealed,
		expiresOn: iso(p.expiresOn),
		immutabilityPolicyExpiresOn: iso(p.immutabilityPolicyExpiresOn),
		immutabilityPolicyMode: p.immutabilityPolicyMode,
		legalHold: p.legalHold,
		metadata: p.metadata ?? {},
		tags,
	});
}
