import type { AccessTier } from '@azure/storage-blob';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import {
	batchesInFlightOption,
	bulkTargetFields,
	bulkTargets,
	dryRunOption,
	outcomeItem,
	readPrefix,
	readSelection,
	refusedItem,
	sortOutcomes,
	withListingStop,
} from '../../helpers/bulkTargets';
import { booleanValue, choiceValue, integerValue, readChoice, readOptions } from '../../helpers/params';
import { batchFailureReason, runInBatches } from '../../transport/blobBatch';
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
	const selection = readSelection(this);
	const tier = readChoice(this, 'accessTier', 0, 'Access Tier', TIERS, 'Hot');
	const options = readOptions<{ dryRun?: unknown; batchesInFlight?: unknown; rehydratePriority?: unknown }>(this, 0);
	const dryRun = booleanValue(this, options.dryRun, 0, 'Dry Run', false);
	const inFlight = integerValue(this, options.batchesInFlight, 0, 'Batches in Flight', { min: 1, max: 16 }, 4);
	const rehydratePriority =
		options.rehydratePriority === undefined ? undefined : choiceValue(this, options.rehydratePriority, 0, 'Rehydrate Priority', ['High', 'Standard'], 'Standard');
	const prefix = selection === 'prefix' ? readPrefix(this, connection, false, 'change the tier of') : '';
	const { groups, refused, listingStopped } = bulkTargets(this, itemIndexes, connection, signal, selection, prefix);

	const output: INodeExecutionData[] = refused.map(refusedItem);
	if (dryRun) {
		for await (const group of groups) {
			for (const target of group) {
				output.push({ json: { name: target.name, container: target.container, outcome: `would be set to ${tier}`, dryRun: true }, pairedItem: { item: target.itemIndex } });
			}
		}
		return withListingStop(sortOutcomes(output), listingStopped('listed'));
	}
	await runInBatches(connection, groups, { kind: 'setTier', tier: tier as AccessTier, rehydratePriority }, {
		inFlight,
		signal,
		failureReason: batchFailureReason(this.getNode(), connection),
		onOutcomes: (outcomes) => output.push(...outcomes.map((outcome) => outcomeItem(outcome, { outcome: 'tier set', extra: { accessTier: tier } }))),
	});
	return withListingStop(sortOutcomes(output), listingStopped('changed'));
}
