import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { compact, publicUrl } from '../../helpers/format';
import { leaseIdValue } from '../../helpers/lease';
import { getBlobTarget } from '../../helpers/locators';
import { choiceValue, readChoice, readOptions } from '../../helpers/params';
import type { BlobStorageConnection } from '../../transport/client';
import { containerClient } from '../../transport/client';
import { blobLocator, containerLocator, forOperation, leaseIdOption, requestOptionFields } from '../common.descriptions';

const TIERS = ['Hot', 'Cool', 'Cold', 'Archive'] as const;

export const description: INodeProperties[] = forOperation('blob', 'setTier', [
	containerLocator,
	blobLocator,
	{
		displayName: 'Access Tier',
		name: 'tier',
		type: 'options',
		default: 'Cool',
		options: [
			{ name: 'Archive', value: 'Archive', description: 'Cheapest to keep; cannot be read until rehydrated (hours)' },
			{ name: 'Cold', value: 'Cold', description: 'For data read rarely and kept at least 90 days' },
			{ name: 'Cool', value: 'Cool', description: 'For data read infrequently and kept at least 30 days' },
			{ name: 'Hot', value: 'Hot', description: 'For data read often' },
		],
		description: 'The tier to move the block blob to. Moving out of Archive starts a rehydration that takes hours; the blob stays in Archive until it ends.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			leaseIdOption,
			{
				displayName: 'Rehydrate Priority',
				name: 'rehydratePriority',
				type: 'options',
				default: 'Standard',
				options: [
					{ name: 'High', value: 'High', description: 'Usually under an hour for blobs below 10 GB; costs more' },
					{ name: 'Standard', value: 'Standard', description: 'Up to 15 hours' },
				],
				description: 'How fast Azure rehydrates a blob leaving the Archive tier. Used only when the blob is in Archive.',
			},
			...requestOptionFields,
		],
	},
]);

export async function execute(this: IExecuteFunctions, itemIndex: number, connection: BlobStorageConnection, signal: AbortSignal) {
	const { container, blobName } = getBlobTarget(this, itemIndex, connection);
	const tier = readChoice(this, 'tier', itemIndex, 'Access Tier', TIERS, 'Cool');
	const options = readOptions<{ leaseId?: unknown; rehydratePriority?: unknown }>(this, itemIndex);
	const rehydratePriority = choiceValue(this, options.rehydratePriority, itemIndex, 'Rehydrate Priority', ['Standard', 'High'], 'Standard');
	const leaseId = leaseIdValue(this, options.leaseId, itemIndex);
	const blobClient = containerClient(connection, container).getBlobClient(blobName);
	const before = await blobClient.getProperties({ abortSignal: signal });
	const leavingArchive = before.accessTier === 'Archive' && tier !== 'Archive';
	await blobClient.setAccessTier(tier, {
		rehydratePriority: leavingArchive ? rehydratePriority : undefined,
		conditions: { leaseId },
		abortSignal: signal,
	});
	const after = await blobClient.getProperties({ abortSignal: signal });
	return compact({
		name: blobName,
		container,
		url: publicUrl(blobClient.url),
		previousTier: before.accessTier,
		requestedTier: tier,
		accessTier: after.accessTier,
		archiveStatus: after.archiveStatus,
		rehydratePriority: leavingArchive ? (after.rehydratePriority ?? rehydratePriority) : undefined,
	});
}
