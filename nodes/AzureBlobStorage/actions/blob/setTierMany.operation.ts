import type { AccessTier } from '@azure/storage-blob';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { batchesInFlightOption, bulkTargetFields, dryRunOption, runBulk } from '../../helpers/bulkTargets';
import { choiceValue, readChoice, readOptions } from '../../helpers/params';
import type { BlobStorageConnection } from '../../transport/client';
import { accessTierOption, containerLocator, forOperation, requestOptionFields } from '../common.descriptions';

const TIERS = ['Hot', 'Cool', 'Cold', 'Archive'] as const;

export const description: INodeProperties[] = forOperation('blob', 'setTierMany', [
	containerLocator,
	...bulkTargetFields('Change the tier of'),
	{ ...accessTierOption, required: true, description: 'The tier to move the blobs to. Archive blobs must be rehydrated (moved to Hot, Cool or Cold) before they can be read, which takes hours in Azure.' },
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			batchesInFlightOption,
			dryRunOption('changed'),
			{
				displayName: 'Rehydrate Priority',
				name: 'rehydratePriority',
				type: 'options',
				default: 'Standard',
				options: [
					{ name: 'High', value: 'High', description: 'Faster (under an hour for small blobs) and dearer' },
					{ name: 'Standard', value: 'Standard', description: 'Up to 15 hours' },
				],
				description: 'For blobs leaving Archive: how fast Azure rehydrates them',
			},
			...requestOptionFields,
		],
	},
]);

export async function executeBatch(
	this: IExecuteFunctions,
	itemIndexes: number[],
	connection: BlobStorageConnection,
	signal: AbortSignal,
): Promise<INodeExecutionData[]> {
	const tier = readChoice(this, 'accessTier', 0, 'Access Tier', TIERS, 'Hot');
	const options = readOptions<{ rehydratePriority?: unknown }>(this, 0);
	const rehydratePriority =
		options.rehydratePriority === undefined ? undefined : choiceValue(this, options.rehydratePriority, 0, 'Rehydrate Priority', ['High', 'Standard'], 'Standard');
	return await runBulk(this, itemIndexes, connection, signal, {
		action: { kind: 'setTier', tier: tier as AccessTier, rehydratePriority },
		wouldBe: `would be set to ${tier}`,
		success: { outcome: 'tier set', extra: { accessTier: tier } },
		past: 'changed',
	});
}
