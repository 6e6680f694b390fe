import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { compact, publicUrl } from '../../helpers/format';
import { getContainerName } from '../../helpers/locators';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { containerLocator, forOperation, requestOptionFields } from '../common.descriptions';

export const description: INodeProperties[] = forOperation('container', 'getProperties', [
	containerLocator,
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
	const client = containerClient(connection, name);
	const p = await client.getProperties({ abortSignal: signal });
	return compact({
		name,
		url: publicUrl(client.url),
		etag: p.etag,
		lastModified: p.lastModified?.toISOString(),
		publicAccess: p.blobPublicAccess ?? 'none',
		leaseState: p.leaseState,
		leaseStatus: p.leaseStatus,
		leaseDuration: p.leaseDuration,
		hasImmutabilityPolicy: p.hasImmutabilityPolicy,
		hasLegalHold: p.hasLegalHold,
		immutableStorageWithVersioning: p.isImmutableStorageWithVersioningEnabled,
		defaultEncryptionScope: p.defaultEncryptionScope,
		metadata: p.metadata ?? {},
	});
}
