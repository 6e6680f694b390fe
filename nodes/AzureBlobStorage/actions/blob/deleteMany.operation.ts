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
import { booleanValue, integerValue, readOptions } from '../../helpers/params';
import { batchFailureReason, runInBatches } from '../../transport/blobBatch';
import type { BlobStorageConnection } from '../../transport/client';
import { containerLocator, forOperation, requestOptionFields } from '../common.descriptions';

export const description: INodeProperties[] = forOperation('blob', 'deleteMany', [
	containerLocator,
	...bulkTargetFields('Delete'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			batchesInFlightOption,
			{
				displayName: 'Delete Snapshots',
				name: 'deleteSnapshots',
				type: 'boolean',
				default: false,
				description: "Whether to delete each blob's snapshots with it. Azure refuses to delete a blob that has snapshots unless this is on.",
			},
			dryRunOption('deleted'),
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
	const options = readOptions<{ deleteSnapshots?: unknown; dryRun?: unknown; batchesInFlight?: unknown }>(this, 0);
	const deleteSnapshots = booleanValue(this, options.deleteSnapshots, 0, 'Delete Snapshots', false);
	const dryRun = booleanValue(this, options.dryRun, 0, 'Dry Run', false);
	const inFlight = integerValue(this, options.batchesInFlight, 0, 'Batches in Flight', { min: 1, max: 16 }, 4);
	const prefix = selection === 'prefix' ? readPrefix(this, connection, true, 'delete') : '';
	const { groups, refused, listingStopped } = bulkTargets(this, itemIndexes, connection, signal, selection, prefix);

	const output: INodeExecutionData[] = refused.map(refusedItem);
	if (dryRun) {
		for await (const group of groups) {
			for (const target of group) {
				output.push({ json: { name: target.name, container: target.container, outcome: 'would be deleted', dryRun: true }, pairedItem: { item: target.itemIndex } });
			}
		}
		return withListingStop(sortOutcomes(output), listingStopped('listed'));
	}
	await runInBatches(connection, groups, { kind: 'delete', deleteSnapshots }, {
		inFlight,
		signal,
		failureReason: batchFailureReason(this.getNode(), connection),
		onOutcomes: (outcomes) => output.push(...outcomes.map((outcome) => outcomeItem(outcome, { outcome: 'deleted' }))),
	});
	return withListingStop(sortOutcomes(output), listingStopped('deleted'));
}
